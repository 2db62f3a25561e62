package redisstore

import (
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// BenchmarkApply measures fenced Apply throughput through one owner, as the engine writes:
// each event is a LINE_CALLSTATE with the updated call stored beside it, and each batch ends one
// call with its call record. Batches of 1, 32 and 128
// events per script call; the figure to compare with the engine's 20,000 events/s target is
// the events/s metric.
func BenchmarkApply(b *testing.B) {
	srv := redistest.Start(b)
	for _, batch := range []int{1, 32, 128} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			s, l := benchOwner(b, Options{Addrs: []string{srv.Addr}})
			batches := make([]store.Batch, 64)
			for i := range batches {
				batches[i] = benchBatch(i, batch)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for i := range b.N {
				if _, err := s.Apply(b.Context(), "hq", l.Fence(), batches[i%len(batches)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*batch), "cpu-ns/event")
		})
	}
}

func benchBatch(n, size int) store.Batch {
	var bt store.Batch
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	for i := range size {
		ext := strconv.Itoa(200 + (n*size+i)%100)
		line := tapi.LineName("hq", ext)
		c := tapi.Call{Handle: tapi.CallHandle(fmt.Sprintf("hq:%d", n*size+i)), Line: line,
			CallID: fmt.Sprintf("C%06d", n*size+i),
			CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED,
				ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE},
			Info: tapi.CallInfo{Origin: tapi.LINECALLORIGIN_EXTERNAL, Reason: tapi.LINECALLREASON_DIRECT,
				Caller: tapi.PartyID{Number: "+4930123456", Flags: tapi.LINECALLPARTYID_ADDRESS},
				Called: tapi.PartyID{Number: ext, Flags: tapi.LINECALLPARTYID_ADDRESS}},
			Parties: []string{"+4930123456"}, Created: at, StateSince: at, ConnectedAt: at}
		bt.Calls = append(bt.Calls, c)
		bt.Events = append(bt.Events, tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, Time: at,
			PBX: "hq", Line: line, Device: tapi.LineDeviceID(line), Handle: c.Handle,
			CallState: &c.CallStatus})
	}
	bt.NextHandle = uint64((n + 1) * size)
	// One call of the batch ends, with its call record, as about one in eight CSTA events does.
	c := bt.Calls[0]
	bt.Journal = []store.JournalEntry{{ID: store.NewRecordID(at), Line: c.Line, Handle: c.Handle,
		CallID: c.CallID, Origin: c.Info.Origin, Reason: c.Info.Reason, Caller: c.Info.Caller,
		Called: c.Info.Called, Connected: c.Info.Called, Started: at, Answered: at, Ended: at.Add(time.Minute),
		Outcome: store.OutcomeAnswered, Direction: store.DirectionInbound, AnsweredBy: c.Info.Called,
		TalkMs: 60000}}
	return bt
}

// BenchmarkHistory measures history queries on 20,000 records of 1,000 lines: the newest
// page, and one line's 20 records, which reads the whole index in steps of
// Options.HistoryScan (20 scans, each a round trip).
func BenchmarkHistory(b *testing.B) {
	srv := redistest.Start(b)
	s, err := New(b.Context(), Options{Addrs: []string{srv.Addr}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l, err := s.AcquireLease(b.Context(), "hq", "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for n := 0; n < 20000; {
		var bt store.Batch
		for k := 0; k < 100; k, n = k+1, n+1 {
			bt.Journal = append(bt.Journal, storetest.JournalEntry(fmt.Sprintf("hq/%d", 1000+n%1000), n))
		}
		if _, err := s.Apply(b.Context(), "hq", l.Fence(), bt); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("NewestPage", func(b *testing.B) {
		for b.Loop() {
			page, err := s.History(b.Context(), store.HistoryQuery{Limit: 50})
			if err != nil || len(page.Records) != 50 {
				b.Fatal(len(page.Records), err)
			}
		}
	})
	b.Run("OneLine", func(b *testing.B) {
		for b.Loop() {
			j, err := s.Journal(b.Context(), "hq/1500", 0, 20)
			if err != nil || len(j) != 20 {
				b.Fatal(len(j), err)
			}
		}
	})
}

// BenchmarkApplyArgs measures building the apply script's command for BenchmarkApply's
// batches (encoding and boxing the arguments, no round trip): the bridge's own CPU of a write
// but for go-redis's writing and reading. It needs no Redis (nor signals from one ending), so
// that callgrind can count its instructions.
func BenchmarkApplyArgs(b *testing.B) {
	s := offlineStore(b)
	f := store.Fence{Owner: "bench", Token: 1}
	for _, batch := range []int{1, 32, 128} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			batches := make([]store.Batch, 64)
			for i := range batches {
				batches[i] = benchBatch(i, batch)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				call, err := s.applyArgs("hq", f, "epoch", &batches[i%len(batches)])
				if err != nil {
					b.Fatal(err)
				}
				call.release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
		})
	}
}

// offlineStore returns a Store with the default options and no connection, for what runs
// without Redis (building commands, the local ring).
func offlineStore(tb testing.TB) *Store {
	o, err := Options{Addrs: []string{"offline:6379"}}.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	return &Store{opts: o, seenPos: map[string]store.Position{}, histPBX: map[string]string{}}
}

// processCPU returns the CPU time this process used (user and system, all threads), in
// nanoseconds: the bridge's side of a write, apart from the redis-server's, which ns/op mixes
// in.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchOwner opens a Store with opts, closed when the benchmark ends, holding hq's lease.
func benchOwner(b *testing.B, opts Options) (*Store, store.Lease) {
	b.Helper()
	s, err := New(b.Context(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	l, err := s.AcquireLease(b.Context(), "hq", "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return s, l
}

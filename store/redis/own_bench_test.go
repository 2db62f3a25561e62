package redisstore

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// ownerSubscriptions is how many times the owner of a PBX subscribes to its log (the
// engine's watcher and view, the web hub, its alerts).
const ownerSubscriptions = 4

// BenchmarkOwnMessage measures what the owner of a PBX spends on a message of its own batch
// (BenchmarkApply's, 32 events) coming back by PUB/SUB, once Apply recorded the batch in the
// local ring: the feed parsing it, and each of the owner's subscriptions taking its events
// into its channel (read here by the benchmark itself).
// It needs no Redis, so that callgrind can count its instructions.
func BenchmarkOwnMessage(b *testing.B) {
	const batch, batches = 32, 64
	s := offlineStore(b)
	f := &feed{s: s, pbx: "hq"}
	subs := make([]*subscription, ownerSubscriptions)
	for i := range subs {
		subs[i] = &subscription{s: s, pbx: "hq", epoch: "E", ch: make(chan store.Entry, batch)}
	}
	fence := store.Fence{Owner: "bench", Token: 1}
	msgs := make([]string, batches)
	for k := range msgs {
		bt := benchBatch(k, batch)
		bt.ID = "bench/1/" + strconv.Itoa(k)
		s.saw("hq", store.Position{Epoch: "E", Offset: uint64(k * batch)})
		call, err := s.applyArgs("hq", fence, "E", &bt)
		if err != nil {
			b.Fatal(err)
		}
		s.local.put("hq", "E", written{write: bt.ID, first: uint64(k*batch + 1)}, bt.Events, call.events)
		msgs[k] = publishedText(b, call)
		call.release()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p, ok := parsePublished(msgs[i%batches])
		if !ok {
			b.Fatal("message not parsed")
		}
		f.resolve(p)
		for _, sub := range subs {
			sub.last = p.first - 1
			if err := sub.onMessage(p); err != nil {
				b.Fatal(err)
			}
			for range p.n {
				<-sub.ch
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
}

// publishedText returns the message the apply script publishes for call when the writer's
// expectation holds.
func publishedText(tb testing.TB, call applyCall) string {
	for _, a := range call.args {
		if block, ok := a.([]byte); ok {
			return string(block)
		}
	}
	tb.Fatal("no batch in the apply call")
	return ""
}

// benchRedis returns the address of $CTIBRIDGE_BENCH_REDIS, a redis-server started by hand,
// else of one the benchmark starts: callgrind cannot follow a process that starts one (it
// fails on the signals of the child's end).
func benchRedis(b *testing.B) string {
	if addr := os.Getenv("CTIBRIDGE_BENCH_REDIS"); addr != "" {
		return addr
	}
	return redistest.Start(b).Addr
}

// BenchmarkApplyOwned is BenchmarkApply's batch of 32 with the owner's subscriptions reading
// its log: the bridge's CPU of a write and of its events coming back (cpu-ns/event).
func BenchmarkApplyOwned(b *testing.B) {
	const batch = 32
	s, l := benchOwner(b, Options{Addrs: []string{benchRedis(b)}, ProbeInterval: time.Hour})
	// The first write learns the epoch (the rest go as the owner's do) and where the log is:
	// a Redis started by hand, and the benchmark's runs, keep the log of those before.
	start, err := s.Apply(b.Context(), "hq", l.Fence(), benchBatch(0, 1))
	if err != nil {
		b.Fatal(err)
	}
	batches := make([]store.Batch, 64)
	for i := range batches {
		batches[i] = benchBatch(i, batch)
	}
	// Each subscription is drained as it goes, as the owner's consumers do, up to the last
	// offset written (one writer: the first write's offset and b.N batches after it).
	last := start.First + uint64(b.N*batch)
	var drained sync.WaitGroup
	for range ownerSubscriptions {
		sub, err := s.Subscribe(b.Context(), "hq")
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Close()
		drained.Add(1)
		go func() {
			defer drained.Done()
			n := 0
			for e := range sub.C() {
				if n++; e.Offset >= last {
					if n != b.N*batch {
						b.Errorf("%d entries delivered, want %d", n, b.N*batch)
					}
					return
				}
			}
			b.Error("subscription ended:", sub.Err())
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := range b.N {
		bt := batches[i%len(batches)]
		bt.ID = "bench/" + strconv.Itoa(i)
		if _, err := s.Apply(b.Context(), "hq", l.Fence(), bt); err != nil {
			b.Fatal(err)
		}
	}
	drained.Wait()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*batch), "cpu-ns/event")
}

// BenchmarkLocalPut measures the writer recording a batch of 32 events (BenchmarkApply's)
// in the local ring, as Apply does before each write.
func BenchmarkLocalPut(b *testing.B) {
	const batch = 32
	var l localEvents
	bt := benchBatch(0, batch)
	js := make([][]byte, batch)
	for i := range js {
		js[i] = []byte(`{}`)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l.put("hq", "E", written{write: "bench", first: uint64(i*batch + 1)}, bt.Events, js)
	}
}

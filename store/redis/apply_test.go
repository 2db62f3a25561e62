package redisstore

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestApplyBatchesOver200 writes more lines, calls, removals and call records in one Apply
// than the script sends in one Redis command (200 a command), and trims more than that many
// records in one write: every chunk must land.
func TestApplyBatchesOver200(t *testing.T) {
	const n, keep = 450, 100
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, HistoryMaxRecords: keep})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	var b store.Batch
	for i := range n {
		ext := strconv.Itoa(1000 + i)
		b.Lines = append(b.Lines, storetest.Line("hq", ext))
		b.Calls = append(b.Calls, storetest.Call("hq", ext, uint64(i+1)))
		b.Journal = append(b.Journal, storetest.JournalEntry("hq/"+ext, i+1))
	}
	b.Events = storetest.Events("hq", "big", n)
	a, err := s.Apply(tctx(t), "hq", l.Fence(), b)
	require.NoError(t, err)
	require.Equal(t, n, a.Len())
	require.EqualValues(t, n, a.Last)

	snap, err := s.Load(tctx(t), "hq")
	require.NoError(t, err)
	require.Len(t, snap.Lines, n)
	require.Len(t, snap.Calls, n)
	require.EqualValues(t, n, snap.Position.Offset)
	k := newKeys(s.opts.KeyPrefix, "hq")
	for _, key := range []string{k.histIndex(), k.histRecords(), k.histCalls()} {
		var c int64
		if key == k.histIndex() {
			c, err = s.Client().ZCard(tctx(t), key).Result()
		} else {
			c, err = s.Client().HLen(tctx(t), key).Result()
		}
		require.NoError(t, err)
		require.EqualValues(t, keep, c, "records kept in %s", key)
	}
	newest := b.Journal[n-1]
	_, err = s.CallRecord(tctx(t), "hq", newest.Handle)
	require.NoError(t, err)
	_, err = s.CallRecord(tctx(t), "hq", b.Journal[n-keep-1].Handle)
	require.True(t, errors.Is(err, store.ErrNoRecord), "a trimmed record: %v", err)

	var gone store.Batch
	for _, c := range b.Calls {
		gone.RemovedCalls = append(gone.RemovedCalls, c.Handle)
	}
	_, err = s.Apply(tctx(t), "hq", l.Fence(), gone)
	require.NoError(t, err)
	snap, err = s.Load(tctx(t), "hq")
	require.NoError(t, err)
	require.Empty(t, snap.Calls)
	require.Len(t, snap.Lines, n, "the lines stay")
}

// TestApplyAfterScriptFlush: Apply runs its script by EVALSHA and falls back to EVAL when
// Redis lost its scripts (a restart or failover), as redis.Script.Run would.
func TestApplyAfterScriptFlush(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	for i := range 2 {
		_, err := srv.Do("SCRIPT", "FLUSH")
		require.NoError(t, err)
		a, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: storetest.Events("hq", "flush", 1)})
		require.NoError(t, err)
		require.EqualValues(t, i+1, a.First)
	}
}

// TestApplyArgsAllocationsDoNotGrowWithTheBatch: the script's arguments of a batch's calls,
// removals and records are boxed into pooled slots (applySlots), so building the command of
// 32 events with their calls costs what one of a single event does, not an allocation or
// more per argument.
func TestApplyArgsAllocationsDoNotGrowWithTheBatch(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	f := store.Fence{Owner: "a", Token: 1}
	allocs := func(b store.Batch) float64 {
		b.RemovedCalls = []tapi.CallHandle{b.Calls[0].Handle}
		return testing.AllocsPerRun(50, func() {
			call, err := s.applyArgs("hq", f, "epoch", &b)
			if err != nil {
				t.Fatal(err)
			}
			call.release()
		})
	}
	one, many := allocs(benchBatch(0, 1)), allocs(benchBatch(0, 32))
	t.Logf("allocations building the command: %v for 1 event, %v for 32", one, many)
	require.LessOrEqual(t, many, one+2, "allocations per item of the batch")
	// 32 records (a busy batch's ended calls): their index members go into the pooled
	// buffer with their JSON, not a string each.
	records := benchBatch(0, 32)
	for i := 1; i < 32; i++ {
		j := records.Journal[0]
		j.ID, j.Handle = store.NewRecordID(j.Ended.Add(time.Duration(i))), records.Calls[i].Handle
		records.Journal = append(records.Journal, j)
	}
	withRecords := allocs(records)
	t.Logf("allocations building the command: %v for 32 events and 32 records", withRecords)
	require.LessOrEqual(t, withRecords, one+2, "allocations per record of the batch")
}

// TestApplyEventsBlockOutgrowsItsEstimate: the events are encoded straight into the batch's
// argument, sized by the previous batch's bytes per event; a batch of far larger events
// outgrows it, and each event's JSON must still be its encoding, cut from the argument as
// sent (the local ring and the entries keep those bytes, and the subscriptions compare them
// with what Redis publishes).
func TestApplyEventsBlockOutgrowsItsEstimate(t *testing.T) {
	s := offlineStore(t)
	f := store.Fence{Owner: "a", Token: 1}
	s.seenPos["hq"] = store.Position{Epoch: "E", Offset: 41}
	small := store.Batch{Events: events("s", 64)}
	large := store.Batch{Events: events(strings.Repeat("x", 2000), 64)}
	for _, b := range []store.Batch{small, large, small} {
		call, err := s.applyArgs("hq", f, "epoch", &b)
		require.NoError(t, err)
		block, ok := call.args[len(call.args)-1].([]byte)
		require.True(t, ok, "the events' argument is the last without records")
		want := []byte("E\n42")
		for i := range b.Events {
			js, err := b.Events[i].AppendJSON(nil)
			require.NoError(t, err)
			require.Equal(t, string(js), string(call.events[i]), "event %d", i)
			want = append(append(want, '\n'), js...)
			require.Len(t, call.events[i], cap(call.events[i]), "event %d's JSON cannot be appended to", i)
		}
		require.Equal(t, string(want), string(block))
		first, last := call.events[0], call.events[len(call.events)-1]
		require.Same(t, &block[len("E\n42\n")], &first[0], "the first event's JSON is cut from the block")
		require.Same(t, &block[len(block)-1], &last[len(last)-1], "the last event's JSON is cut from the block")
		call.release()
	}
}

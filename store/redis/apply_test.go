package redisstore

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
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
	entries, err := s.Apply(tctx(t), "hq", l.Fence(), b)
	require.NoError(t, err)
	require.Len(t, entries, n)
	require.EqualValues(t, n, entries[n-1].Offset)

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
		es, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: storetest.Events("hq", "flush", 1)})
		require.NoError(t, err)
		require.EqualValues(t, i+1, es[0].Offset)
	}
}

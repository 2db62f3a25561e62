package redisstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
)

func historyIDs(t *testing.T, s *Store, q store.HistoryQuery) []string {
	t.Helper()
	var ids []string
	for {
		page, err := s.History(tctx(t), q)
		require.NoError(t, err)
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		if page.Next == "" {
			return ids
		}
		q.Cursor = page.Next
	}
}

// A Redis that lost its data loses the set of PBXs with history too: the next record of a
// PBX registers it again, so a query over every PBX finds it.
func TestHistoryPBXsAfterFlush(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	_, err = s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{storetest.JournalEntry("hq/201", 1)}})
	require.NoError(t, err)
	_, err = srv.Do("FLUSHALL")
	require.NoError(t, err)
	l, err = s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	j := storetest.JournalEntry("hq/201", 2)
	_, err = s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{j}})
	require.NoError(t, err)
	require.Equal(t, []string{j.ID}, historyIDs(t, s, store.HistoryQuery{Limit: 10}))
}

// A history over its bound (the bound was lowered) shrinks by at most the trim allowance
// beyond the records written, per write: bounded work in the script.
func TestHistoryTrimIsBoundedPerWrite(t *testing.T) {
	srv := redistest.Start(t)
	big := open(t, Options{Addrs: []string{srv.Addr}, KeyPrefix: "b"})
	l, err := big.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	n := 3*historyTrimAllowance + 50
	for i := 1; i <= n; {
		var b store.Batch
		for k := 0; k < 100 && i <= n; k, i = k+1, i+1 {
			b.Journal = append(b.Journal, storetest.JournalEntry("hq/201", i))
		}
		_, err := big.Apply(tctx(t), "hq", l.Fence(), b)
		require.NoError(t, err)
	}
	small := open(t, Options{Addrs: []string{srv.Addr}, KeyPrefix: "b", HistoryMaxRecords: 10})
	count := func() int64 {
		c, err := small.Client().ZCard(tctx(t), newKeys("b", "hq").histIndex()).Result()
		require.NoError(t, err)
		return c
	}
	require.EqualValues(t, n, count())
	for w := 1; count() > 10; w++ {
		before := count()
		j := storetest.JournalEntry("hq/201", n+w)
		_, err := small.Apply(tctx(t), "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{j}})
		require.NoError(t, err)
		require.GreaterOrEqual(t, count(), before+1-1-historyTrimAllowance, "write %d trimmed more than its allowance", w)
		require.Less(t, w, 10, "the history did not shrink to its bound")
	}
	require.EqualValues(t, 10, count())
	ids := historyIDs(t, small, store.HistoryQuery{Limit: 3})
	require.Len(t, ids, 10)
	require.Equal(t, storetest.JournalEntry("hq/201", n+4).ID, ids[0])
}

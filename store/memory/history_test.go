package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// callRecord returns a call record of hq that ended at `at`.
func callRecord(n int, at time.Time) store.JournalEntry {
	j := storetest.JournalEntry("hq/201", n)
	j.Handle = tapi.CallHandle("h" + store.IndexTime(at))
	j.ID = fmt.Sprintf("R%06d", n)
	j.Started, j.Ended = at.Add(-time.Minute), at
	return j
}

func allHistory(t *testing.T, s *Store) []string {
	t.Helper()
	var ids []string
	q := store.HistoryQuery{Limit: store.MaxHistoryLimit}
	for {
		page, err := s.History(context.Background(), q)
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

// Records age out by the store's clock: hidden from queries at once, trimmed by the next write.
func TestHistoryAgesWithTheClock(t *testing.T) {
	ctx := context.Background()
	s, clk := newClocked(t, Options{HistoryMaxAge: time.Hour})
	l, err := s.AcquireLease(ctx, "hq", "a", 100*time.Hour)
	require.NoError(t, err)
	t0 := clk.Now()
	_, err = s.Apply(ctx, "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{callRecord(1, t0), callRecord(2, t0.Add(30*time.Minute))}})
	require.NoError(t, err)
	clk.advance(45 * time.Minute)
	require.Equal(t, []string{"R000002", "R000001"}, allHistory(t, s))
	clk.advance(30 * time.Minute) // record 1 is 75 minutes old
	require.Equal(t, []string{"R000002"}, allHistory(t, s))
	_, err = s.CallRecord(ctx, "hq", callRecord(1, t0).Handle)
	require.NoError(t, err, "an aged record stays until the next write trims it")
	_, err = s.Apply(ctx, "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{callRecord(3, clk.Now())}})
	require.NoError(t, err)
	_, err = s.CallRecord(ctx, "hq", callRecord(1, t0).Handle)
	require.ErrorIs(t, err, store.ErrNoRecord)
}

// Records written out of end-time order are returned in order; trimming by count keeps the
// newest, across the compaction of the record slice.
func TestHistoryOrderAndCompaction(t *testing.T) {
	ctx := context.Background()
	s, clk := newClocked(t, Options{HistoryMaxRecords: 50})
	l, err := s.AcquireLease(ctx, "hq", "a", 100*time.Hour)
	require.NoError(t, err)
	t0 := clk.Now()
	for n := 1; n <= 3000; n++ {
		at := t0.Add(time.Duration(n) * time.Second)
		if n%10 == 0 {
			at = at.Add(-5 * time.Second) // ended before the four records written before it
		}
		_, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Journal: []store.JournalEntry{callRecord(n, at)}})
		require.NoError(t, err)
	}
	ids := allHistory(t, s)
	require.Len(t, ids, 50)
	require.Equal(t, "R002999", ids[0])
	require.Less(t, len(s.existing("hq").hist.recs), 2*1024+50, "the trimmed front is released")
}

// searchNewest finds what search finds, for members anywhere below the newest (equal ones
// included), in histories of every length up to 300.
func TestSearchNewestMatchesSearch(t *testing.T) {
	for n := 1; n <= 300; n++ {
		var h history
		for i := range n {
			h.put(fmt.Appendf(nil, "%013d\x1fR%d\x1f", 2*i, i), []byte("x"), "h", 1)
		}
		newest := string(h.member(h.live()[n-1].histLoc))
		for k := range 2 * n {
			m := fmt.Sprintf("%013d\x1fR%d\x1f", k, k/2)
			if m > newest {
				continue
			}
			if got, want := h.searchNewest([]byte(m)), h.search(m); got != want {
				t.Fatalf("%d records, member %q: searchNewest %d, search %d", n, m, got, want)
			}
		}
	}
}

// A batch of many records (their index members one after the other in the encoder's buffer,
// which grows on the way) stores each under its own member: all come back in end-time order,
// each with its own fields, and each call's record is found by its handle. A second, smaller
// batch reuses the buffer.
func TestHistoryLargeBatch(t *testing.T) {
	ctx := context.Background()
	s, clk := newClocked(t, Options{})
	l, err := s.AcquireLease(ctx, "hq", "a", 100*time.Hour)
	require.NoError(t, err)
	t0 := clk.Now()
	var want []string
	for _, size := range []int{400, 7} {
		recs := make([]store.JournalEntry, size)
		for i := range recs {
			n := len(want) + i
			recs[i] = callRecord(n, t0.Add(time.Duration((n*7919)%1000)*time.Second))
			recs[i].Handle = tapi.CallHandle(fmt.Sprint("hq:", n))
			recs[i].Caller.Number = fmt.Sprint(1000 + n)
		}
		_, err = s.Apply(ctx, "hq", l.Fence(), store.Batch{Journal: recs})
		require.NoError(t, err)
		for _, r := range recs {
			got, err := s.CallRecord(ctx, "hq", r.Handle)
			require.NoError(t, err)
			require.Equal(t, r.ID, got.ID)
			require.Equal(t, r.Caller.Number, got.Caller.Number)
			want = append(want, r.ID)
		}
	}
	got := allHistory(t, s)
	require.Len(t, got, len(want))
	slices.SortFunc(want, func(a, b string) int { // newest first, by end time then id
		var na, nb int
		fmt.Sscanf(a, "R%d", &na)
		fmt.Sscanf(b, "R%d", &nb)
		if c := cmp.Compare((nb*7919)%1000, (na*7919)%1000); c != 0 {
			return c
		}
		return strings.Compare(b, a)
	})
	require.Equal(t, want, got)
}

package redisstore

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// TestLogHoldsOneEntryPerApply: a batch is one stream entry, and what a reader gets from the
// log is cut to the offsets it asked for, whichever entries hold them. Two writers take
// turns under one fence, so that each often expects the wrong first offset (the script
// rewrites the batch's head then); a third Store, which wrote nothing and so decodes
// everything, subscribes and replays.
func TestLogHoldsOneEntryPerApply(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, Options{Addrs: []string{srv.Addr}})
	b := open(t, Options{Addrs: []string{srv.Addr}})
	reader := open(t, Options{Addrs: []string{srv.Addr}})
	l, err := a.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	sub, err := reader.Subscribe(tctx(t), "hq")
	require.NoError(t, err)
	defer sub.Close()

	sizes := []int{3, 1, 5, 2, 4}
	var want []string
	for i, n := range sizes {
		w := []*Store{a, b}[i%2]
		evs := events(fmt.Sprintf("b%d", i), n)
		a, err := w.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: evs})
		require.NoError(t, err)
		require.Equal(t, n, a.Len())
		for _, e := range evs {
			want = append(want, e.Detail)
		}
	}
	total := len(want)
	k := newKeys(a.opts.KeyPrefix, "hq")
	xlen, err := a.client.XLen(tctx(t), k.log()).Result()
	require.NoError(t, err)
	require.EqualValues(t, len(sizes), xlen, "stream entries for %d Applies", len(sizes))

	live := receive(t, sub, total)
	epoch := live[0].Epoch
	wantSequence(t, live, epoch, 1, want)
	for _, e := range live {
		js, err := json.Marshal(e.Event)
		require.NoError(t, err)
		require.Equal(t, string(js), string(e.JSON), "entry %d's JSON", e.Offset)
	}

	for after := 0; after <= total; after++ {
		for _, limit := range []int{0, 1, 2, 4, 7, 20} {
			for _, s := range []*Store{a, reader} {
				got, err := s.Replay(tctx(t), "hq", epoch, uint64(after), limit)
				require.NoError(t, err)
				end := total
				if limit > 0 {
					end = min(total, after+limit)
				}
				wantSequence(t, got, epoch, uint64(after+1), want[after:end])
			}
		}
	}
}

// TestReplayReadsEntriesOfOneEvent: a log written before batches were one entry each
// ("<offset>-0", field "e") stays readable, before and between batches.
func TestReplayReadsEntriesOfOneEvent(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	reader := open(t, Options{Addrs: []string{srv.Addr}})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	a, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("new", 2)})
	require.NoError(t, err)
	epoch := a.Epoch

	// Start the log over in the old form: three events, an entry each.
	k := newKeys(s.opts.KeyPrefix, "hq")
	require.NoError(t, s.client.Del(tctx(t), k.log()).Err())
	old := events("old", 3)
	for i := range old {
		js, err := json.Marshal(&old[i])
		require.NoError(t, err)
		require.NoError(t, s.client.XAdd(tctx(t), &redis.XAddArgs{Stream: k.log(),
			ID: fmt.Sprintf("%d-0", i+1), Values: []any{"e", string(js)}}).Err())
	}
	require.NoError(t, s.client.HSet(tctx(t), k.meta(), "offset", 3).Err())
	a, err = s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("new", 2)})
	require.NoError(t, err)
	require.EqualValues(t, 4, a.First)

	want := append(details("old", 0, 3), details("new", 0, 2)...)
	got, err := reader.Replay(tctx(t), "hq", epoch, 0, 0)
	require.NoError(t, err)
	wantSequence(t, got, epoch, 1, want)
	got, err = reader.Replay(tctx(t), "hq", epoch, 1, 3)
	require.NoError(t, err)
	wantSequence(t, got, epoch, 2, want[1:4])
}

package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestSubscriberEventsAreCopies: the events two subscribers receive (copied once per batch,
// their call payloads from one tapi.Slabs) are what was applied, stay so when the caller then
// mutates the batch, and appending to one call's parties leaves the next call's alone.
func TestSubscriberEventsAreCopies(t *testing.T) {
	ctx := context.Background()
	s, fence := ownedStore(t)
	var err error
	subs := make([]store.Subscription, 2)
	for i := range subs {
		subs[i], err = s.Subscribe(ctx, "hq")
		require.NoError(t, err)
	}
	evs := storetest.Events("hq", "copies", 12) // new calls, call states, line states, links
	evs[0].Call.Conference = &tapi.Conference{Handle: "hq:1#c", Parties: []tapi.PartyID{{Number: "300"}}}
	evs[1].CallInfo = &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_CALLID, CallID: "C1"}
	want := make([]tapi.Event, len(evs))
	for i := range evs {
		want[i] = evs[i].Clone()
	}
	_, err = s.Apply(ctx, "hq", fence, store.Batch{Events: evs})
	require.NoError(t, err)
	for i := range evs {
		if c := evs[i].Call; c != nil {
			c.Parties[0], c.OtherCallIDs[0], c.State = "mutated", "mutated", tapi.LINECALLSTATE_IDLE
			if c.Conference != nil {
				c.Conference.Parties[0].Number = "mutated"
			}
		}
		if evs[i].CallState != nil {
			evs[i].CallState.State = tapi.LINECALLSTATE_IDLE
		}
		if evs[i].CallInfo != nil {
			evs[i].CallInfo.CallID = "mutated"
		}
	}
	var got []tapi.Event
	for _, sub := range subs {
		got = got[:0]
		for range evs {
			e := <-sub.C()
			got = append(got, e.Event)
		}
		require.Equal(t, want, got)
	}
	for i := range got {
		if c := got[i].Call; c != nil {
			c.Parties = append(c.Parties, "appended")
		}
	}
	for i := range got {
		if c := got[i].Call; c != nil {
			require.Equal(t, append(want[i].Call.Parties, "appended"), c.Parties)
		}
	}
}

// TestSlowSubscribersDroppedInBatch: subscribers whose buffers fill in the middle of a batch
// get the entries that fit, then their feed ends with ErrSlowSubscriber; the others, before,
// between and after them in the list, get the whole batch and stay subscribed. With more
// subscribers than fanOut marks (64), fanOutEach does the same.
func TestSlowSubscribersDroppedInBatch(t *testing.T) {
	for _, n := range []int{5, 70} {
		t.Run(fmt.Sprint(n, " subscribers"), func(t *testing.T) { testSlowDropped(t, n) })
	}
}

func testSlowDropped(t *testing.T, n int) {
	ctx := context.Background()
	s := New(Options{SubscriberBuffer: 4})
	t.Cleanup(func() { _ = s.Close() })
	l, err := s.AcquireLease(ctx, "hq", "a", time.Hour)
	require.NoError(t, err)
	subs := make([]store.Subscription, n)
	for i := range subs {
		subs[i], err = s.Subscribe(ctx, "hq")
		require.NoError(t, err)
	}
	slow := func(i int) bool { return i == 1 || i == 3 || i == 66 }
	evs := storetest.Events("hq", "slow", 6)
	_, err = s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: evs[:3]})
	require.NoError(t, err)
	for i, sub := range subs {
		if !slow(i) {
			for k := range 3 {
				require.Equal(t, uint64(k+1), (<-sub.C()).Offset)
			}
		}
	}
	_, err = s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: evs[3:]}) // the slow ones have room for one
	require.NoError(t, err)
	var kept []*subscription
	for i, sub := range subs {
		var got []uint64
		for e := range sub.C() {
			got = append(got, e.Offset)
			if !slow(i) && len(got) == 3 {
				break
			}
		}
		if slow(i) {
			require.Equal(t, []uint64{1, 2, 3, 4}, got, "subscriber %d", i)
			require.ErrorIs(t, sub.Err(), store.ErrSlowSubscriber)
		} else {
			require.Equal(t, []uint64{4, 5, 6}, got, "subscriber %d", i)
			require.NoError(t, sub.Err())
			kept = append(kept, sub.(*subscription))
		}
	}
	p := s.existing("hq")
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Equal(t, kept, p.subs)
}

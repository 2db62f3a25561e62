package memory

import (
	"context"
	"testing"

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

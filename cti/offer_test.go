package cti

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
)

// TestOfferEventNeverWaits: the session's reader hands events to the pipeline's queue while it
// has room and is refused, at once, when it is full (the dispatcher then waits with the event).
func TestOfferEventNeverWaits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &pipeline{term: &term{ctx: ctx}, q: make(chan item, 2)}
	lc := &linkConn{closed: make(chan struct{})}
	ev := func(ref string) csta.Event {
		return &csta.HeldEvent{EventCommon: csta.EventCommon{MonitorCrossRefID: csta.MonitorCrossRefID(ref)}}
	}
	require.True(t, o.offerEvent(lc, ev("a")))
	require.True(t, o.offerEvent(lc, ev("b")))
	require.False(t, o.offerEvent(lc, ev("c")), "a full queue refuses")
	got := <-o.q
	require.Equal(t, csta.MonitorCrossRefID("a"), got.ev.Common().MonitorCrossRefID)
	require.Same(t, lc, got.lc)
	require.False(t, got.at.IsZero(), "stamped with its arrival")
	require.True(t, o.offerEvent(lc, ev("d")))
	require.Equal(t, csta.MonitorCrossRefID("b"), (<-o.q).ev.Common().MonitorCrossRefID)
	require.Equal(t, csta.MonitorCrossRefID("d"), (<-o.q).ev.Common().MonitorCrossRefID)
}

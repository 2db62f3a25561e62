package cti

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
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

// TestEventQueueFullResyncs: with the pipeline held, the events that fill its queue go to
// the session's dispatcher (the reader's offer is refused), the session's own queue fills and
// the session closes with an overflow, as before the reader offered events; once the
// pipeline goes on, the link resyncs to the switch's state.
func TestEventQueueFullResyncs(t *testing.T) {
	lines := exts(200, 239)
	s := newSim(t, lines...)
	pc := s.pbxConfig(lines...)
	pc.Queue, pc.MaxBatch = 16, 4
	br := startBridge(t, nil, "a", pc, nil)
	waitFor(t, "first resync", br.activeIs("primary"))

	p := br.e.pbxs["hq"]
	o := p.own.Load().pl
	lc := o.ln.conn.Load()
	held, gate := make(chan struct{}), make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(gate) }) }
	t.Cleanup(open)
	require.NoError(t, o.post(context.Background(), func(*reducer.State, time.Time) reducer.Result {
		close(held)
		<-gate
		return reducer.Result{}
	}))
	<-held
	since := time.Now()
	makeTraffic(t, s) // far more events than the two queues of 16 hold
	waitFor(t, "the session to overflow", func() error {
		if err := lc.conn.Err(); !errors.Is(err, csta.ErrEventQueueOverflow) {
			return fmt.Errorf("session error %v, want an event queue overflow", err)
		}
		return nil
	})
	open()
	waitFor(t, "a resync after the overflow", func() error { return br.resynced(0, since) })
	waitFor(t, "the bridge to match the switch", br.matchesTruth(s, s.primary, lines))
}

package cti

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/stretchr/testify/require"
)

// waiting says whether a goroutine has taken b's channel since the last notify.
func (b *broadcast) waiting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.c != nil
}

// testRouter is a router whose term holds its lease until until, with no link up.
func testRouter(t *testing.T, until time.Time) *router {
	ctx, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	p := &pbx{cfg: PBXConfig{Name: "hq"}, view: newView()}
	tm := &term{p: p, ctx: ctx, cancel: cancel}
	tm.deadline.Store(until.UnixNano())
	ln := &link{term: tm}
	tm.dropLink = ln.drop
	return &router{term: tm, ln: ln}
}

// The tests below change the state only once the waiter has taken its channel: a missed
// signal leaves it asleep until it gives up (linkWait, callWait) with nothing, and the
// test fails on the result, not on a time.

func TestAwaitLinkWakesWhenTheLinkComesUp(t *testing.T) {
	o := testRouter(t, time.Now().Add(time.Hour))
	got := make(chan *linkConn, 1)
	go func() { got <- o.awaitLink(context.Background()) }()
	require.Eventually(t, o.ln.changed.waiting, 10*time.Second, time.Millisecond)
	lc := &linkConn{closed: make(chan struct{})}
	o.ln.setConn(lc)
	require.Same(t, lc, <-got)
}

func TestAwaitLinkWakesWhenTheLeaseIsRenewed(t *testing.T) {
	o := testRouter(t, time.Now().Add(-time.Second)) // the lease may have lapsed
	lc := &linkConn{closed: make(chan struct{})}
	o.ln.setConn(lc)
	got := make(chan *linkConn, 1)
	go func() { got <- o.awaitLink(context.Background()) }()
	require.Eventually(t, o.renewed.waiting, 10*time.Second, time.Millisecond)
	o.setDeadline(time.Now().Add(time.Hour))
	require.Same(t, lc, <-got)
}

func TestAwaitLinkGivesUpWhenTheTermEnds(t *testing.T) {
	o := testRouter(t, time.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan *linkConn, 1)
	go func() { got <- o.awaitLink(ctx) }()
	require.Eventually(t, o.ln.changed.waiting, 10*time.Second, time.Millisecond)
	o.cancel(errFenced)
	require.Nil(t, <-got)
}

func TestAwaitCallWakesWhenTheCallIsInTheView(t *testing.T) {
	o := testRouter(t, time.Now().Add(time.Hour))
	got := make(chan tapi.CallHandle, 1)
	go func() { got <- o.awaitCall(context.Background(), "hq/200", "c7") }()
	require.Eventually(t, o.p.view.changed.waiting, 10*time.Second, time.Millisecond)
	o.p.view.applyBatch(&store.Batch{Calls: []tapi.Call{{Handle: "hq:7", Line: "hq/200", CallID: "c7"}}},
		store.Position{})
	require.Equal(t, tapi.CallHandle("hq:7"), <-got)
}

func TestBroadcastWakesEveryWaiterOnce(t *testing.T) {
	var b broadcast
	w1, w2 := b.wait(), b.wait()
	require.Equal(t, w1, w2, "waiters before a notify share its channel")
	b.notify()
	<-w1
	<-w2
	w3 := b.wait()
	select {
	case <-w3:
		t.Fatal("a channel taken after the notify is closed by the next one only")
	default:
	}
	b.notify()
	<-w3
}

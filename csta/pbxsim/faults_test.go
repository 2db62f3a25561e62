package pbxsim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

func waitDone(t *testing.T, c *csta.Conn) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client session still open")
	}
}

func TestKilledNodeDropsSessionsCallsSurviveFailover(t *testing.T) {
	p, a, b := startDuplex(t, Config{Dialect: "osbiz"})
	ca := connect(t, a, "201")
	id, err := p.Dial("201", "202")
	if err != nil {
		t.Fatal(err)
	}
	ca.next(3)
	a.Kill()
	waitDone(t, ca.c)
	if a.Running() || a.Sessions() != 0 {
		t.Fatalf("killed node running=%v sessions=%d", a.Running(), a.Sessions())
	}
	if err := p.Answer("202"); err != nil {
		t.Fatal(err)
	}
	// The standby node knows the call as it is now.
	cb := connect(t, b, "201")
	snap := cb.req(&csta.SnapshotDevice{SnapshotObject: csta.Device("201")}).(*csta.SnapshotDeviceResponse)
	if len(snap.Items) != 1 || snap.Items[0].Connection.CallID != id || snap.Items[0].State() != csta.StateConnected {
		t.Fatalf("snapshot after failover %+v", snap.Items)
	}
	cb.req(&csta.ClearConnection{ConnectionToBeCleared: cid(id, "201")})
	eq(t, cb.next(1), []string{"201: ConnectionClearedEvent null normalClearing"})
	// The killed node comes back on the same address.
	addr := a.Addr()
	if err := a.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.Addr() != addr {
		t.Fatalf("restarted on %s, was %s", a.Addr(), addr)
	}
	connect(t, a, "201")
}

func TestFrozenNodeAnswersNothing(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Dialect: "osbiz"})
	cl := connect(t, a, "201")
	a.Freeze(true)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := cl.c.Request(ctx, &csta.SystemStatus{SystemStatus: csta.SystemNormal}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("heartbeat to a frozen node: %v", err)
	}
	before := p.Stats().EventsDropped
	if _, err := p.Dial("201", "202"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "3 events swallowed", func() bool { return p.Stats().EventsDropped >= before+3 })
	if got := p.Stats().EventsDropped - before; got != 3 {
		t.Fatalf("%d events swallowed, want 3", got)
	}
	select {
	case <-cl.c.Done():
		t.Fatal("frozen node closed the link; it must stay half-open")
	default:
	}
	a.Freeze(false)
	cl.req(&csta.SystemStatus{SystemStatus: csta.SystemNormal})
	if len(cl.events) != 0 {
		t.Fatalf("events leaked through a frozen node: %d", len(cl.events))
	}
}

func TestDropEventsAndResponseDelay(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Dialect: "osbiz"})
	cl := connect(t, a, "201")
	a.DropEvents(2)
	a.SetResponseDelay(time.Millisecond)
	if _, err := p.Dial("201", "202"); err != nil {
		t.Fatal(err)
	}
	eq(t, cl.next(1), []string{"201: DeliveredEvent connected newCall"})
	cl.req(&csta.SnapshotDevice{SnapshotObject: csta.Device("201")})
}

func TestGarbageAndOversizedFramesBreakTheLink(t *testing.T) {
	for name, fault := range map[string]func(*Node) error{
		"garbage":   func(n *Node) error { return n.SendGarbage(context.Background()) },
		"oversized": func(n *Node) error { return n.SendOversizedFrame(context.Background()) },
	} {
		t.Run(name, func(t *testing.T) {
			_, a, _ := startDuplex(t, Config{Dialect: "osbiz"})
			ctx := context.Background()
			c, err := csta.Dial(ctx, a.Addr(), csta.Config{Dialect: a.Dialect(), MaxFrame: 32 << 10})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Request(ctx, &csta.SystemStatus{SystemStatus: csta.SystemNormal}); err != nil {
				t.Fatal(err)
			}
			if err := fault(a); err != nil {
				t.Fatal(err)
			}
			waitDone(t, c)
			var fe *csta.FrameError
			if !errors.As(c.Err(), &fe) {
				t.Fatalf("link ended with %v, want a frame error", c.Err())
			}
		})
	}
}

func TestAlternateCallIDsOnStandby(t *testing.T) {
	p, _, b := startDuplex(t, Config{Dialect: "osbiz"})
	b.SetAlternateCallIDs(true)
	id, err := p.Dial("201", "202")
	if err != nil {
		t.Fatal(err)
	}
	alt := b.WireCallID(id)
	if alt == id || alt == "" {
		t.Fatalf("alternate ID %q for %q", alt, id)
	}
	cl := connect(t, b, "202")
	snap := cl.req(&csta.SnapshotDevice{SnapshotObject: csta.Device("202")}).(*csta.SnapshotDeviceResponse)
	if len(snap.Items) != 1 || snap.Items[0].Connection.CallID != alt {
		t.Fatalf("standby snapshot %+v, want call ID %s", snap.Items, alt)
	}
	// The standby's IDs work in requests; the primary's do not.
	_, err = cl.c.Request(context.Background(), &csta.AnswerCall{CallToBeAnswered: cid(id, "202")})
	if !csta.IsCSTAError(err, csta.ErrInvalidCallID) {
		t.Fatalf("primary's call ID on the standby: %v", err)
	}
	cl.req(&csta.AnswerCall{CallToBeAnswered: cid(alt, "202")})
	ev := <-cl.events
	if est, ok := ev.(*csta.EstablishedEvent); !ok || est.EstablishedConnection.CallID != alt {
		t.Fatalf("event on standby: %+v", ev)
	}
}

func TestPBXRestartClearsCallsAndRenumbers(t *testing.T) {
	p, a, b := startDuplex(t, Config{Dialect: "osbiz"})
	ca, cb := connect(t, a, "201"), connect(t, b, "202")
	old, err := p.Dial("201", "202")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, ca.c)
	waitDone(t, cb.c)
	if tr := p.Truth(); len(tr.Calls) != 0 {
		t.Fatalf("calls after restart: %+v", tr.Calls)
	}
	fresh, err := p.Dial("201", "202")
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatalf("call ID %s reused after restart", fresh)
	}
	testkit.Eventually(t, "a session drop", func() bool { return len(a.SessionDrops()) > 0 })
	if !strings.Contains(strings.Join(a.SessionDrops(), ","), "PBX restart") {
		t.Fatalf("drops %q", a.SessionDrops())
	}
	connect(t, a, "201")
}

func TestSlowConsumerIsDropped(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Dialect: "osbiz"})
	s := &session{n: a, remote: "test", events: make(chan outgoing, 1), dropped: make(chan struct{}),
		cancel: func() {}}
	p.mu.Lock()
	s.push(&csta.HeldEvent{})
	s.push(&csta.HeldEvent{})
	p.mu.Unlock()
	select {
	case <-s.dropped:
	default:
		t.Fatal("session with a full queue not dropped")
	}
	if !strings.Contains(s.reason, "event queue full") || p.Stats().SessionsShed != 1 {
		t.Fatalf("reason %q, shed %d", s.reason, p.Stats().SessionsShed)
	}
}

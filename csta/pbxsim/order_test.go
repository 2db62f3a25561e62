package pbxsim

import (
	"context"
	"net"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// A snapshot's response reaches the client after every event the switch sent before it, also
// when those wait in the queue of a link that is not read: a client that reconciles a line
// with the snapshot must not get older events of the line afterwards (it would apply them on
// top of the newer state; see followsEvents).
func TestSnapshotFollowsQueuedEvents(t *testing.T) {
	p, err := New(Config{Extensions: []string{"201-202"}, Dialect: "generic", EventQueue: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	n, err := p.StartNode(context.Background(), "a", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.(*net.TCPConn).SetReadBuffer(4096) // the link backs up soon
	framing := csta.HeaderFraming{}
	send := func(id int, m csta.Message) {
		t.Helper()
		body, err := csta.Encode(nil, m, csta.Ed4)
		if err != nil {
			t.Fatal(err)
		}
		out, err := framing.AppendFrame(nil, csta.Frame{InvokeID: id, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Write(out); err != nil {
			t.Fatal(err)
		}
	}
	r := framing.NewReader(nc, 0)
	send(1, &csta.MonitorStart{MonitorObject: csta.Device("201")})
	for {
		f, err := r.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if f.InvokeID == 1 {
			break
		}
	}
	var s *session
	testkit.Eventually(t, "the session", func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		for x := range n.sessions {
			s = x
		}
		return s != nil
	})
	// Calls until events wait in the session's queue: the link is not read meanwhile.
	for i := 0; len(s.events) < 100; i++ {
		if i == 20000 {
			t.Fatal("no events waiting in the session's queue")
		}
		if _, err := p.Dial("201", "202"); err != nil {
			t.Fatal(err)
		}
		if err := p.Answer("202"); err != nil {
			t.Fatal(err)
		}
		if err := p.HangUp("201"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Dial("201", "202"); err != nil { // a call up for the snapshot to show
		t.Fatal(err)
	}
	queued := p.Stats().EventsQueued
	send(2, &csta.SnapshotDevice{SnapshotObject: csta.Device("201")})
	var events, after uint64
	answered := false
	for !answered || events < queued {
		f, err := r.ReadFrame()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", events, queued, err)
		}
		switch {
		case f.InvokeID == csta.EventInvokeID && answered:
			after++
			events++
		case f.InvokeID == csta.EventInvokeID:
			events++
		case f.InvokeID == 2:
			answered = true
		}
	}
	if after > 0 {
		t.Fatalf("the snapshot's response overtook %d of the %d events sent before it", after, queued)
	}
}

package csta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// offerLog records, in the order the callbacks ran, what reached them and by which way.
type offerLog struct {
	mu      sync.Mutex
	seen    []string
	offered []string
}

func (l *offerLog) add(what string, offered bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, what)
	if offered {
		l.offered = append(l.offered, what)
	}
}

func (l *offerLog) get() (seen, offered []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen), slices.Clone(l.offered)
}

func heldEvent(ref string) *HeldEvent {
	return &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: MonitorCrossRefID(ref)}}
}

func evName(ev Event) string { return string(ev.Common().MonitorCrossRefID) }

// An event that OfferEvent refuses waits for the dispatcher, and so does everything after it
// (events, system status, unknown messages) until the dispatcher has caught up: none is
// offered meanwhile, all reach the callbacks in wire order, Delivered waits for them, and
// once the dispatcher is idle again the next event is offered on the reader.
func TestConnOfferEventKeepsOrderBehindARefusedEvent(t *testing.T) {
	var log offerLog
	gate := make(chan struct{})
	c, s := startPair(t, Config{
		OfferEvent: func(ev Event) bool {
			if evName(ev) == "e1" {
				return false // as an owner's full queue would
			}
			log.add(evName(ev), true)
			return true
		},
		OnEvent: func(ev Event) {
			if evName(ev) == "e1" {
				<-gate
			}
			log.add(evName(ev), false)
		},
		OnSystemStatus: func(st *SystemStatus) { log.add("status", false) },
		OnUnknown:      func(u *UnknownMessage) { log.add(u.Name, false) },
	}, ServerConfig{Handler: func(ctx context.Context, req Message) (Message, error) {
		return &MonitorStartResponse{MonitorCrossRefID: "m"}, nil
	}})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(gate) }) }
	t.Cleanup(release) // before the session's cleanup, which waits for the dispatcher
	ctx := testCtx(t)
	send := func(ev Event) {
		t.Helper()
		if err := s.SendEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// read returns once the reader has handled everything sent before (the response comes
	// after it on the wire).
	read := func() {
		t.Helper()
		if _, err := c.Request(ctx, &MonitorStart{MonitorObject: Device("200")}); err != nil {
			t.Fatal(err)
		}
	}
	send(heldEvent("e0"))
	send(heldEvent("e1"))
	send(heldEvent("e2"))
	if _, err := s.Request(ctx, &SystemStatus{SystemStatus: SystemNormal}); err != nil {
		t.Fatal(err) // answered by the reader while the dispatcher is held
	}
	vendor := `<?xml version="1.0"?><VendorPingEvent xmlns="urn:vendor"/>`
	raw, _ := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: EventInvokeID, Body: []byte(vendor)})
	if err := s.WriteRaw(ctx, raw); err != nil {
		t.Fatal(err)
	}
	send(heldEvent("e3"))
	read()
	if seen, offered := log.get(); !slices.Equal(seen, []string{"e0"}) || !slices.Equal(offered, []string{"e0"}) {
		t.Fatalf("with the dispatcher held on e1: seen %v, offered %v; want only e0, offered", seen, offered)
	}
	release()
	if err := c.Delivered(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"e0", "e1", "e2", "status", "VendorPingEvent", "e3"}
	if seen, offered := log.get(); !slices.Equal(seen, want) || !slices.Equal(offered, []string{"e0"}) {
		t.Fatalf("after Delivered: seen %v, offered %v; want %v, only e0 offered", seen, offered, want)
	}
	send(heldEvent("e4"))
	read()
	if _, offered := log.get(); !slices.Equal(offered, []string{"e0", "e4"}) {
		t.Fatalf("offered %v once the dispatcher caught up, want e0 e4", offered)
	}
}

// The owner's shape (cti's pipeline): OfferEvent puts an event in a bounded queue if it has
// room, OnEvent waits for room. Under a slow consumer both ways are used, and the queue gets
// every event once, in order.
func TestConnOfferEventBoundedQueueInOrder(t *testing.T) {
	const n = 5000
	type queued struct {
		ev      Event
		offered bool // taken on the reader
	}
	q := make(chan queued, 8)
	stop := make(chan struct{})
	c, s := startPair(t, Config{
		OfferEvent: func(ev Event) bool {
			select {
			case q <- queued{ev: ev, offered: true}:
				return true
			default:
				return false
			}
		},
		OnEvent: func(ev Event) {
			select {
			case q <- queued{ev: ev}:
			case <-stop: // the test has failed: let the session end
			}
		},
		EventQueue: n, // the test is about order, not overflow
	}, ServerConfig{})
	t.Cleanup(func() { close(stop) }) // before the session's cleanup, which waits for the dispatcher
	ctx := testCtx(t)
	go func() {
		for i := range n {
			if err := s.SendEvent(ctx, heldEvent(strconv.Itoa(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	offered := 0
	for i := range n {
		var it queued
		select {
		case it = <-q:
		case <-c.Done():
			t.Fatalf("session ended after %d events: %v", i, c.Err())
		}
		if got := evName(it.ev); got != strconv.Itoa(i) {
			t.Fatalf("event %d is %s", i, got)
		}
		if it.offered {
			offered++
		}
		if i%1000 == 500 {
			// The consumer stops until the queue is full (more than its events are still to
			// come), so that the reader has to fall back to the dispatcher.
			waitFor(t, "the queue full", func() bool { return len(q) == cap(q) })
		}
	}
	if offered == 0 || offered == n {
		t.Errorf("%d of %d events offered: want both ways used", offered, n)
	}
	if err := c.Delivered(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case it := <-q:
		t.Fatalf("event %s after the last", evName(it.ev))
	default:
	}
	t.Logf("offered %d, through the dispatcher %d", offered, n-offered)
}

// A refused event counts against EventQueue as before: a callback that stays blocked still
// closes the session with ErrEventQueueOverflow rather than stall the reader.
func TestConnOfferEventRefusedOverflowClosesSession(t *testing.T) {
	release := make(chan struct{})
	c, s := startPair(t, Config{EventQueue: 2,
		OfferEvent: func(Event) bool { return false },
		OnEvent:    func(Event) { <-release }}, ServerConfig{})
	floodUntilClosed(t, c, s)
	if !errors.Is(c.Err(), ErrEventQueueOverflow) {
		t.Errorf("Err = %v, want event queue overflow", c.Err())
	}
	close(release)
	<-c.Done()
}

// BenchmarkConnEventStreamOffer is the owner's shape of BenchmarkConnEventStream: the events
// go into a bounded queue that another goroutine empties (as cti's pipeline), by OfferEvent
// on the reader when offer is set, by OnEvent on the dispatcher otherwise.
func BenchmarkConnEventStreamOffer(b *testing.B) {
	for _, offer := range []bool{false, true} {
		b.Run(fmt.Sprintf("offer=%v", offer), func(b *testing.B) { benchEventStreamOffer(b, offer) })
	}
}

func benchEventStreamOffer(b *testing.B, offer bool) {
	frames := eventFrames(b, simCallDocs(b, 20000))
	const window = 2048
	q := make(chan Event, 2*window)
	cfg := Config{EventQueue: 2 * window, OnEvent: func(ev Event) { q <- ev }}
	if offer {
		cfg.OfferEvent = func(ev Event) bool {
			select {
			case q <- ev:
				return true
			default:
				return false
			}
		}
	}
	b.Cleanup(func() { close(q) }) // after rawPair's cleanup: the session's goroutines have returned
	var handled atomic.Int64
	caught := make(chan struct{}, 1)
	last := int64(b.N)
	go func() {
		for range q {
			if n := handled.Add(1); n%256 == 0 || n == last {
				select {
				case caught <- struct{}{}:
				default:
				}
			}
		}
	}()
	c, nc := rawPair(b, cfg)
	b.ReportAllocs()
	b.ResetTimer()
	feedFrames(b, c, nc, frames, window, &handled, caught)
}

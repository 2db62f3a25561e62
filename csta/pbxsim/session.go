package pbxsim

import (
	"context"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// session is one client link on a node: the csta.ServerConn, its bounded event queue, and the
// ECMA-354 application session state. It is the model's subscriber for its monitors.
type session struct {
	n      *Node
	sc     *csta.ServerConn
	remote string
	events chan outgoing

	ctx      context.Context // ends when the session is dropped, so no send waits past it
	cancel   context.CancelFunc
	dropOnce sync.Once
	dropped  chan struct{} // closed by drop; the run goroutine then ends the session
	reason   string        // set once, before dropped is closed

	mu        sync.Mutex
	appID     string // open ECMA-354 session, "" when none
	appTimer  *time.Timer
	appClosed bool // StopApplicationSession done: no further services
}

func (n *Node) newSession(nc net.Conn) *session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{
		ctx:     ctx,
		cancel:  cancel,
		n:       n,
		remote:  nc.RemoteAddr().String(),
		events:  make(chan outgoing, n.p.cfg.EventQueue),
		dropped: make(chan struct{}),
	}
	s.sc = csta.NewServerConn(nc, csta.ServerConfig{
		Edition: n.edition,
		Framing: n.dialect.Framing,
		Handler: s.handle,
	})
	return s
}

// outgoing is an entry of a session's queue: an event, or the response to a request whose
// answer must follow the events queued before it (see followsEvents).
type outgoing struct {
	ev       csta.Event
	resp     csta.Message
	invokeID int
}

// push implements subscriber. It never blocks: a full queue drops the session, as a switch
// drops a CTI link that cannot keep up, rather than stalling the model.
func (s *session) push(ev csta.Event) { s.queue(outgoing{ev: ev}) }

// queue adds o to the session's queue (p.mu held), or drops the session when it is full.
func (s *session) queue(o outgoing) {
	select {
	case s.events <- o:
	default:
		s.n.p.stats.SessionsShed++ // p.mu is held by the caller
		s.drop("event queue full (" + strconv.Itoa(cap(s.events)) + " events): slow consumer")
	}
}

func (s *session) wireCallID(c *call) string               { return s.n.wireCallID(c) }
func (s *session) canonicalCallID(w string) (uint64, bool) { return s.n.canonicalCallID(w) }
func (s *session) decorate() bool                          { return s.n.p.cfg.DecorateExternal }

// drop asks the session to end with reason; safe from any goroutine, never blocks.
func (s *session) drop(reason string) {
	s.dropOnce.Do(func() {
		s.reason = reason
		close(s.dropped)
		s.cancel()
	})
}

// run owns the session: it sends queued events and, when the link ends or the session is
// dropped, closes the link and removes the session's monitors.
func (s *session) run() {
	defer s.n.wg.Done()
	if s.n.dialect.Session == csta.SessionSystemStatusFirst {
		s.n.wg.Add(1)
		go s.greet()
	}
	reason := "client closed the link"
	for done := false; !done; {
		select {
		case o := <-s.events:
			if err := s.send(o); err != nil {
				done = true
			}
		case <-s.dropped:
			reason = s.reason
			done = true
		case <-s.sc.Done():
			done = true
		}
	}
	select {
	case <-s.dropped:
		reason = s.reason // a send cut short by the drop reports the drop, not its own error
	default:
	}
	s.cancel()
	s.sc.Close()
	<-s.sc.Done()
	s.mu.Lock()
	if s.appTimer != nil {
		s.appTimer.Stop()
	}
	s.mu.Unlock()
	s.n.p.dropSubscriber(s)
	s.n.recordDrop(s, reason)
}

// send puts one entry of the queue on the wire: an event (unless a fault swallows it) or a
// response (unless the node froze meanwhile: a half-open link answers nothing).
func (s *session) send(o outgoing) error {
	if o.resp != nil {
		if s.n.frozen.Load() {
			return nil
		}
		return s.sc.Respond(s.ctx, o.invokeID, o.resp)
	}
	if !s.deliverable() {
		return nil
	}
	return s.sc.SendEvent(s.ctx, o.ev)
}

// followsEvents says whether a response reports the state of calls, so that it must reach the
// client after every event the switch sent before it: a snapshot that overtook the events
// queued for a slow link would show calls that, by the client's stream, have not started
// yet or have ended and whose events still follow, and a client that reconciles with it and
// then applies those older events gets the calls wrong. A switch answers on the link's one
// ordered stream; the session's queue is that stream here.
func followsEvents(resp csta.Message) bool {
	switch resp.(type) {
	case *csta.SnapshotDeviceResponse, *csta.SnapshotCallResponse:
		return true
	}
	return false
}

// deliverable applies the node's event faults: a frozen node sends nothing, and DropEvents
// swallows the next events.
func (s *session) deliverable() bool {
	if s.n.frozen.Load() {
		s.n.p.countDropped()
		return false
	}
	for {
		left := s.n.dropEvents.Load()
		if left <= 0 {
			return true
		}
		if s.n.dropEvents.CompareAndSwap(left, left-1) {
			s.n.p.countDropped()
			return false
		}
	}
}

// greet plays the SystemStatus-first session start: the switch reports normal and waits for
// the application's SystemStatusResponse. A client that never answers is left alone; real
// switches differ here and the bridge must not depend on it.
func (s *session) greet() {
	defer s.n.wg.Done()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	_, _ = s.sc.Request(ctx, &csta.SystemStatus{SystemStatus: csta.SystemNormal})
}

// handle is the ServerConn handler: node faults first, then ECMA-354 session services, then
// the model.
func (s *session) handle(ctx context.Context, req csta.Message) (csta.Message, error) {
	n := s.n
	if n.frozen.Load() {
		return nil, nil // a half-open link: the request is never answered
	}
	if d := time.Duration(n.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		if n.frozen.Load() {
			return nil, nil
		}
	}
	switch r := req.(type) {
	case *csta.StartApplicationSession:
		return s.startApp(r), nil
	case *csta.ResetApplicationSessionTimer:
		return s.resetApp(r), nil
	case *csta.StopApplicationSession:
		return s.stopApp(r), nil
	case *csta.SystemStatus:
		return &csta.SystemStatusResponse{}, nil // always answered, session or not
	}
	if n.dialect.Session == csta.SessionApplication {
		s.mu.Lock()
		open := s.appID != "" && !s.appClosed
		s.mu.Unlock()
		if !open {
			return nil, &csta.Error{Category: csta.ErrCatSecurity, Value: csta.ErrSecurityViolation}
		}
	}
	resp, err := n.p.execute(s, req)
	if err != nil || !followsEvents(resp) {
		return resp, err
	}
	// Behind the events queued so far. Without invoke IDs responses pair with requests by
	// order, so they all keep the direct path.
	id, ok := csta.RequestInvokeID(ctx)
	if !ok || !n.dialect.Framing.HasInvokeID() {
		return resp, nil
	}
	n.p.mu.Lock()
	s.queue(outgoing{resp: resp, invokeID: id})
	n.p.mu.Unlock()
	return nil, nil
}

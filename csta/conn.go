package csta

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a client session. Only the callbacks a caller needs must be set.
type Config struct {
	// Dialect selects edition, framing, session style and keep-alive; the zero value is the
	// generic dialect.
	Dialect Dialect
	// MaxFrame is the largest frame accepted (DefaultMaxFrame when 0).
	MaxFrame int
	// SendQueue bounds the frames waiting for the writer (DefaultSendQueue when 0). A
	// request waits, with its context, while the queue is full.
	SendQueue int
	// EventQueue bounds the events and reports waiting for the callbacks
	// (DefaultEventQueue when 0). Overflow closes the session with ErrEventQueueOverflow.
	EventQueue int
	// WriteTimeout bounds one write to the socket (DefaultWriteTimeout when 0).
	WriteTimeout time.Duration

	// Callbacks run one at a time on the session's dispatch goroutine, in the order the
	// messages arrived; they may call Request but must not wait for Done.
	OnEvent         func(Event)           // unsolicited events
	OnSystemStatus  func(*SystemStatus)   // SystemStatus from the switch, after it was answered
	OnUnknown       func(*UnknownMessage) // messages the codec does not know; never fatal
	OnProtocolError func(error)           // non-fatal problems: an undecodable event, a stray request

	// OfferEvent, when set, is offered each event on the reader goroutine while nothing
	// received before it still waits for the dispatcher: it takes the event (true) or refuses
	// it (false), and must never block. A refused event, and every message after it until the
	// dispatcher has caught up, goes the usual way (OnEvent on the dispatcher), so the order
	// holds across both. It saves the dispatcher's hand-off for an owner that queues events
	// itself; Delivered counts a taken event as delivered.
	OfferEvent func(Event) bool

	// Trace, when set, gets one line per message sent and received; TraceBody bounds the
	// body shown (DefaultTraceBody when 0).
	Trace     io.Writer
	TraceBody int
	// TraceTo, when set, gets every message sent and received with its complete body (see
	// TraceFunc); SetTrace changes it on the live session.
	TraceTo TraceFunc

	// TLS, when set, makes Dial use TLS with this configuration.
	TLS *tls.Config
}

// Conn is the client side of a CSTA session over one connection to a switch. It matches
// responses to requests, answers SystemStatus by itself, and delivers events in order to
// OnEvent. All methods are safe for concurrent use.
//
// Goroutines: one reader, one writer, one dispatcher for the callbacks. The reader never
// waits for the callbacks, so the switch can always be answered; if the callbacks fall
// behind by more than EventQueue messages, the session closes (ErrEventQueueOverflow) and
// the owner resynchronises. OfferEvent runs on the reader, but only while the dispatcher has
// nothing of the reader's left, so the callbacks still run one at a time.
type Conn struct {
	*link
	cfg     Config
	dialect Dialect
	inbox   chan inbound
	// behind counts what the reader queued in inbox whose callback has not returned yet
	// (kept only with OfferEvent): the reader offers an event only when it is 0.
	behind atomic.Int64

	sessMu       sync.Mutex
	sessionID    string
	sessDuration int // requested duration, repeated on ResetApplicationSessionTimer
}

// inbound is one thing for the dispatcher to report.
type inbound struct {
	event    Event
	status   *SystemStatus
	unknown  *UnknownMessage
	protoErr error
	reached  chan struct{} // Delivered's mark: closed when the dispatcher gets to it
}

// NewConn starts a session over nc, which it owns from now on.
func NewConn(nc net.Conn, cfg Config) *Conn {
	d := cfg.Dialect.withDefaults()
	eq := cfg.EventQueue
	if eq <= 0 {
		eq = DefaultEventQueue
	}
	c := &Conn{
		link:    newLink(nc, d.Framing, d.Edition, cfg.MaxFrame, cfg.SendQueue, cfg.WriteTimeout, newTracer(cfg.Trace, cfg.TraceBody)),
		cfg:     cfg,
		dialect: d,
		inbox:   make(chan inbound, eq),
	}
	c.handle = c.handleFrame
	c.setTraceFunc(cfg.TraceTo)
	c.start(c.dispatch)
	return c
}

// Dial connects to addr (host:port, or host alone to use the dialect's default port) with
// TLS when cfg.TLS is set, and starts a session.
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	d := cfg.Dialect.withDefaults()
	if _, _, err := net.SplitHostPort(addr); err != nil {
		if d.DefaultPort == 0 {
			return nil, fmt.Errorf("csta: address %q has no port and dialect %s has no default port", addr, d.Name)
		}
		addr = net.JoinHostPort(addr, strconv.Itoa(d.DefaultPort))
	}
	var nc net.Conn
	var err error
	if cfg.TLS != nil {
		nc, err = (&tls.Dialer{Config: cfg.TLS}).DialContext(ctx, "tcp", addr)
	} else {
		nc, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("csta: dial %s: %w", addr, err)
	}
	return NewConn(nc, cfg), nil
}

// Dialect returns the session's dialect with defaults filled in.
func (c *Conn) Dialect() Dialect { return c.dialect }

// Request sends a service request and waits for its response. A CSTAErrorCode response is
// returned as *Error. When ctx ends first, Request returns ctx.Err(), the invoke ID is
// freed and a late response is dropped. When the link fails, every waiting Request returns
// at once with an error matching ErrConnClosed (a *TransportError or *SessionError).
func (c *Conn) Request(ctx context.Context, req Message) (Message, error) {
	return c.request(ctx, req, 0)
}

// RequestTimeout is Request with a time limit of its own: when timeout (> 0) passes before
// the response, it returns context.DeadlineExceeded, as a Request under
// context.WithTimeout(ctx, timeout) would, and frees the invoke ID.
func (c *Conn) RequestTimeout(ctx context.Context, req Message, timeout time.Duration) (Message, error) {
	return c.request(ctx, req, timeout)
}

// Close ends the session at once; waiting requests fail with ErrConnClosed.
func (c *Conn) Close() error {
	c.close(ErrConnClosed)
	return nil
}

// Shutdown ends the session gracefully: it stops the application session if one is open,
// refuses new requests, waits for the waiting ones to be answered or for ctx, then closes.
func (c *Conn) Shutdown(ctx context.Context) error {
	var err error
	if c.SessionID() != "" {
		err = c.StopApplicationSession(ctx, "normal")
	}
	if derr := c.pending.drain(ctx, &SessionError{Reason: "shutting down"}); derr != nil && err == nil {
		err = derr
	}
	c.close(ErrConnClosed)
	return err
}

// Done is closed when the session has ended and its goroutines have returned (the
// dispatcher returns once the callback it is running, if any, returns).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the session ended (ErrConnClosed after Close or Shutdown, a
// *TransportError or *SessionError otherwise), or nil while it is open. Events still
// queued for OnEvent when the session ends are dropped: the owner resynchronises anyway.
func (c *Conn) Err() error { return c.link.Err() }

// Pending returns how many requests wait for a response.
func (c *Conn) Pending() int { return c.pending.len() }

// handleFrame sorts what the reader read; it runs on the reader goroutine and never blocks.
func (c *Conn) handleFrame(f Frame, m Message, derr error) {
	hasID := c.framing.HasInvokeID()
	if derr != nil {
		if hasID && f.InvokeID != EventInvokeID && c.pending.complete(f.InvokeID, result{err: derr}) {
			return // the request that was answered with garbage fails with the decode error
		}
		if !hasID {
			// Without invoke IDs a lost response would shift every later match.
			c.close(&SessionError{Reason: "undecodable message on a link without invoke IDs", Err: derr})
			return
		}
		c.report(inbound{protoErr: derr})
		return
	}
	switch v := m.(type) {
	case Event:
		c.reportEvent(v)
	case *SystemStatus:
		if o, err := c.frame(f.InvokeID, &SystemStatusResponse{}); err == nil {
			c.answer(o)
		}
		c.report(inbound{status: v})
	case *UnknownMessage:
		if isResponse(v) && f.InvokeID != EventInvokeID {
			c.pending.complete(f.InvokeID, result{msg: v})
		}
		c.report(inbound{unknown: v})
	default:
		if isResponse(m) {
			c.pending.complete(f.InvokeID, result{msg: m}) // false: late response, dropped
			return
		}
		// A service request the application does not serve: refuse it so the switch does
		// not wait, and tell the owner.
		if o, err := c.frame(f.InvokeID, &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}); err == nil {
			c.answer(o)
		}
		c.report(inbound{protoErr: fmt.Errorf("csta: switch sent request %s, which a client does not serve; refused", m.MessageName())})
	}
}

// reportEvent offers ev on the reader when nothing received before it waits for the
// dispatcher, and queues it for OnEvent otherwise or when the offer is refused.
func (c *Conn) reportEvent(ev Event) {
	if c.cfg.OfferEvent != nil && c.behind.Load() == 0 && c.cfg.OfferEvent(ev) {
		return
	}
	c.report(inbound{event: ev})
}

// report queues something for the callbacks; a full queue closes the session.
func (c *Conn) report(in inbound) {
	if c.cfg.OfferEvent != nil {
		c.behind.Add(1) // before the send: the dispatcher may finish it at once
	}
	select {
	case c.inbox <- in:
	default:
		c.close(&SessionError{Reason: fmt.Sprintf("%d events waiting for the handler", cap(c.inbox)), Err: ErrEventQueueOverflow})
	}
}

// dispatch runs the callbacks in arrival order until the session closes.
func (c *Conn) dispatch() {
	for {
		select {
		case <-c.closing:
			return
		case in := <-c.inbox:
			c.deliver(in)
		}
	}
}

// deliver runs the callback for in (or tells Delivered's caller it got there).
func (c *Conn) deliver(in inbound) {
	if in.reached != nil {
		close(in.reached)
		return
	}
	switch {
	case in.event != nil:
		if c.cfg.OnEvent != nil {
			c.cfg.OnEvent(in.event)
		}
	case in.status != nil:
		if c.cfg.OnSystemStatus != nil {
			c.cfg.OnSystemStatus(in.status)
		}
	case in.unknown != nil:
		if c.cfg.OnUnknown != nil {
			c.cfg.OnUnknown(in.unknown)
		}
	case in.protoErr != nil:
		if c.cfg.OnProtocolError != nil {
			c.cfg.OnProtocolError(in.protoErr)
		}
	}
	if c.cfg.OfferEvent != nil {
		c.behind.Add(-1) // after the callback: the reader may offer the next event now
	}
}

// Delivered returns once the callbacks have run for everything received before it was
// called. A response reaches its request at once, while the events that preceded it on the
// wire may still wait for the dispatcher: a caller that puts a response in order with the
// events (a snapshot reconciled in the event stream) waits for them here first. It returns
// early when ctx ends or the session closes.
func (c *Conn) Delivered(ctx context.Context) error {
	reached := make(chan struct{})
	select {
	case c.inbox <- inbound{reached: reached}: // behind whatever the reader queued before
	case <-c.closing:
		return c.closedErr()
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case <-reached:
		return nil
	case <-c.closing:
		return c.closedErr()
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// closedErr is why the closed session ended.
func (c *Conn) closedErr() error {
	if err := c.Err(); err != nil {
		return err
	}
	return ErrConnClosed
}

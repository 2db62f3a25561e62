package csta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Handler serves one request on the switch side. Returning a *Error (or an error wrapping
// one) sends that CSTAErrorCode; any other error sends operation/generic. Returning
// (nil, nil) sends no response at all, which lets a simulator play a switch that ignores a
// request (an unanswered heartbeat).
type Handler func(ctx context.Context, req Message) (Message, error)

// DefaultRequestQueue bounds the requests read but not yet handled.
const DefaultRequestQueue = 256

// ServerConfig configures the switch side of a session.
type ServerConfig struct {
	Edition      Edition // edition used when encoding; Ed4 when 0
	Framing      Framing // HeaderFraming when nil
	MaxFrame     int     // DefaultMaxFrame when 0
	SendQueue    int     // DefaultSendQueue when 0
	RequestQueue int     // DefaultRequestQueue when 0
	WriteTimeout time.Duration

	// Handler serves requests with a context cancelled when the session ends; when nil every request is refused with
	// operation/requestIncompatibleWithObject.
	Handler Handler
	// OnUnknown and OnProtocolError report what the client sent that could not be served.
	// They run on the handler goroutine.
	OnUnknown       func(*UnknownMessage)
	OnProtocolError func(error)

	Trace     io.Writer
	TraceBody int
}

// ServerConn is the switch side of a CSTA session, used by the PBX simulator and by tests.
//
// Requests are handled one at a time on one goroutine, in the order they arrived, so that
// responses leave in request order (which framings without invoke IDs rely on). Events
// and requests to the client go straight to the writer queue, so a slow handler never
// holds back SendEvent. The reader waits while RequestQueue requests are waiting for the
// handler; a handler must therefore not wait on Request to the client while the queue
// may be full.
type ServerConn struct {
	*link
	cfg      ServerConfig
	requests chan serverRequest
}

type serverRequest struct {
	invokeID int
	msg      Message
	err      error // decode error
}

// NewServerConn starts the switch side of a session over nc, which it owns from now on.
func NewServerConn(nc net.Conn, cfg ServerConfig) *ServerConn {
	if cfg.Edition == 0 {
		cfg.Edition = Ed4
	}
	if cfg.Framing == nil {
		cfg.Framing = HeaderFraming{}
	}
	rq := cfg.RequestQueue
	if rq <= 0 {
		rq = DefaultRequestQueue
	}
	s := &ServerConn{
		link:     newLink(nc, cfg.Framing, cfg.Edition, cfg.MaxFrame, cfg.SendQueue, cfg.WriteTimeout, newTracer(cfg.Trace, cfg.TraceBody)),
		cfg:      cfg,
		requests: make(chan serverRequest, rq),
	}
	s.handle = s.handleFrame
	s.start(s.serve)
	return s
}

// SendEvent sends an unsolicited event (invoke ID 9999), waiting with ctx while the writer
// queue is full.
func (s *ServerConn) SendEvent(ctx context.Context, ev Event) error {
	if ev == nil {
		return errors.New("csta: nil event")
	}
	o, err := s.frame(EventInvokeID, ev)
	if err != nil {
		return fmt.Errorf("csta: encoding %s: %w", ev.MessageName(), err)
	}
	return s.enqueue(ctx, o)
}

// Request sends a request to the client (SystemStatus, typically) and waits for its
// response; a CSTAErrorCode response is returned as *Error.
func (s *ServerConn) Request(ctx context.Context, req Message) (Message, error) {
	return s.request(ctx, req, 0)
}

// WriteRaw puts b on the wire unchanged, in order with other frames, and returns once it is
// written: for fault injection (torn frames, lying headers, garbage).
func (s *ServerConn) WriteRaw(ctx context.Context, b []byte) error {
	return s.writeRaw(ctx, b)
}

// Respond sends resp as the response to the request with invokeID, for a handler that
// returned (nil, nil) and answers later or out of order (see RequestInvokeID). On framings
// without invoke IDs responses match in the order they are sent.
func (s *ServerConn) Respond(ctx context.Context, invokeID int, resp Message) error {
	if resp == nil {
		return errors.New("csta: nil response")
	}
	o, err := s.frame(invokeID, resp)
	if err != nil {
		return fmt.Errorf("csta: encoding %s: %w", resp.MessageName(), err)
	}
	return s.enqueue(ctx, o)
}

type invokeIDKey struct{}

// RequestInvokeID returns the invoke ID of the request a Handler is serving (0 on framings
// without invoke IDs); ok is false outside a Handler.
func RequestInvokeID(ctx context.Context) (id int, ok bool) {
	id, ok = ctx.Value(invokeIDKey{}).(int)
	return id, ok
}

// Close ends the session at once.
func (s *ServerConn) Close() error {
	s.close(ErrConnClosed)
	return nil
}

// Done is closed when the session has ended and its goroutines have returned.
func (s *ServerConn) Done() <-chan struct{} { return s.done }

// Err returns why the session ended, or nil while it is open.
func (s *ServerConn) Err() error { return s.link.Err() }

// RemoteAddr returns the client's address.
func (s *ServerConn) RemoteAddr() net.Addr { return s.nc.RemoteAddr() }

// handleFrame runs on the reader goroutine.
func (s *ServerConn) handleFrame(f Frame, m Message, derr error) {
	if derr == nil && isResponse(m) {
		s.pending.complete(f.InvokeID, result{msg: m}) // false: late response, dropped
		return
	}
	select {
	case s.requests <- serverRequest{invokeID: f.InvokeID, msg: m, err: derr}:
	case <-s.closing:
	}
}

// serve handles requests in arrival order until the session closes.
func (s *ServerConn) serve() {
	for {
		select {
		case <-s.closing:
			return
		case r := <-s.requests:
			resp := s.serveOne(r)
			if resp == nil {
				continue
			}
			o, err := s.frame(r.invokeID, resp)
			if err != nil {
				s.report(fmt.Errorf("csta: encoding response %s: %w", resp.MessageName(), err))
				o, err = s.frame(r.invokeID, &Error{Category: ErrCatOperation, Value: ErrGeneric})
				if err != nil {
					continue
				}
			}
			if err := s.enqueue(s.ctx, o); err != nil {
				return
			}
		}
	}
}

func (s *ServerConn) serveOne(r serverRequest) Message {
	if r.err != nil {
		s.report(fmt.Errorf("csta: undecodable request refused: %w", r.err))
		return &Error{Category: ErrCatOperation, Value: ErrGeneric}
	}
	if _, ok := r.msg.(Event); ok {
		s.report(fmt.Errorf("csta: client sent event %s; ignored", r.msg.MessageName()))
		return nil
	}
	if u, ok := r.msg.(*UnknownMessage); ok {
		if s.cfg.OnUnknown != nil {
			s.cfg.OnUnknown(u)
		}
		return &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}
	}
	if s.cfg.Handler == nil {
		return &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}
	}
	resp, err := s.cfg.Handler(context.WithValue(s.ctx, invokeIDKey{}, r.invokeID), r.msg)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return ce
		}
		s.report(fmt.Errorf("csta: handler for %s: %w", r.msg.MessageName(), err))
		return &Error{Category: ErrCatOperation, Value: ErrGeneric}
	}
	return resp
}

func (s *ServerConn) report(err error) {
	if s.cfg.OnProtocolError != nil {
		s.cfg.OnProtocolError(err)
	}
}

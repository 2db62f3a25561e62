package csta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Window sends a stream of requests on one session, keeping at most a fixed number in
// flight, without a goroutine per request: one sender (the caller of Send) fills the window
// and the response of each request goes to the window's handler, called on the session's
// reader goroutine (or on whatever ended the request: the timeout sweep, the session's close).
// A resync sends two requests per device this way, 100,000 devices at a switchover; a
// goroutine woken per response was a third of the cost.
//
// Send and Wait are called from one goroutine. The handler runs one call at a time, must not
// block (it delays every later response and event of the session) and must not call the
// window's methods except from another goroutine (Release).
type Window struct {
	l       *link
	timeout time.Duration
	handle  func(tag int, m Message, err error) (hold bool)

	mu      sync.Mutex
	slots   []windowSlot // requests in flight; a free slot has c == nil
	free    []int        // indexes of free slots
	busy    int          // requests in flight plus slots held by the handler
	stopped bool
	wake    chan struct{} // capacity 1: busy went down
}

type windowSlot struct {
	c   *call
	tag int
}

// ErrWindowStopped refuses a Send on a window that was closed.
var ErrWindowStopped = errors.New("csta: request window closed")

// NewWindow returns a window of size requests in flight on c, each with the time limit
// timeout (none when 0; as RequestTimeout). handle gets each request's tag (given to Send)
// and its outcome as Request would return it: the response, a *Error for a CSTAErrorCode,
// context.DeadlineExceeded after timeout, or an error matching ErrConnClosed when the session
// ended. When handle returns hold, the request keeps its place in the window until Release:
// work that follows from a response (more requests, waiting) then still counts towards the
// window.
func (c *Conn) NewWindow(size int, timeout time.Duration, handle func(tag int, m Message, err error) (hold bool)) *Window {
	size = min(max(size, 1), MaxInvokeID-MinInvokeID+1)
	w := &Window{l: c.link, timeout: timeout, handle: handle,
		slots: make([]windowSlot, size), free: make([]int, size), wake: make(chan struct{}, 1)}
	for i := range w.free {
		w.free[i] = size - 1 - i
	}
	return w
}

// Send waits for room in the window (or ctx, or the session's end), then sends req. An error
// means req was not sent, and handle is not called for it; after a nil error handle is
// called exactly once for it, unless the window is closed first.
func (w *Window) Send(ctx context.Context, tag int, req Message) error {
	if req == nil {
		return errors.New("csta: nil request")
	}
	for {
		w.mu.Lock()
		if w.stopped {
			w.mu.Unlock()
			return ErrWindowStopped
		}
		if w.busy < len(w.slots) {
			break // w.mu held
		}
		w.mu.Unlock()
		if err := w.waitWake(ctx); err != nil {
			return err
		}
	}
	i := w.free[len(w.free)-1]
	// Registered under w.mu: a session closing right now tells the window only once the slot
	// names the call.
	c, err := w.l.pending.addTo(req.MessageName(), w.timeout, w, i)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	w.free = w.free[:len(w.free)-1]
	w.slots[i] = windowSlot{c: c, tag: tag}
	w.busy++
	id := c.id // c may be ended and recycled as soon as w.mu is released (the session closing)
	w.mu.Unlock()
	o, err := w.l.frame(id, req)
	if err != nil {
		err = fmt.Errorf("csta: encoding %s: %w", req.MessageName(), err)
	} else {
		if w.l.pending.fifo {
			o.call = c
		}
		err = w.l.enqueue(ctx, o)
	}
	if err != nil && !w.unsend(c, i) {
		return nil // the session ended meanwhile and handle has been told so
	}
	return err
}

// unsend frees the slot of a call that was not sent; false when its handler already ran.
func (w *Window) unsend(c *call, i int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.slots[i].c != c {
		return false
	}
	w.l.pending.abandon(c)
	w.slots[i] = windowSlot{}
	w.free = append(w.free, i)
	w.release()
	return true
}

// completed takes a request's outcome to the handler; pendingTable calls it without its lock.
func (w *Window) completed(c *call, r result) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.slots[c.tag]
	if s.c != c {
		return // abandoned by Close
	}
	w.slots[c.tag] = windowSlot{}
	w.free = append(w.free, c.tag)
	if w.stopped {
		return
	}
	m, err := unwrapResult(r)
	if w.handle(s.tag, m, err) {
		return
	}
	w.release()
}

// release frees one place in the window; w.mu is held.
func (w *Window) release() {
	w.busy--
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Release frees the place of a request whose handler returned hold.
func (w *Window) Release() {
	w.mu.Lock()
	w.release()
	w.mu.Unlock()
}

// Wait waits until every request sent has been handled and every held place released. When
// ctx ends or the session closes first, it closes the window and returns why.
func (w *Window) Wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		idle := w.busy == 0
		w.mu.Unlock()
		if idle {
			return nil
		}
		if err := w.waitWake(ctx); err != nil {
			w.Close()
			return err
		}
	}
}

// waitWake waits until a place may have been freed, ctx ends or the session closes.
func (w *Window) waitWake(ctx context.Context) error {
	select {
	case <-w.wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-w.l.closing:
		return w.l.Err()
	}
}

// Close stops the window: requests in flight are abandoned (their invoke IDs freed, late
// responses dropped, as for a Request whose context ended) and the handler is not called
// again once Close returns. Send then fails with ErrWindowStopped.
func (w *Window) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	for i, s := range w.slots {
		if s.c != nil {
			w.l.pending.abandon(s.c)
			w.slots[i] = windowSlot{}
			w.free = append(w.free, i)
		}
	}
}

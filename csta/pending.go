package csta

import (
	"context"
	"sync"
)

// result is what a pending request ends with.
type result struct {
	msg Message
	err error
}

// call is one request waiting for its response.
type call struct {
	id        int    // invoke ID; 0 on framings without one
	name      string // request name, for traces and errors
	done      chan result
	abandoned bool // FIFO only: the caller gave up; the response, when it comes, is dropped
	queued    bool // FIFO only: written, so a response will consume it
}

// pendingTable matches responses to requests, by invoke ID where the framing carries one
// (the pattern of net/rpc's client) and otherwise in the order requests were written.
// All methods are safe for concurrent use.
type pendingTable struct {
	mu       sync.Mutex
	fifo     bool
	byID     map[int]*call      // invoke ID mode
	queue    []*call            // FIFO mode: written requests, oldest first
	live     map[*call]struct{} // every call a caller still waits for
	next     int                // next invoke ID to try
	err      error              // set once the link is closed; later requests fail with it
	draining error              // set by Shutdown; new requests fail with it
	idle     chan struct{}      // closed when live becomes empty while someone waits
}

func newPendingTable(fifo bool) *pendingTable {
	return &pendingTable{fifo: fifo, byID: map[int]*call{}, live: map[*call]struct{}{}, next: MinInvokeID}
}

// add registers a new request. In invoke ID mode it allocates the next free ID, wrapping
// after 9998 and skipping IDs still waiting; in FIFO mode the call joins the match queue
// only when it is written (see written).
func (p *pendingTable) add(name string) (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.draining != nil {
		return nil, p.draining
	}
	c := &call{name: name, done: make(chan result, 1)}
	if !p.fifo {
		id, ok := p.allocate()
		if !ok {
			return nil, ErrInvokeIDsExhausted
		}
		c.id = id
		p.byID[id] = c
	}
	p.live[c] = struct{}{}
	return c, nil
}

func (p *pendingTable) allocate() (int, bool) {
	for range MaxInvokeID - MinInvokeID + 1 {
		id := p.next
		p.next++
		if p.next > MaxInvokeID {
			p.next = MinInvokeID
		}
		if _, used := p.byID[id]; !used {
			return id, true
		}
	}
	return 0, false
}

// written is called by the writer just before a FIFO request goes on the wire, so that the
// match queue has exactly the wire order. It reports false for a call abandoned while it
// was queued: the writer then drops it.
func (p *pendingTable) written(c *call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.abandoned || p.err != nil {
		return false
	}
	c.queued = true
	p.queue = append(p.queue, c)
	return true
}

// complete hands a response to the request it answers. It reports false when no request
// waits for it (a late response after cancellation): the response is then dropped.
func (p *pendingTable) complete(invokeID int, r result) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	var c *call
	if p.fifo {
		if len(p.queue) == 0 {
			return false
		}
		c = p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if c.abandoned {
			return false
		}
	} else {
		c = p.byID[invokeID]
		if c == nil {
			return false
		}
		delete(p.byID, invokeID)
	}
	p.forget(c)
	c.done <- r
	return true
}

// abandon frees a request whose caller stopped waiting (context done). In invoke ID mode the
// ID is free again at once; in FIFO mode a written call keeps its place in the queue so that
// its response, when it comes, is consumed and dropped instead of answering a later request.
func (p *pendingTable) abandon(c *call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.live[c]; !ok {
		return
	}
	c.abandoned = true
	if !p.fifo && p.byID[c.id] == c {
		delete(p.byID, c.id)
	}
	p.forget(c)
}

// forget drops c from the live set; p.mu is held.
func (p *pendingTable) forget(c *call) {
	delete(p.live, c)
	if len(p.live) == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// failAll ends every waiting request with err at once and refuses later ones.
func (p *pendingTable) failAll(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
	for c := range p.live {
		c.done <- result{err: err}
		p.forget(c)
	}
	clear(p.byID)
	p.queue = nil
}

// drain refuses new requests with reason and waits until every waiting one has ended or
// ctx is done.
func (p *pendingTable) drain(ctx context.Context, reason error) error {
	p.mu.Lock()
	if p.draining == nil {
		p.draining = reason
	}
	if len(p.live) == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.idle == nil {
		p.idle = make(chan struct{})
	}
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// len returns how many requests wait for a response.
func (p *pendingTable) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.live)
}

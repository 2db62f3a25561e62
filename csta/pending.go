package csta

import (
	"context"
	"sync"
	"time"
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
	deadline  int64 // monotonic nanoseconds (nanotime) after which the sweep expires it; 0: none
	abandoned bool  // FIFO only: the caller gave up; the response, when it comes, is dropped
	queued    bool  // FIFO only: written, so a response will consume it
	// to, when set, gets the result instead of done (a Window's request): called outside
	// the table's lock, on the goroutine that ended the call (the reader, the sweep, close).
	to  completer
	tag int // the completer's own index for the call
}

// completer takes the result of a call that has no waiting goroutine.
type completer interface {
	completed(c *call, r result)
}

// ended is a call ended under the table's lock whose completer is told once it is released.
type ended struct {
	c *call
	r result
}

// finish hands r to c's waiter, or returns it for the completer to be told after the
// table's lock is released; p.mu is held.
func (p *pendingTable) finish(c *call, r result, later []ended) []ended {
	if c.to != nil {
		return append(later, ended{c, r})
	}
	c.done <- r
	return later
}

// tell hands ended calls to their completers (p.mu not held) and recycles them: nothing
// else refers to such a call once its completer has returned.
func (p *pendingTable) tell(later []ended) {
	for _, e := range later {
		e.c.to.completed(e.c, e.r)
		p.recycle(e.c)
	}
}

// callPool recycles the calls (and their channels) of invoke ID links: a request's call is
// referenced by nothing but its caller once the result is delivered, so the caller puts it
// back after reading it. FIFO calls stay in the match queue after an expiry and are not
// recycled.
var callPool = sync.Pool{New: func() any { return &call{done: make(chan result, 1)} }}

// monoStart anchors nanotime: time.Since reads the monotonic clock without allocating.
var monoStart = time.Now()

func nanotime() int64 { return int64(time.Since(monoStart)) }

// Sweeping expired requests: one timer per link instead of a context and a timer per
// request. A request times out at most sweepMax (or a tenth of its timeout, when shorter)
// after its deadline.
const (
	sweepMax = 50 * time.Millisecond
	sweepMin = time.Millisecond
)

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
	timed    int                // live calls with a deadline
	sweep    *time.Timer        // runs sweepExpired while timed > 0
	tick     time.Duration      // the sweep's period while armed; 0 when not armed
}

func newPendingTable(fifo bool) *pendingTable {
	return &pendingTable{fifo: fifo, byID: map[int]*call{}, live: map[*call]struct{}{}, next: MinInvokeID}
}

// add registers a new request. In invoke ID mode it allocates the next free ID, wrapping
// after 9998 and skipping IDs still waiting; in FIFO mode the call joins the match queue
// only when it is written (see written).
//
// With timeout > 0 the call expires (context.DeadlineExceeded, its ID freed as by abandon)
// when no response came within timeout.
func (p *pendingTable) add(name string, timeout time.Duration) (*call, error) {
	return p.addTo(name, timeout, nil, 0)
}

// addTo is add for a call whose result goes to `to` (with tag) instead of its done channel.
func (p *pendingTable) addTo(name string, timeout time.Duration, to completer, tag int) (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.draining != nil {
		return nil, p.draining
	}
	var c *call
	if p.fifo {
		c = &call{name: name, done: make(chan result, 1)}
	} else {
		id, ok := p.allocate()
		if !ok {
			return nil, ErrInvokeIDsExhausted
		}
		c = callPool.Get().(*call)
		c.id, c.name = id, name
		p.byID[id] = c
	}
	c.to, c.tag = to, tag
	if timeout > 0 {
		c.deadline = nanotime() + int64(timeout)
		p.timed++
		p.armSweep(min(max(timeout/10, sweepMin), sweepMax))
	}
	p.live[c] = struct{}{}
	return c, nil
}

// recycle puts back the call of an invoke ID request whose caller has read its result.
func (p *pendingTable) recycle(c *call) {
	if p.fifo {
		return
	}
	*c = call{done: c.done}
	callPool.Put(c)
}

// armSweep makes sure the sweep runs at least every tick; p.mu is held.
func (p *pendingTable) armSweep(tick time.Duration) {
	if p.tick != 0 && p.tick <= tick {
		return
	}
	p.tick = tick
	if p.sweep == nil {
		p.sweep = time.AfterFunc(tick, p.sweepExpired)
		return
	}
	p.sweep.Reset(tick)
}

// sweepExpired ends the calls whose deadline has passed with context.DeadlineExceeded, and
// runs again while calls with a deadline remain.
func (p *pendingTable) sweepExpired() {
	p.mu.Lock()
	later := p.expire()
	p.mu.Unlock()
	p.tell(later)
}

// expire ends the calls past their deadline and re-arms the sweep; p.mu is held.
func (p *pendingTable) expire() (later []ended) {
	if p.tick == 0 {
		return nil // disarmed by failAll meanwhile
	}
	now := nanotime()
	for c := range p.live {
		if c.deadline != 0 && now >= c.deadline {
			p.drop(c)
			later = p.finish(c, result{err: context.DeadlineExceeded}, later)
		}
	}
	if p.timed == 0 || p.err != nil {
		p.tick = 0
		return later
	}
	p.sweep.Reset(p.tick)
	return later
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
	c := p.match(invokeID)
	if c == nil {
		p.mu.Unlock()
		return false
	}
	p.forget(c)
	if c.to == nil {
		c.done <- r
		p.mu.Unlock()
		return true
	}
	p.mu.Unlock()
	c.to.completed(c, r)
	p.recycle(c)
	return true
}

// match takes the call a response answers out of the table, or nil; p.mu is held.
func (p *pendingTable) match(invokeID int) *call {
	if p.fifo {
		if len(p.queue) == 0 {
			return nil
		}
		c := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if c.abandoned {
			return nil
		}
		return c
	}
	c := p.byID[invokeID]
	if c != nil {
		delete(p.byID, invokeID)
	}
	return c
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
	p.drop(c)
}

// drop abandons a live call: its ID is free, a FIFO call keeps its place; p.mu is held.
func (p *pendingTable) drop(c *call) {
	c.abandoned = true
	if !p.fifo && p.byID[c.id] == c {
		delete(p.byID, c.id)
	}
	p.forget(c)
}

// forget drops c from the live set; p.mu is held.
func (p *pendingTable) forget(c *call) {
	delete(p.live, c)
	if c.deadline != 0 {
		p.timed--
	}
	if len(p.live) == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// failAll ends every waiting request with err at once and refuses later ones.
func (p *pendingTable) failAll(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	var later []ended
	for c := range p.live {
		p.forget(c) // before the result: its caller may recycle the call at once
		later = p.finish(c, result{err: err}, later)
	}
	clear(p.byID)
	p.queue = nil
	if p.sweep != nil {
		p.sweep.Stop()
	}
	p.tick = 0
	p.mu.Unlock()
	p.tell(later)
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

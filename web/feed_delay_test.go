package web

import (
	"context"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
)

// delayedFeed passes the engine's log subscriptions on to the hub, each entry once pass lets
// it through: the tests' faults of a hub that lags the store (held back, or late).
type delayedFeed struct {
	cti.Service
	// pass returns once e may go on, or false when done closed first.
	pass func(e store.Entry, done <-chan struct{}) bool
}

func (d *delayedFeed) Subscribe(ctx context.Context, pbx string) (store.Subscription, error) {
	sub, err := d.Service.Subscribe(ctx, pbx)
	if err != nil {
		return nil, err
	}
	ds := &delayedSub{Subscription: sub, c: make(chan store.Entry), done: make(chan struct{})}
	go ds.forward(d.pass)
	return ds, nil
}

type delayedSub struct {
	store.Subscription
	c    chan store.Entry
	done chan struct{}
	once sync.Once
}

func (s *delayedSub) C() <-chan store.Entry { return s.c }

func (s *delayedSub) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.Subscription.Close()
}

// forward passes entries on as pass lets them; it ends with the subscription.
func (s *delayedSub) forward(pass func(store.Entry, <-chan struct{}) bool) {
	defer close(s.c)
	for e := range s.Subscription.C() {
		if !pass(e, s.done) {
			return
		}
		select {
		case s.c <- e:
		case <-s.done:
			return
		}
	}
}

// heldFeed holds every entry back while it is held: the hub then lags the store by as much
// as the test writes meanwhile.
type heldFeed struct {
	delayedFeed
	mu   sync.Mutex
	gate chan struct{} // closed while entries flow
}

func newHeldFeed() *heldFeed {
	h := &heldFeed{gate: make(chan struct{})}
	close(h.gate)
	h.pass = func(_ store.Entry, done <-chan struct{}) bool {
		select {
		case <-h.open():
			return true
		case <-done:
			return false
		}
	}
	return h
}

func (h *heldFeed) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gate = make(chan struct{})
}

func (h *heldFeed) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.gate)
}

func (h *heldFeed) open() chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gate
}

// lateBy passes each entry lag after the owner received its event: the hub of an instance
// that follows the PBX's log late (its own CPU, the store's subscription).
func lateBy(lag time.Duration) func(store.Entry, <-chan struct{}) bool {
	return func(e store.Entry, done <-chan struct{}) bool {
		wait := time.Until(e.Event.Time.Add(lag))
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait) // the fault: the entry reaches this hub late
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-done:
			return false
		}
	}
}

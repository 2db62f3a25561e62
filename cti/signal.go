package cti

import "sync"

// broadcast wakes every goroutine waiting for a change of some state: wait returns a channel
// that the next notify closes. A waiter takes the channel before it reads the state, so a
// change made between its read and its select is not missed. notify never blocks and costs
// nothing while nobody waits.
type broadcast struct {
	mu sync.Mutex
	c  chan struct{}
}

// wait returns the channel the next notify closes.
func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == nil {
		b.c = make(chan struct{})
	}
	return b.c
}

// notify wakes the current waiters.
func (b *broadcast) notify() {
	b.mu.Lock()
	if b.c != nil {
		close(b.c)
		b.c = nil
	}
	b.mu.Unlock()
}

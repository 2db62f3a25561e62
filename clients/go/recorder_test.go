package client_test

import (
	"sync"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
)

// recorder keeps every event of a client; its goroutine ends when the client closes.
type recorder struct {
	mu     sync.Mutex
	events []client.Event
	done   chan struct{}
}

func record(c *client.Client) *recorder {
	r := &recorder{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for ev := range c.Events() {
			r.mu.Lock()
			r.events = append(r.events, ev)
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *recorder) all() []client.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.Event(nil), r.events...)
}

// waitFor polls until some recorded event matches and returns it.
func (r *recorder) waitFor(t *testing.T, what string, match func(client.Event) bool) client.Event {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, ev := range r.all() {
			if match(ev) {
				return ev
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tapiEvents returns the recorded log events.
func (r *recorder) tapiEvents() []*client.TAPIEvent {
	var out []*client.TAPIEvent
	for _, ev := range r.all() {
		if e, ok := ev.(*client.TAPIEvent); ok {
			out = append(out, e)
		}
	}
	return out
}

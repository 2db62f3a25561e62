package client_test

import (
	"sync"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/test/testkit"
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
	var found client.Event
	testkit.Eventually(t, what, func() bool {
		for _, ev := range r.all() {
			if match(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
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

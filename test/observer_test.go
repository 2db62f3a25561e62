package e2e

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// seen is one thing a client application received, in order.
type seen struct {
	at     time.Time         // when the application got it
	resync *client.Resynced  // a replaced view
	event  *client.TAPIEvent // a log event
}

// observer is an SDK client on some lines that records everything its application receives.
type observer struct {
	name  string
	lines []string
	c     *client.Client
	delay atomic.Int64 // per-event processing time while the client plays a slow consumer

	mu        sync.Mutex
	got       []seen
	instances map[string]int // sessions per bridge instance
	drops     int            // Disconnected notices
	done      chan struct{}
}

func startObserver(t testing.TB, ctx context.Context, name string, urls, lines []string, buffer int) *observer {
	t.Helper()
	c, err := client.Dial(ctx, client.Config{URLs: urls, Token: watcherToken, Lines: lines, ClientName: name,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, KeepAlive: time.Second,
		DialTimeout: 3 * time.Second, EventBuffer: buffer})
	if err != nil {
		t.Fatalf("client %s: %v", name, err)
	}
	o := &observer{name: name, lines: lines, c: c, instances: map[string]int{}, done: make(chan struct{})}
	go o.consume() // ends when the client is closed (cleanup below)
	t.Cleanup(func() {
		c.Close()
		<-o.done
	})
	return o
}

func (o *observer) consume() {
	defer close(o.done)
	for ev := range o.c.Events() {
		if d := o.delay.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		o.mu.Lock()
		switch e := ev.(type) {
		case *client.TAPIEvent:
			o.got = append(o.got, seen{at: time.Now(), event: e})
		case *client.Resynced:
			o.got = append(o.got, seen{at: time.Now(), resync: e})
		case *client.Connected:
			o.instances[e.Welcome.Instance]++
		case *client.Disconnected:
			o.drops++
		}
		o.mu.Unlock()
	}
}

func (o *observer) received() []seen {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]seen(nil), o.got...)
}

func (o *observer) sessions() (map[string]int, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := map[string]int{}
	for k, v := range o.instances {
		m[k] = v
	}
	return m, o.drops
}

// calls returns the client's mirror of the calls on its lines.
func (o *observer) calls() []tapi.Call { return o.c.Calls("") }

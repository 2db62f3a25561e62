package web

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// lateFeed passes the engine's log subscriptions on to the hub, each entry lag after the
// owner received its event: the hub of an instance that follows the PBX's log late (its own
// CPU, the store's subscription). The engine reports no overload.
type lateFeed struct {
	cti.Service
	lag time.Duration
}

func (l *lateFeed) Subscribe(ctx context.Context, pbx string) (store.Subscription, error) {
	sub, err := l.Service.Subscribe(ctx, pbx)
	if err != nil {
		return nil, err
	}
	ls := &lateSub{Subscription: sub, c: make(chan store.Entry, 4096), done: make(chan struct{})}
	go ls.forward(l.lag)
	return ls, nil
}

type lateSub struct {
	store.Subscription
	c    chan store.Entry
	done chan struct{}
	once sync.Once
}

func (s *lateSub) C() <-chan store.Entry { return s.c }

func (s *lateSub) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.Subscription.Close()
}

// forward passes each entry on once it is lag old; it ends with the subscription.
func (s *lateSub) forward(lag time.Duration) {
	defer close(s.c)
	for e := range s.Subscription.C() {
		if wait := time.Until(e.Event.Time.Add(lag)); wait > 0 {
			t := time.NewTimer(wait) // the fault: the entry reaches this hub late
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return
			}
		}
		select {
		case s.c <- e:
		case <-s.done:
			return
		}
	}
}

// Events that reach this instance's clients late (web.late_after) count as overload here
// although the engine reports none, as on an instance that only follows the log: the client
// that stopped reading is shed with 4008 and the overload reason, the client that keeps up
// (late by the feed's lag only) is not, and the episode is logged when it starts.
func TestShedWhenEventsArriveLate(t *testing.T) {
	logs := &testkit.Buffer{}
	e := newEnv(t, envOpts{log: logs,
		wrap: func(s cti.Service) cti.Service { return &lateFeed{Service: s, lag: 600 * time.Millisecond} },
		web: func(c *Config) {
			c.SendQueue = 64
			c.BehindLimit = time.Minute
			c.LateAfter = 300 * time.Millisecond
		}})
	stop := make(chan struct{})
	var traffic sync.WaitGroup
	traffic.Add(1)
	go func() {
		defer traffic.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				publishBurst(t, e, "hq/201", 20, 200)
			}
		}
	}()
	defer func() { close(stop); traffic.Wait() }()

	stalled := dialSmallBuffer(t, e)
	fast, _ := e.connect(tokSue)
	fast.send(map[string]any{"type": "subscribe", "all": true})
	fast.expect("synced")
	go func() { // the client that keeps up reads everything
		for {
			if _, ok := fast.next(time.Minute); !ok {
				return
			}
		}
	}()
	e.eventually(30*time.Second, "the stalled client shed under overload", func() bool {
		return len(shedOrder(logs)) >= 1
	})
	require.Equal(t, []string{stalled.LocalAddr().String()}, shedOrder(logs)[:1])
	require.Contains(t, logs.String(), "events reach this instance's clients late")
	var fastShed bool
	for _, l := range strings.Split(logs.String(), "\n") {
		var m struct {
			Msg    string `json:"msg"`
			Remote string `json:"remote"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "websocket client disconnected" && m.Remote != stalled.LocalAddr().String() {
			fastShed = true
		}
	}
	require.False(t, fastShed, "the client that keeps up was disconnected")
	require.Len(t, e.srv.Clients(), 1)
}

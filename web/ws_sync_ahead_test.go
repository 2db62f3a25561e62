package web

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// heldFeed passes the engine's log subscriptions on to the hub, but holds back every entry
// while it is held: the hub then lags the store by as much as the test writes meanwhile.
type heldFeed struct {
	cti.Service
	mu   sync.Mutex
	gate chan struct{} // closed while entries flow
}

func newHeldFeed() *heldFeed {
	g := make(chan struct{})
	close(g)
	return &heldFeed{gate: g}
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

func (h *heldFeed) Subscribe(ctx context.Context, pbx string) (store.Subscription, error) {
	sub, err := h.Service.Subscribe(ctx, pbx)
	if err != nil {
		return nil, err
	}
	hs := &heldSub{Subscription: sub, c: make(chan store.Entry), done: make(chan struct{})}
	go hs.forward(h)
	return hs, nil
}

type heldSub struct {
	store.Subscription
	c    chan store.Entry
	done chan struct{}
	once sync.Once
}

func (s *heldSub) C() <-chan store.Entry { return s.c }

func (s *heldSub) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.Subscription.Close()
}

// forward passes entries on, each once the gate is open; it ends with the subscription.
func (s *heldSub) forward(h *heldFeed) {
	defer close(s.c)
	for e := range s.Subscription.C() {
		select {
		case <-h.open():
		case <-s.done:
			return
		}
		select {
		case s.c <- e:
		case <-s.done:
			return
		}
	}
}

// Lines added to a subscription while the hub lags the store: the resync (taken from the
// store, ahead of the hub) covers every line of the session, so that no event of the lines
// it had before comes after it with a lower offset (clients drop those as already seen), and
// synced is not below the resync.
func TestWSLinesAddedWhileHubLags(t *testing.T) {
	feed := newHeldFeed()
	e := newEnv(t, envOpts{wrap: func(s cti.Service) cti.Service { feed.Service = s; return feed }})
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("synced")

	feed.hold()
	publishBurst(t, e, "hq/201", 3, 0)
	ahead := publishBurst(t, e, "hq/202", 1, 0)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/202"}})
	rs := w.expect("resync")
	var lines []tapi.Line
	rs.decodeLines(t, &lines)
	var names []string
	for _, l := range lines {
		names = append(names, l.Name)
	}
	require.ElementsMatch(t, []string{"hq/201", "hq/202"}, names, "the resync covers the session's lines")
	require.GreaterOrEqual(t, rs.Offset, ahead.Offset)
	synced := w.expect("synced")
	require.GreaterOrEqual(t, synced.Offset, rs.Offset, "synced below the resync")

	feed.release()
	end := publishBurst(t, e, "hq/201", 1, 0)
	for {
		m, ok := w.next(10e9)
		require.True(t, ok, "stream ended: %v", w.err())
		if m.Type != "event" {
			continue
		}
		require.Greater(t, m.Offset, rs.Offset, "event %s after the resync at %d", m.raw, rs.Offset)
		if m.Offset >= end.Offset {
			break
		}
	}
}

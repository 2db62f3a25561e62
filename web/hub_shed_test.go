package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// overloadSignal is the engine as the web layer sees it, with the PBX "hq" reported
// overloaded (cti.LinkInfo.Overload) while over is set: the signal the engine's pipeline
// gives when CSTA events arrive faster than it applies them.
type overloadSignal struct {
	cti.Service
	over atomic.Bool
}

func (o *overloadSignal) Links() []cti.LinkInfo {
	ls := o.Service.Links()
	for i := range ls {
		if ls[i].PBX == "hq" && o.over.Load() {
			ls[i].Overload = "CSTA events arrive faster than the bridge applies them (test)"
		}
	}
	return ls
}

// dialSmallBuffer opens a session subscribed to every line whose socket receive buffer is
// small, so that a client that reads slowly soon fills it; the caller reads (or not).
func dialSmallBuffer(t *testing.T, e *env) *websocket.Conn {
	t.Helper()
	d := smallBufferDialer(4096)
	c, resp, err := d.Dial(e.wsURL(), nil)
	if resp != nil && err != nil {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("dial: %v: %s %s", err, resp.Status, b)
	}
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": tokSue}))
	require.NoError(t, c.WriteJSON(map[string]any{"type": "subscribe", "all": true}))
	return c
}

// trafficOn publishes bursts of 20 events on line every 20 ms (about 1,000 a second) until
// the returned stop is called or the test ends.
func trafficOn(t *testing.T, e *env, line string) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				publishBurst(t, e, line, 20, 200)
			}
		}
	}()
	stop = func() { once.Do(func() { close(done) }); wg.Wait() }
	t.Cleanup(stop)
	return stop
}

// logRecord is what the tests read of a session's line in the server's log.
type logRecord struct {
	Msg    string `json:"msg"`
	Remote string `json:"remote"`
	Reason string `json:"reason"`
	Code   int    `json:"close_code"`
}

// logRecords returns the lines of the server's log with message msg, in order.
func logRecords(logs *testkit.Buffer, msg string) []logRecord {
	var out []logRecord
	for _, l := range strings.Split(logs.String(), "\n") {
		var m logRecord
		if json.Unmarshal([]byte(l), &m) == nil && m.Msg == msg {
			out = append(out, m)
		}
	}
	return out
}

// shedOrder lists the remote addresses of the sessions shed under overload, in order, from
// the server's log.
func shedOrder(logs *testkit.Buffer) []string {
	var out []string
	for _, m := range logRecords(logs, "shedding a slow client under overload") {
		out = append(out, m.Remote)
	}
	return out
}

// missingEvents describes the log's events after (epoch, after) that got lacks.
func missingEvents(t *testing.T, e *env, epoch string, after uint64, got []uint64) string {
	es, err := e.st.Replay(context.Background(), "hq", epoch, after, 0)
	require.NoError(t, err)
	seen := map[uint64]bool{}
	for _, o := range got {
		seen[o] = true
	}
	var out []string
	for _, en := range es {
		if !seen[en.Offset] && en.Event.Type != tapi.LineReply {
			out = append(out, fmt.Sprintf("%d %s %s", en.Offset, en.Event.Type, en.Event.Line))
		}
	}
	return strings.Join(out, "; ")
}

// disconnects lists the sessions the server's log says ended, with their reasons.
func disconnects(logs *testkit.Buffer) []string {
	var out []string
	for _, m := range logRecords(logs, "websocket client disconnected") {
		out = append(out, m.Remote+": "+m.Reason)
	}
	return out
}

// While the PBX is overloaded the hub sheds the client that is furthest behind first (one
// that stopped reading), then one that reads too slowly, with 4008 and the reason; a client
// that keeps up is never shed and gets every event once, in order. Without the overload
// signal neither slow client is shed (web.behind_limit is a minute here).
func TestShedSlowestFirstUnderOverload(t *testing.T) {
	logs := &testkit.Buffer{}
	sig := &overloadSignal{}
	e := newEnv(t, envOpts{log: logs, wrap: func(s cti.Service) cti.Service { sig.Service = s; return sig },
		web: func(c *Config) {
			c.SendQueue = 64
			c.BehindLimit = time.Minute
			c.LateAfter = -1 // the owner's signal alone (hub_late_test.go has the other)
			c.UnauthRatePerIP, c.UnauthBurstPerIP = 1e6, 1e6
		}})

	// Traffic on hq/201 until the test ends: about 1,000 events a second.
	stopTraffic := trafficOn(t, e, "hq/201")

	// The stalled client never reads: its feed falls behind first.
	stalled := dialSmallBuffer(t, e)
	// The server's socket buffers take some seconds of traffic first, more on a busy host.
	e.eventually(time.Minute, "stalled client behind", func() bool {
		return metricValue(t, e, "ctibridge_ws_behind_total") >= 1
	})
	// The slow one reads a message every 10 ms, a tenth of the rate, until it is shed: then it
	// reads what the socket buffers still hold at once, to see its session's end.
	slow := dialSmallBuffer(t, e)
	slowEnd := make(chan error, 1)
	shed := make(chan struct{})
	go func() {
		pace := time.NewTicker(10 * time.Millisecond) // the fault: the slow desktop's work per event
		defer pace.Stop()
		for {
			if _, _, err := slow.ReadMessage(); err != nil {
				slowEnd <- err
				return
			}
			select {
			case <-pace.C:
			case <-shed:
			}
		}
	}()
	fast, _ := e.connect(tokSue)
	fast.send(map[string]any{"type": "subscribe", "all": true})
	synced := fast.expect("synced")
	// A session is listed once the server has taken it after the upgrade, which a busy host may
	// do after the client's dial returned.
	e.eventually(time.Minute, "three sessions", func() bool { return len(e.srv.Clients()) == 3 })
	require.Empty(t, disconnects(logs), "no client is shed without the overload signal")

	sig.over.Store(true)
	e.eventually(30*time.Second, "both slow clients shed", func() bool { return len(shedOrder(logs)) >= 2 })
	sig.over.Store(false)
	close(shed)
	order := shedOrder(logs)
	require.Equal(t, []string{stalled.LocalAddr().String(), slow.LocalAddr().String()}, order[:2],
		"the stalled client (furthest behind) first, then the slow one")

	// Both ended with 4008 and the reason, logged (a shed client whose socket buffers are full
	// may see a reset rather than the close frame).
	select {
	case <-slowEnd:
	case <-time.After(30 * time.Second):
		t.Fatal("the slow client's session did not end")
	}
	reasons := map[string]string{}
	for _, m := range logRecords(logs, "websocket client disconnected") {
		if m.Code == CloseSlowConsumer {
			reasons[m.Remote] = m.Reason
		}
	}
	for _, c := range []*websocket.Conn{stalled, slow} {
		require.Regexp(t, `^slow consumer: shed under overload, \d+ events behind$`, reasons[c.LocalAddr().String()])
	}
	require.Equal(t, 2.0, metricValue(t, e, `ctibridge_ws_queue_drops_total{reason="overload"}`))

	// The client that keeps up is still there and got every event once, in order.
	stopTraffic()
	end := publishBurst(t, e, "hq/201", 1, 0)
	var got []uint64
	for len(got) == 0 || got[len(got)-1] < end.Offset {
		m, ok := fast.next(20 * time.Second)
		require.True(t, ok, "the keeping-up client's stream ended after %d events: %v", len(got), fast.err())
		require.NotContains(t, []string{"resync", "error"}, m.Type, "unexpected %s", m.raw)
		if m.Type == "event" {
			got = append(got, m.Offset)
		}
	}
	// The log up to the last event: a busy host may let the engine's lease lapse and the engine
	// take it again, whose bridge events can follow.
	var want []uint64
	for _, o := range logAfter(t, e, synced.Epoch, synced.Offset) {
		if o <= end.Offset {
			want = append(want, o)
		}
	}
	require.Equal(t, want, got, "events after synced; missing: %s", missingEvents(t, e, synced.Epoch, synced.Offset, got))
	require.Len(t, e.srv.Clients(), 1)
	t.Logf("shed %v; the client that keeps up got %d events in order", order, len(got))
}

// A hub whose store subscription is dropped again and again for falling behind (each burst
// of the log is larger than the subscription's buffer, as the batches of an overloaded
// pipeline are) resubscribes at once each time and replays the gap: it keeps its place in a
// short log, and a client gets every event in order without a resync. (Waiting a growing
// backoff between the drops put the hub further behind until the log no longer reached back,
// and every client was told to resync.)
func TestHubKeepsItsPlaceWhenItsSubscriptionIsDropped(t *testing.T) {
	e := newEnv(t, envOpts{store: memory.Options{MaxLogLen: 4000, SubscriberBuffer: 16},
		web: func(c *Config) { c.ReplayCache = -1 }})
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "all": true})
	synced := w.expect("synced")
	// 30 bursts of 500 events, 10 a second (the log holds 0.8 s of them), each of which
	// overflows the subscription's buffer.
	var end store.Position
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range 30 {
		<-tick.C
		end = publishBurst(t, e, "hq/201", 500, 0)
	}
	var got []uint64
	for len(got) == 0 || got[len(got)-1] < end.Offset {
		m, ok := w.next(20 * time.Second)
		require.True(t, ok, "stream ended after %d events: %v", len(got), w.err())
		require.NotContains(t, []string{"resync", "error"}, m.Type, "unexpected %s", m.raw)
		if m.Type == "event" {
			got = append(got, m.Offset)
		}
	}
	require.Equal(t, int(end.Offset-synced.Offset), len(got), "events after synced")
	for i, off := range got {
		require.Equal(t, synced.Offset+uint64(i)+1, off, "event %d after synced", i)
	}
}

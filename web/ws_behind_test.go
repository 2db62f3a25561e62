package web

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// publishBurst appends n LINE_LINEDEVSTATE events of line (each with a detail of pad bytes)
// to the log at once, in batches, as the engine's owner would after a store fault.
func publishBurst(t testing.TB, e *env, line string, n, pad int) store.Position {
	t.Helper()
	ctx := context.Background()
	l, _ := e.eng.Line(line)
	var last store.Position
	for n > 0 {
		var b store.Batch
		for range min(n, 500) {
			b.Events = append(b.Events, tapi.Event{V: tapi.WireVersion, Type: tapi.LineLineDevState,
				Time: time.Now().UTC(), PBX: "hq", Line: line, Device: l.DeviceID, Detail: strings.Repeat("x", pad),
				LineState: &tapi.LineEvent{DevState: tapi.LINEDEVSTATE_OTHER, Line: l}})
		}
		n -= len(b.Events)
		// Under load the engine's 2-second lease can lapse between renewals (and is taken
		// again at once): write as whoever owns the PBX when the write is made.
		var es store.Appended
		testkit.EventuallyNilWithin(t, 10*time.Second, "a write as the PBX's owner", func() error {
			owner, token, err := e.st.LeaseOwner(ctx, "hq")
			if err != nil {
				return err
			}
			es, err = e.st.Apply(ctx, "hq", store.Fence{Owner: owner, Token: token}, b)
			return err
		})
		last = es.End()
	}
	return last
}

// metricValue reads one sample of the server's /metrics (0 when absent).
func metricValue(t testing.TB, e *env, series string) float64 {
	t.Helper()
	body := string(e.do("GET", "/metrics", "", nil).body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// A burst larger than a client's send queue does not drop a client that reads: its feed
// falls behind, is caught up from the log (the hub's recent entries, or the store's log when
// they are off) and returns to live delivery. The client gets every event, in order, once.
func TestWSBurstCatchesUpWithoutDisconnect(t *testing.T) {
	for _, tc := range []struct {
		name        string
		replayCache int
	}{{"recent entries", 0}, {"store log", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpts{web: func(c *Config) { c.SendQueue = 16; c.ReplayCache = tc.replayCache }})
			w, _ := e.connect(tokSue)
			w.send(map[string]any{"type": "subscribe", "all": true})
			synced := w.expect("synced")
			end := publishBurst(t, e, "hq/201", 3000, 0)
			var got []uint64
			for len(got) == 0 || got[len(got)-1] < end.Offset {
				m, ok := w.next(20 * time.Second)
				if !ok {
					t.Fatalf("stream ended after %d events (last %v): %v", len(got), got[max(0, len(got)-1):], w.err())
				}
				switch m.Type {
				case "event":
					got = append(got, m.Offset)
				case "resync", "error":
					t.Fatalf("unexpected %s", m.raw)
				}
			}
			// The log up to the last event read: under load the engine may write after the
			// burst (its lease lapsed and was taken again), which the loop stopped before.
			want := logAfter(t, e, synced.Epoch, synced.Offset)
			for len(want) > 0 && want[len(want)-1] > got[len(got)-1] {
				want = want[:len(want)-1]
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Fatalf("after synced %d got %d offsets, want %d; first difference at %d: got %v, want %v",
					synced.Offset, len(got), len(want), i, got[i:min(i+5, len(got))], want[i:min(i+5, len(want))])
			}
			if n := metricValue(t, e, "ctibridge_ws_behind_total"); n < 1 {
				t.Fatalf("ctibridge_ws_behind_total %v: the burst never filled the queue", n)
			}
			// Back to live delivery: a call is seen at once.
			if _, err := e.sim.IncomingCall("+4930555000", "209"); err != nil {
				t.Fatal(err)
			}
			w.untilEvent(tapi.LineNewCall, "hq/209", nil)
			if len(e.srv.Clients()) != 1 {
				t.Fatal("client disconnected")
			}
			t.Logf("%d events through a queue of 16, caught up %v times", len(got), metricValue(t, e, "ctibridge_ws_behind_total"))
		})
	}
}

// A client that stops reading stays behind and is disconnected as a slow consumer once
// web.behind_limit has passed, with the reason logged.
func TestWSBehindTooLongDisconnected(t *testing.T) {
	logs := &testkit.Buffer{}
	e := newEnv(t, envOpts{web: func(c *Config) { c.SendQueue = 16; c.BehindLimit = time.Second }, log: logs})
	d := smallBufferDialer(2048)
	c, _, err := d.Dial(e.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": tokSue})
	_ = c.WriteJSON(map[string]any{"type": "subscribe", "all": true})
	e.eventually(10*time.Second, "client subscribed", func() bool {
		cs := e.srv.Clients()
		return len(cs) == 1 && len(cs[0].Lines) > 0
	})
	start := time.Now()
	publishBurst(t, e, "hq/201", 5000, 1000) // more than the socket buffers hold
	e.eventually(8*time.Second, "stalled client disconnected", func() bool { return len(e.srv.Clients()) == 0 })
	took := time.Since(start)
	if l := logs.String(); !strings.Contains(l, `"reason":"slow consumer: behind for more than 1s in 1m0s"`) {
		t.Fatalf("disconnect not logged with its reason:\n%s", l)
	}
	if took < time.Second {
		t.Fatalf("disconnected after %v, before the bound of 1s", took)
	}
	t.Logf("stalled client disconnected %v after the burst (bound 1s)", took.Round(10*time.Millisecond))
}

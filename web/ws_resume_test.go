package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

func startTraffic(t testing.TB, e *env, cps float64, exts ...string) *pbxsim.Traffic {
	t.Helper()
	var list []string
	if len(exts) > 0 {
		var err error
		if list, err = pbxsim.ParseExtensions(exts); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := e.sim.StartTraffic(context.Background(), pbxsim.TrafficConfig{CallsPerSecond: cps, Extensions: list,
		Seed: 7, RingTime: 20 * time.Millisecond, TalkTime: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Stop)
	return tr
}

// logAfter returns the offsets a subscriber of every line must see after cursor.
func logAfter(t *testing.T, e *env, epoch string, after uint64) []uint64 {
	t.Helper()
	es, err := e.st.Replay(context.Background(), "hq", epoch, after, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, en := range es {
		if en.Event.Type != tapi.LineReply {
			out = append(out, en.Offset)
		}
	}
	return out
}

func TestWSResumeNoGapNoDuplicate(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "all": true})
	w.expect("synced")
	tr := startTraffic(t, e, 40)

	// Take some live events, remember the cursor, then drop the connection.
	var cur store.Position
	for i := 0; i < 30; i++ {
		m := w.expect("event")
		if m.Offset <= cur.Offset {
			t.Fatalf("live offsets not increasing: %d after %d", m.Offset, cur.Offset)
		}
		cur = store.Position{Epoch: m.Epoch, Offset: m.Offset}
	}
	w.c.Close()
	// Events happen while the client is away.
	logGrows := func(what string, from uint64) {
		t.Helper()
		e.eventually(30*time.Second, what, func() bool {
			pos, err := e.st.Position(context.Background(), "hq")
			return err == nil && pos.Offset >= from+10
		})
	}
	logGrows("events while the client is away", cur.Offset)

	w2, _ := e.connect(tokSue)
	w2.send(map[string]any{"type": "subscribe", "all": true, "cursors": map[string]any{"hq": cur}})
	w2.expect("subscribed")
	var got []uint64
	replayed := -1
	for replayed < 0 {
		m, ok := w2.next(10 * time.Second)
		if !ok {
			t.Fatal("connection ended during resume")
		}
		switch m.Type {
		case "resync":
			t.Fatalf("resync instead of replay: %s", m.raw)
		case "event":
			got = append(got, m.Offset)
		case "synced":
			replayed = m.Replayed
		}
	}
	if replayed == 0 {
		t.Fatal("nothing replayed although traffic ran while disconnected")
	}
	logGrows("live events after the replay", got[len(got)-1])
	tr.Stop()
	// The log is compared up to where it is now; calls still in flight add to it later.
	pos, err := e.st.Position(context.Background(), "hq")
	if err != nil {
		t.Fatal(err)
	}
	want := logAfter(t, e, cur.Epoch, cur.Offset)
	deadline := time.Now().Add(10 * time.Second)
	for len(got) == 0 || got[len(got)-1] < want[len(want)-1] {
		m, ok := w2.next(time.Until(deadline))
		if !ok {
			t.Fatalf("stream ended at offset %d, log is at %d", got[len(got)-1], pos.Offset)
		}
		if m.Type == "event" {
			got = append(got, m.Offset)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after cursor %d got offsets\n%v\nwant\n%v", cur.Offset, got, want)
	}
}

// The hub's recent entries serve a replay that reaches back further than the store keeps:
// the client gets every entry after its cursor, no resync.
func TestWSReplayFromRecentEntries(t *testing.T) {
	e := newEnv(t, envOpts{store: memoryOpts(30)})
	tr := startTraffic(t, e, 50)
	e.eventually(10*time.Second, "log longer than its retention", func() bool {
		pos, _ := e.st.Position(context.Background(), "hq")
		return pos.Offset > 100
	})
	tr.Stop()
	e.eventually(5*time.Second, "log quiet", func() bool {
		a, _ := e.st.Position(context.Background(), "hq")
		time.Sleep(300 * time.Millisecond)
		b, _ := e.st.Position(context.Background(), "hq")
		return a == b
	})
	pos, _ := e.st.Position(context.Background(), "hq")
	cur := pos.Offset - 60 // the store keeps the newest 30; the hub saw all since startup
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "all": true,
		"cursors": map[string]any{"hq": store.Position{Epoch: pos.Epoch, Offset: cur}}})
	var got []uint64
	for {
		m, ok := w.next(10 * time.Second)
		if !ok {
			t.Fatalf("stream ended after offsets %v", got)
		}
		if m.Type == "resync" {
			t.Fatalf("resync although the hub holds the entries: %s", m.raw)
		}
		if m.Type == "event" {
			got = append(got, m.Offset)
		}
		if m.Type == "synced" {
			break
		}
	}
	for i, off := range got {
		if off != cur+uint64(i)+1 {
			t.Fatalf("offsets %v: want %d..%d contiguous", got, cur+1, pos.Offset)
		}
	}
	if len(got) == 0 || got[len(got)-1] != pos.Offset {
		t.Fatalf("offsets %v: want up to %d", got, pos.Offset)
	}
}

func TestWSResyncWhenCursorTooOldOrEpochChanged(t *testing.T) {
	// Without the hub's recent entries the store's retention decides what is too old.
	e := newEnv(t, envOpts{store: memoryOpts(30), web: func(c *Config) { c.ReplayCache = -1 }})
	tr := startTraffic(t, e, 50)
	e.eventually(10*time.Second, "log longer than its retention", func() bool {
		pos, _ := e.st.Position(context.Background(), "hq")
		return pos.Offset > 100
	})
	tr.Stop()
	pos, _ := e.st.Position(context.Background(), "hq")
	for _, tc := range []struct {
		cur    store.Position
		reason string
	}{
		{store.Position{Epoch: pos.Epoch, Offset: 1}, "cursor_too_old"},
		{store.Position{Epoch: "another-epoch", Offset: pos.Offset}, "epoch_changed"},
	} {
		w, _ := e.connect(tokAlice)
		w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}, "cursors": map[string]any{"hq": tc.cur}})
		rs := w.expect("resync")
		if rs.Reason != tc.reason || rs.Epoch != pos.Epoch {
			t.Fatalf("cursor %+v: resync %s, want reason %s", tc.cur, rs.raw, tc.reason)
		}
		var lines []tapi.Line
		rs.decodeLines(t, &lines)
		if len(lines) != 1 || lines[0].Name != "hq/201" {
			t.Fatalf("resync lines %s", rs.Lines)
		}
		for _, c := range rs.Calls {
			if c.Line != "hq/201" {
				t.Fatalf("resync leaks call of %s", c.Line)
			}
		}
		w.expect("synced")
	}
}

func TestWSSlowConsumerDisconnectedAndResumes(t *testing.T) {
	logs := &testkit.Buffer{}
	e := newEnv(t, envOpts{web: func(c *Config) { c.SendQueue = 8 }, log: logs})
	d := smallBufferDialer(2048)
	c, _, err := d.Dial(e.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": tokSue})
	_ = c.WriteJSON(map[string]any{"type": "subscribe", "all": true})
	// The session is listed once the server has set it up, which may be after Dial returns.
	e.eventually(10*time.Second, "slow client subscribed", func() bool {
		cs := e.srv.Clients()
		return len(cs) == 1 && len(cs[0].Lines) > 0
	})
	// Never read: the server's queue must overflow while traffic runs.
	tr := startTraffic(t, e, 200, "200-207")
	e.eventually(30*time.Second, "slow consumer disconnected", func() bool {
		return len(e.srv.Clients()) == 0
	})
	tr.Stop()
	// A reconnect works and gets live events again.
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "all": true})
	w.expect("synced")
	if _, err := e.sim.IncomingCall("+4930555000", "209"); err != nil {
		t.Fatal(err)
	}
	w.untilEvent(tapi.LineNewCall, "hq/209", nil)
	// The server recorded why. The slow socket itself ends with 4008 when the close frame
	// still fitted into its buffers, else with the TCP close after its buffered data.
	if m := e.do("GET", "/metrics", "", nil); !strings.Contains(string(m.body), `ctibridge_ws_queue_drops_total{reason="slow_consumer"}`) {
		t.Fatalf("metrics lack the slow-consumer drop:\n%s", m.body)
	}
	// ... and logged who was disconnected and why.
	if l := logs.String(); !strings.Contains(l, `"msg":"websocket client disconnected"`) ||
		!strings.Contains(l, `"user":"sue"`) || !strings.Contains(l, `"reason":"slow consumer`) || !strings.Contains(l, `"remote":"127.0.0.1:`) {
		t.Fatalf("slow-consumer disconnect not logged with user, remote and reason:\n%s", l)
	}
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("slow client was not disconnected: %v", err)
			}
			if ce, ok := err.(*websocket.CloseError); ok && ce.Code != CloseSlowConsumer && ce.Code != websocket.CloseAbnormalClosure {
				t.Fatalf("slow client closed with %d, want %d", ce.Code, CloseSlowConsumer)
			}
			break
		}
	}
}

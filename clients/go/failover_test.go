package client_test

import (
	"fmt"
	"net/http"
	"runtime"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestFailoverNoGapNoDuplicate runs two bridge instances on one Redis and one simulator,
// kills the instance the client is connected to, and checks that the client resumes on the
// other with exactly the events of the log: a fresh client replaying the same range from
// the log sees the same sequence.
func TestFailoverNoGapNoDuplicate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis, a simulator and two bridges")
	}
	rd := redistest.Start(t)
	sim := clienttest.StartPBXSim(t, "-extensions", "200-219")
	cfg := configYAML(sim.Primary, sim.Standby, fmt.Sprintf(
		"store:\n  driver: redis\n  lease_ttl: 1s\n  redis:\n    addrs: [%q]\n", rd.Addr))
	a := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Config: cfg, Args: []string{"-instance-id", "bridge-a"}})
	b := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Config: cfg, Args: []string{"-instance-id", "bridge-b"}})
	ctx := testCtx(t)
	lines := []string{"demo/202", "demo/203"}
	c := dial(t, client.Config{URLs: []string{a.URL, b.URL}, Token: clienttest.SamToken, Lines: lines})
	rec := record(c)
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	initial := rec.waitFor(t, "initial resync", func(ev client.Event) bool {
		r, ok := ev.(*client.Resynced)
		return ok && r.Reason == "initial"
	}).(*client.Resynced)

	// A call before the failover.
	if _, err := sim.Control.Incoming(ctx, "+4930555000", "202"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "offering on 202", isState("demo/202", tapi.LINECALLSTATE_OFFERING))
	for _, act := range []string{"answer", "hangup"} {
		if err := sim.Control.Device(ctx, "202", act, nil); err != nil {
			t.Fatal(err)
		}
	}
	rec.waitFor(t, "idle on 202", isState("demo/202", tapi.LINECALLSTATE_IDLE))

	a.Kill()
	rec.waitFor(t, "reconnect to bridge-b", func(ev client.Event) bool {
		cn, ok := ev.(*client.Connected)
		return ok && cn.Welcome.Instance == "bridge-b"
	})
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	rest, err := client.NewREST(b.URL, clienttest.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "bridge-b owns the link", func() bool {
		ls, err := rest.Links(ctx)
		return err == nil && len(ls) == 1 && ls[0].Owner == "bridge-b" && ls[0].Active != ""
	})

	// A call after the failover, driven through the SDK on the second instance.
	if _, err := sim.Control.Incoming(ctx, "+4930555001", "203"); err != nil {
		t.Fatal(err)
	}
	ev := rec.waitFor(t, "offering on 203", isState("demo/203", tapi.LINECALLSTATE_OFFERING)).(*client.TAPIEvent)
	if err := c.Answer(ctx, "demo/203", ev.Handle); err != nil {
		t.Fatalf("answer on bridge-b: %v", err)
	}
	rec.waitFor(t, "connected on 203", isState("demo/203", tapi.LINECALLSTATE_CONNECTED))
	if err := c.Drop(ctx, "demo/203", ev.Handle); err != nil {
		t.Fatalf("drop on bridge-b: %v", err)
	}
	rec.waitFor(t, "idle on 203", isState("demo/203", tapi.LINECALLSTATE_IDLE))

	got := rec.tapiEvents()
	for _, ev := range rec.all() {
		if r, ok := ev.(*client.Resynced); ok && r != initial {
			t.Fatalf("resync %q after the failover; want a replay from the cursor", r.Reason)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].Position.Epoch == got[i-1].Position.Epoch && got[i].Position.Offset <= got[i-1].Position.Offset {
			t.Fatalf("event %d at offset %d after offset %d: duplicate or out of order", i, got[i].Position.Offset, got[i-1].Position.Offset)
		}
	}
	last := got[len(got)-1].Position

	// The log itself, replayed from the same start by a fresh client, is the reference.
	ref := dial(t, client.Config{URLs: []string{b.URL}, Token: clienttest.SamToken, Lines: lines,
		Resume: map[string]client.Position{"demo": initial.Position}})
	refRec := record(ref)
	// The Synced event comes after every replayed one.
	refRec.waitFor(t, "reference replay done", func(ev client.Event) bool { _, ok := ev.(*client.Synced); return ok })
	var want []*client.TAPIEvent
	for _, e := range refRec.tapiEvents() {
		if e.Position.Epoch == last.Epoch && e.Position.Offset <= last.Offset {
			want = append(want, e)
		}
	}
	if len(want) != len(got) {
		t.Fatalf("client saw %d events, the log has %d in the same range:\n got %s\nwant %s", len(got), len(want), summary(got), summary(want))
	}
	for i := range got {
		if got[i].Position != want[i].Position || got[i].Type != want[i].Type || got[i].Handle != want[i].Handle {
			t.Fatalf("event %d differs:\n got %s\nwant %s", i, summary(got), summary(want))
		}
	}

	// The mirror agrees with the bridge's own view.
	sam, _ := client.NewREST(b.URL, clienttest.SamToken, nil)
	calls, err := sam.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cl := range calls {
		if cl.Line == "demo/202" || cl.Line == "demo/203" {
			n++
		}
	}
	if n != len(c.Calls("")) {
		t.Fatalf("mirror has %d calls, bridge %d", len(c.Calls("")), n)
	}
}

// TestResyncAfterTooOldCursor resumes from a cursor the log no longer holds and checks that
// the client gets a resync and replaces its view of the line.
func TestResyncAfterTooOldCursor(t *testing.T) {
	br := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Simulator: true,
		Config: configYAML("", "", "store:\n  driver: memory\n  max_log_len: 100\n")})
	ctx := testCtx(t)
	c := dial(t, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/201"}})
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	old := c.Cursors()
	if old["demo"].Epoch == "" {
		t.Fatalf("no cursor after sync: %v", old)
	}
	_ = c.Close()

	// More than 100 events on another line push the cursor out of the log, and a call left
	// ringing on 201 is what the resync must show.
	for i := range 40 {
		if _, err := br.Control.Incoming(ctx, fmt.Sprintf("+49305550%02d", i), "205"); err != nil {
			t.Fatal(err)
		}
		for _, act := range []string{"answer", "hangup"} {
			if err := br.Control.Device(ctx, "205", act, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := br.Control.Incoming(ctx, "+4930555999", "201"); err != nil {
		t.Fatal(err)
	}
	c2 := dial(t, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/201"}, Resume: old})
	rec := record(c2)
	r := rec.waitFor(t, "resync", func(ev client.Event) bool { _, ok := ev.(*client.Resynced); return ok }).(*client.Resynced)
	if r.Reason != "cursor_too_old" {
		t.Fatalf("resync reason %q, want cursor_too_old", r.Reason)
	}
	if err := c2.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	calls := c2.Calls("demo/201")
	if len(calls) != 1 || calls[0].State != tapi.LINECALLSTATE_OFFERING || calls[0].Info.Caller.Number == "" {
		t.Fatalf("mirror after resync: %+v", calls)
	}
}

// TestNoGoroutineLeak connects, commands, loses the bridge while connected, and closes
// while reconnecting; afterwards every goroutine of the client is gone.
func TestNoGoroutineLeak(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	gone := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	http.DefaultClient.CloseIdleConnections()
	base := runtime.NumGoroutine()
	for range 3 {
		c, err := client.Dial(ctx, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/201"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WaitSynced(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.SetDND(ctx, "demo/201", false); err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
	}
	c, err := client.Dial(ctx, client.Config{URLs: []string{gone.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/201"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := record(c)
	gone.Kill()
	rec.waitFor(t, "disconnect", func(ev client.Event) bool { _, ok := ev.(*client.Disconnected); return ok })
	_ = c.Close()
	<-rec.done
	if _, err := c.MakeCall(ctx, "demo/201", "202", false); err != client.ErrClosed {
		t.Fatalf("command on a closed client: %v", err)
	}
	waitGoroutines(t, base)
}

func isState(line string, s tapi.CallState) func(client.Event) bool { return callState(line, s) }

func summary(es []*client.TAPIEvent) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf(" %d:%s:%s", e.Position.Offset, e.Type, e.Handle)
	}
	return s
}

package client_test

import (
	"strings"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestOmitWelcomeLines: a client that subscribes to everything without the welcome's line
// list learns its lines from the subscription, syncs, gets events, and resumes from its
// cursors on a new client; a cursor for a PBX none of its lines belongs to is dropped rather
// than failing the subscription.
func TestOmitWelcomeLines(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	cfg := client.Config{URLs: []string{br.URL}, Token: clienttest.SamToken, All: true, OmitWelcomeLines: true}
	c := dial(t, cfg)
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	w := c.Welcome()
	if !w.LinesOmitted || len(w.Lines) != 0 {
		t.Fatalf("welcome = %+v", w)
	}
	if _, ok := c.Line("demo/201"); !ok {
		t.Fatalf("mirror lacks demo/201 (a supervisor sees every line): %+v", c.Lines())
	}
	if _, err := br.Control.Incoming(ctx, "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	next(t, c, "OFFERING", callState("demo/201", tapi.LINECALLSTATE_OFFERING))
	cursors := c.Cursors()
	if cursors["demo"].Offset == 0 {
		t.Fatalf("no cursor after an event: %+v", cursors)
	}
	_ = c.Close()

	cursors["ghost"] = client.Position{Epoch: "0123456789abcdef", Offset: 7}
	cfg.Resume = cursors
	r := dial(t, cfg)
	// The demo cursor is continued (a replay, no resync) and the ghost one did not fail the
	// subscription.
	ev := next(t, r, "synced", func(ev client.Event) bool {
		if rs, ok := ev.(*client.Resynced); ok {
			t.Fatalf("resync %+v: the cursor %+v was not continued", rs, cursors["demo"])
		}
		_, ok := ev.(*client.Synced)
		return ok
	}).(*client.Synced)
	if ev.PBX != "demo" || ev.Position.Offset < cursors["demo"].Offset {
		t.Fatalf("synced = %+v, want demo at or after %+v", ev, cursors["demo"])
	}
	if err := r.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestOmitWelcomeLinesRefused: a bridge older than the hello's omitLines refuses the member
// and closes the session, as strict decoding made every bridge do; the client connects again
// without it (clienttest.OldBridge).
func TestOmitWelcomeLinesRefused(t *testing.T) {
	old := clienttest.StartOldBridge(t)
	c := dial(t, client.Config{URLs: []string{old.URL}, Token: clienttest.SamToken, OmitWelcomeLines: true})
	w := c.Welcome()
	if w.LinesOmitted || len(w.Lines) != 1 || w.Lines[0].Name != "demo/202" {
		t.Fatalf("welcome = %+v", w)
	}
	_ = c.Close()
	if hellos := old.Hellos(); len(hellos) != 2 || !strings.Contains(hellos[0], `"omitLines":true`) || strings.Contains(hellos[1], "omitLines") {
		t.Fatalf("hellos = %q, want one with omitLines, then one without", hellos)
	}
}

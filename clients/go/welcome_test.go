package client_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

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
// without it. The old bridge is played by a WebSocket server that decodes the hello strictly.
func TestOmitWelcomeLinesRefused(t *testing.T) {
	var hellos []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		hellos = append(hellos, string(data))
		var hello struct {
			Type, Token, Client string
			V                   int
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&hello); err != nil {
			_ = ws.WriteJSON(map[string]any{"type": "error", "code": "bad_field", "field": "omitLines", "message": "hello: " + err.Error()})
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bad hello"))
			return
		}
		_ = ws.WriteJSON(map[string]any{"type": "welcome", "v": 1, "instance": "old", "user": "sam", "role": "supervisor",
			"lines": []map[string]any{{"name": "demo/202", "pbx": "demo", "deviceId": 2, "address": "202", "inService": true, "control": true, "ops": []string{}}},
			"pbxs":  []map[string]any{{"name": "demo", "active": "primary"}}})
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c := dial(t, client.Config{URLs: []string{srv.URL}, Token: clienttest.SamToken, OmitWelcomeLines: true})
	w := c.Welcome()
	if w.LinesOmitted || len(w.Lines) != 1 || w.Lines[0].Name != "demo/202" {
		t.Fatalf("welcome = %+v", w)
	}
	_ = c.Close()
	if len(hellos) != 2 || !strings.Contains(hellos[0], `"omitLines":true`) || strings.Contains(hellos[1], "omitLines") {
		t.Fatalf("hellos = %q, want one with omitLines, then one without", hellos)
	}
}

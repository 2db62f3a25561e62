package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

func TestWSHelloWelcomeSubscribeAndIncomingCall(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, welcome := e.connect(tokAlice)
	if welcome.V != ProtocolVersion || welcome.User != "alice" || welcome.Role != RoleUser || welcome.Instance != "test-1" {
		t.Fatalf("welcome: %s", welcome.raw)
	}
	var lines []welcomeLine
	if err := json.Unmarshal(welcome.Lines, &lines); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Name != "hq/201" || !lines[0].InService || !lines[0].Control ||
		lines[0].DeviceID != tapi.LineDeviceID("hq/201") || len(lines[0].Ops) != len(allOps) {
		t.Fatalf("welcome lines: %s", welcome.Lines)
	}
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("subscribed")
	rs := w.expect("resync")
	if rs.Reason != "initial" || rs.PBX != "hq" || rs.Epoch == "" {
		t.Fatalf("resync: %s", rs.raw)
	}
	w.expect("synced")

	if _, err := e.sim.IncomingCall("+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	nc := w.untilEvent(tapi.LineNewCall, "hq/201", nil)
	if nc.PBX != "hq" || nc.Epoch != rs.Epoch || nc.Offset <= rs.Offset {
		t.Fatalf("event position: %s", nc.raw)
	}
	w.untilEvent(tapi.LineCallState, "hq/201", func(ev *tapi.Event) bool {
		return ev.CallState.State == tapi.LINECALLSTATE_OFFERING
	})
	// Answer by command; the reply carries our request ID.
	w.send(map[string]any{"type": "command", "id": 42, "op": "answer", "line": "hq/201", "handle": nc.Event.Handle})
	// The reply and the CONNECTED state may come in either order.
	replied, connected := false, false
	for !replied || !connected {
		m := w.expect("event")
		switch {
		case m.Event.Type == tapi.LineReply:
			if m.Event.Reply.RequestID != 42 || m.Event.Reply.Result != 0 || m.Offset != 0 {
				t.Fatalf("reply: %s", m.raw)
			}
			replied = true
		case m.Event.Type == tapi.LineCallState && m.Event.CallState.State == tapi.LINECALLSTATE_CONNECTED:
			connected = true
		}
	}
	w.send(`{"type":"ping","id":"p1"}`)
	if p := w.expect("pong"); string(p.ID) != `"p1"` {
		t.Fatalf("pong: %s", p.raw)
	}
}

func TestWSBadTokensAndVersion(t *testing.T) {
	e := newEnv(t, envOpts{})
	for _, tc := range []struct {
		name, hello string
		code        int
		errCode     string
	}{
		{"bad token", `{"type":"hello","v":1,"token":"nope"}`, CloseUnauthorized, "unauthorized"},
		{"no token", `{"type":"hello","v":1}`, CloseUnauthorized, "unauthorized"},
		{"bad version", `{"type":"hello","v":7,"token":"alice-token"}`, CloseBadVersion, "unsupported_version"},
		{"unknown member", `{"type":"hello","v":1,"token":"alice-token","x":1}`, CloseUnauthorized, "bad_field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, err := e.dialWS(nil)
			if err != nil {
				t.Fatal(err)
			}
			w.send(tc.hello)
			m := w.expect("error")
			if m.Code != tc.errCode {
				t.Fatalf("error %s, want code %s", m.raw, tc.errCode)
			}
			if c := w.closeCode(5 * time.Second); c != tc.code {
				t.Fatalf("close code %d, want %d", c, tc.code)
			}
		})
	}
	// A bad bearer header is refused before the upgrade.
	_, resp, err := e.dialWS(map[string][]string{"Authorization": {"Bearer wrong"}})
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("upgrade with bad bearer: err %v resp %v", err, resp)
	}
	// A good one authenticates the upgrade: hello needs no token then.
	w, _, err := e.dialWS(map[string][]string{"Authorization": {"Bearer " + tokBob}})
	if err != nil {
		t.Fatal(err)
	}
	w.send(`{"type":"hello","v":1}`)
	if m := w.expect("welcome"); m.User != "bob" {
		t.Fatalf("welcome %s", m.raw)
	}
}

func TestWSJunkAndUnknownMessagesKeepOtherSessions(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.MaxMessageBytes = 1024 }})
	other, _ := e.connect(tokBob)
	other.send(map[string]any{"type": "subscribe", "lines": []string{"hq/202"}})
	other.expect("synced")

	w, _, err := e.dialWS(nil)
	if err != nil {
		t.Fatal(err)
	}
	w.send(`{"type":"subscribe","lines":["hq/201"]}`)
	if m := w.expect("error"); m.Code != "hello_required" {
		t.Fatalf("before hello: %s", m.raw)
	}
	w.send(`{"type":"hello","v":1,"token":"alice-token"}`)
	w.expect("welcome")
	for _, tc := range []struct{ msg, code, field string }{
		{`not json`, "bad_json", ""},
		{`{"type":"frobnicate"}`, "unknown_type", "type"},
		{`{"v":1}`, "bad_field", "type"},
		{`{"type":"subscribe","lines":"hq/201"}`, "bad_field", "lines"},
		{`{"type":"subscribe","lines":["hq/999"]}`, "unknown_line", "lines[0]"},
		{`{"type":"subscribe","lines":["hq/202"]}`, "unknown_line", "lines[0]"}, // not visible: as missing
		{`{"type":"subscribe"}`, "bad_field", "lines"},
		{`{"type":"subscribe","lines":["hq/201"],"cursors":{"hq":{"offset":3}}}`, "bad_field", "cursors.hq.epoch"},
		{`{"type":"command","op":"answer","line":"hq/201"}`, "bad_field", "id"},
		{`{"type":"command","id":1,"op":"answer","line":"hq/201","bogus":true}`, "bad_field", "bogus"},
		{`{"type":"hello","v":1,"token":"alice-token"}`, "already_authenticated", "type"},
	} {
		w.send(tc.msg)
		m := w.expect("error")
		if m.Code != tc.code || m.Field != tc.field || m.Message == "" {
			t.Errorf("%s: got %s, want code %s field %s", tc.msg, m.raw, tc.code, tc.field)
		}
	}
	// Commands refused by validation or ACL still get their LINE_REPLY.
	for _, tc := range []struct {
		msg  string
		want tapi.LineErr
	}{
		{`{"type":"command","id":5,"op":"answer","line":"hq/202","handle":"hq:1"}`, tapi.LINEERR_BADDEVICEID},
		{`{"type":"command","id":6,"op":"teleport","line":"hq/201"}`, tapi.LINEERR_OPERATIONUNAVAIL},
		{`{"type":"command","id":7,"op":"makeCall","line":"hq/201","number":"abc"}`, tapi.LINEERR_INVALADDRESS},
		{`{"type":"command","id":8,"op":"answer","line":"hq/201"}`, tapi.LINEERR_INVALCALLHANDLE},
		{`{"type":"command","id":9,"op":"answer","line":"hq/201","handle":"other:1"}`, tapi.LINEERR_INVALCALLHANDLE},
		{`{"type":"command","id":10,"op":"generateDigits","line":"hq/201","handle":"hq:1","number":"12x"}`, tapi.LINEERR_INVALDIGITS},
		{`{"type":"command","id":11,"op":"forward","line":"hq/201","forwardMode":"SOMETIMES","enable":true,"number":"202"}`, tapi.LINEERR_INVALPARAM},
	} {
		w.send(tc.msg)
		m := w.untilEvent(tapi.LineReply, "", nil)
		if m.Event.Reply.Result != tc.want || m.Event.Reply.Error == "" {
			t.Errorf("%s: reply %s, want %s", tc.msg, m.raw, tc.want)
		}
	}
	// An oversized message closes only this session (1009).
	w.send(`{"type":"ping","id":"` + strings.Repeat("x", 2000) + `"}`)
	if c := w.closeCode(5 * time.Second); c != 1009 {
		t.Fatalf("oversized message: close code %d, want 1009", c)
	}
	other.send(`{"type":"ping","id":1}`)
	other.expect("pong")
}

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

type linesResp struct {
	Lines []lineView `json:"lines"`
}

type callsResp struct {
	Calls []tapi.Call `json:"calls"`
}

func TestRESTAuthAndACL(t *testing.T) {
	e := newEnv(t, envOpts{})
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"no token", "GET", "/api/v1/lines", "", nil, 401, "Authorization"},
		{"bad token", "GET", "/api/v1/lines", "forged", nil, 401, "Authorization"},
		{"user sees other line", "GET", "/api/v1/lines/hq/202", tokAlice, nil, 404, "line"},
		{"unknown line", "GET", "/api/v1/lines/hq/999", tokAlice, nil, 404, "line"},
		{"user controls other line", "POST", "/api/v1/lines/hq/202/dial", tokAlice, map[string]any{"to": "203"}, 404, "line"},
		{"supervisor controls other line", "POST", "/api/v1/lines/hq/202/dial", tokSue, map[string]any{"to": "203"}, 403, "line"},
		{"supervisor DND other line", "PUT", "/api/v1/lines/hq/201/dnd", tokSue, map[string]any{"enable": true}, 403, "line"},
		{"user switchover", "POST", "/api/v1/links/hq/switchover", tokAlice, map[string]any{}, 403, ""},
		{"supervisor clients", "GET", "/api/v1/clients", tokSue, nil, 403, ""},
		{"junk body", "POST", "/api/v1/lines/hq/201/dial", tokAlice, "{not json", 400, ""},
		{"unknown member", "POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "202", "when": "now"}, 400, "when"},
		{"wrong type", "POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": 202}, 400, "to"},
		{"missing to", "POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{}, 400, "to"},
		{"bad number", "POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "call mom"}, 422, "to"},
		{"bad digits", "POST", "/api/v1/lines/hq/201/calls/hq:1/dtmf", tokAlice, map[string]any{"digits": "12z"}, 422, "digits"},
		{"foreign handle", "POST", "/api/v1/lines/hq/201/calls/xx:1/answer", tokAlice, nil, 404, "handle"},
		{"extra member", "POST", "/api/v1/lines/hq/201/calls/hq:1/answer", tokAlice, map[string]any{"to": "1"}, 400, "to"},
		{"missing consult", "POST", "/api/v1/lines/hq/201/calls/hq:1/conference", tokAlice, map[string]any{}, 400, "consultHandle"},
		{"bad forward mode", "PUT", "/api/v1/lines/hq/201/forwarding", tokAlice, map[string]any{"mode": "ALWAYS", "to": "202", "enable": true}, 422, "mode"},
		{"dnd without enable", "PUT", "/api/v1/lines/hq/201/dnd", tokAlice, map[string]any{}, 400, "enable"},
		{"bad paging", "GET", "/api/v1/lines/hq/201/journal?limit=-1", tokAlice, nil, 400, "limit"},
		{"page too big", "GET", "/api/v1/lines/hq/201/journal?limit=5000", tokAlice, nil, 400, "limit"},
		{"unknown pbx filter", "GET", "/api/v1/lines?pbx=branch", tokAlice, nil, 404, "pbx"},
		{"unknown route", "GET", "/api/v1/nothing", tokAlice, nil, 404, ""},
		{"wrong method", "DELETE", "/api/v1/lines", tokAlice, nil, 405, ""},
		{"unknown pbx switchover", "POST", "/api/v1/links/branch/switchover", tokRoot, map[string]any{}, 404, "pbx"},
	} {
		r := e.do(tc.method, tc.path, tc.token, tc.body)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.status, tc.status, r.body)
			continue
		}
		if p := r.problem(t); p.Field != tc.field || p.Detail == "" {
			t.Errorf("%s: problem %+v, want field %q and a detail", tc.name, p, tc.field)
		}
	}
	// A user lists only its own lines; a supervisor all of them, with control only on its own.
	var lr linesResp
	e.do("GET", "/api/v1/lines", tokAlice, nil).decode(t, &lr)
	if len(lr.Lines) != 1 || lr.Lines[0].Name != "hq/201" || !lr.Lines[0].Control || lr.Lines[0].Status != StatusIdle {
		t.Fatalf("alice lines %+v", lr.Lines)
	}
	e.do("GET", "/api/v1/lines?pbx=hq", tokSue, nil).decode(t, &lr)
	if len(lr.Lines) != 10 {
		t.Fatalf("sue sees %d lines, want 10", len(lr.Lines))
	}
	for _, l := range lr.Lines {
		if l.Control != (l.Name == "hq/203") {
			t.Fatalf("sue control of %s = %v", l.Name, l.Control)
		}
	}
	var me map[string]any
	e.do("GET", "/api/v1/me", tokSue, nil).decode(t, &me)
	if me["user"] != "sue" || me["role"] != "supervisor" {
		t.Fatalf("me %v", me)
	}
}

func TestRESTCallControlAndNumbers(t *testing.T) {
	e := newEnv(t, envOpts{})
	// An external caller presented as the PBX dials it back (outside prefix + national
	// number) arrives as E.164.
	if _, err := e.sim.IncomingCall("00301234567", "201"); err != nil {
		t.Fatal(err)
	}
	var lv lineView
	var last []byte
	defer func() {
		if t.Failed() {
			t.Logf("last line: %s", last)
		}
	}()
	e.eventually(5*time.Second, "line ringing", func() bool {
		r := e.do("GET", "/api/v1/lines/hq/201", tokAlice, nil)
		last = r.body
		r.decode(t, &lv)
		return lv.Status == StatusRinging && len(lv.Calls) == 1 && lv.Calls[0].Info.Caller.Number != ""
	})

	call := lv.Calls[0]
	if call.Info.Caller.Number != "+49301234567" {
		t.Fatalf("caller %+v, want +49301234567 (call %+v)", call.Info.Caller, call)
	}
	h := string(call.Handle)
	base := "/api/v1/lines/hq/201/calls/" + h
	mustOK := func(method, path string, body any) commandResult {
		t.Helper()
		r := e.do(method, path, tokAlice, body)
		if r.status != 200 {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		var cr commandResult
		r.decode(t, &cr)
		return cr
	}
	waitState := func(handle string, st tapi.CallState) {
		t.Helper()
		e.eventually(5*time.Second, "call "+handle+" in "+st.String(), func() bool {
			var cr callsResp
			e.do("GET", "/api/v1/lines/hq/201/calls", tokAlice, nil).decode(t, &cr)
			for _, c := range cr.Calls {
				if string(c.Handle) == handle && c.State == st {
					return true
				}
			}
			return false
		})
	}
	mustOK("POST", base+"/answer", nil)
	waitState(h, tapi.LINECALLSTATE_CONNECTED)
	mustOK("POST", base+"/dtmf", map[string]any{"digits": "12#"})
	mustOK("POST", base+"/hold", nil)
	waitState(h, tapi.LINECALLSTATE_ONHOLD)
	mustOK("POST", base+"/retrieve", nil)
	waitState(h, tapi.LINECALLSTATE_CONNECTED)
	// Consultation to 202, then complete the transfer: 201 leaves the call.
	cons := mustOK("POST", base+"/consult", map[string]any{"to": "202"})
	if cons.Handle == "" {
		t.Fatal("consult returned no handle")
	}
	e.eventually(10*time.Second, "a call at 202 in the simulator", func() bool {
		d, ok := e.sim.Device("202")
		return ok && len(d.Connections) > 0
	})
	mustOK("POST", base+"/complete-transfer", map[string]any{"consultHandle": cons.Handle})
	e.eventually(5*time.Second, "201 idle after transfer", func() bool {
		var cr callsResp
		e.do("GET", "/api/v1/lines/hq/201/calls", tokAlice, nil).decode(t, &cr)
		return len(cr.Calls) == 0
	})
	// Bob (202) now talks to the caller; a supervisor sees it in the call list.
	var all callsResp
	e.do("GET", "/api/v1/calls", tokSue, nil).decode(t, &all)
	if len(all.Calls) == 0 {
		t.Fatal("supervisor sees no calls")
	}
	var mine callsResp
	e.do("GET", "/api/v1/calls", tokAlice, nil).decode(t, &mine)
	for _, c := range mine.Calls {
		if c.Line != "hq/201" {
			t.Fatalf("alice sees a call of %s", c.Line)
		}
	}
	// Drop by bob, once bob's line has taken the transfer too: the PBX reports it per
	// device, so 201 may be idle before 202's call carries the surviving call ID (the
	// original call's; the consultation's ID is gone at the PBX).
	var bl lineView
	e.eventually(5*time.Second, "bob's call is the transferred call", func() bool {
		e.do("GET", "/api/v1/lines/hq/202", tokBob, nil).decode(t, &bl)
		return len(bl.Calls) == 1 && bl.Calls[0].CallID == call.CallID
	})
	r := e.do("POST", "/api/v1/lines/hq/202/calls/"+string(bl.Calls[0].Handle)+"/drop", tokBob, nil)
	if r.status != 200 {
		t.Fatalf("drop: %d %s", r.status, r.body)
	}
	// The journal holds the finished call, numbers in E.164, paged.
	var page struct {
		Entries []struct {
			Caller tapi.PartyID `json:"caller"`
		} `json:"entries"`
		Next string `json:"next"`
	}
	e.eventually(5*time.Second, "journal entries", func() bool {
		e.do("GET", "/api/v1/lines/hq/201/journal?limit=1", tokAlice, nil).decode(t, &page)
		return len(page.Entries) == 1 && page.Next != ""
	})
	// The next page continues where the first ended; the inbound call is in the journal.
	found := false
	for next := "/api/v1/lines/hq/201/journal?limit=1"; next != ""; {
		page.Next = ""
		e.do("GET", next, tokAlice, nil).decode(t, &page)
		for _, en := range page.Entries {
			found = found || en.Caller.Number == "+49301234567"
		}
		next = page.Next
	}
	if !found {
		t.Fatal("journal lacks the inbound call from +49301234567")
	}
	// Click-to-dial with an E.164 number: the PBX dials the local form with the outside prefix.
	cr := mustOK("POST", "/api/v1/lines/hq/201/dial", map[string]any{"to": "+49 30 7654321", "ringFirst": false})
	if cr.Handle == "" {
		t.Fatal("dial returned no handle")
	}
	e.eventually(5*time.Second, "outbound call to 07654321", func() bool {
		for _, c := range e.sim.Truth().Calls {
			for _, p := range c.Parties {
				if p.Device == "07654321" {
					return true
				}
			}
		}
		return false
	})
	mustOK("POST", "/api/v1/lines/hq/201/calls/"+string(cr.Handle)+"/drop", nil)
	// Forwarding and DND are line state.
	mustOK("PUT", "/api/v1/lines/hq/201/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "to": "+49301111111", "enable": true})
	e.eventually(5*time.Second, "forwarding", func() bool {
		e.do("GET", "/api/v1/lines/hq/201", tokAlice, nil).decode(t, &lv)
		return len(lv.Forwarding) == 1 && lv.Forwarding[0].Destination == "+49301111111"
	})
	mustOK("PUT", "/api/v1/lines/hq/201/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "enable": false})
	mustOK("PUT", "/api/v1/lines/hq/201/dnd", map[string]any{"enable": true})
	e.eventually(5*time.Second, "dnd", func() bool {
		e.do("GET", "/api/v1/lines/hq/201", tokAlice, nil).decode(t, &lv)
		return lv.DND && lv.Status == StatusDND
	})
}

func TestRESTDialRateLimit(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.DialRatePerMinute = 2 }})
	for i := 0; i < 2; i++ {
		// The first two pass the limiter (the PBX may refuse the second: 201 is busy).
		if r := e.do("POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "20" + string(rune('2'+i))}); r.status == 429 {
			t.Fatalf("dial %d limited: %s", i, r.body)
		}
	}
	r := e.do("POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "205"})
	if r.status != 429 || r.problem(t).Result != tapi.LINEERR_RESOURCEUNAVAIL {
		t.Fatalf("third dial: %d %s", r.status, r.body)
	}
	// Other tokens have their own budget.
	if r := e.do("POST", "/api/v1/lines/hq/202/dial", tokBob, map[string]any{"to": "206"}); r.status == 429 {
		t.Fatalf("bob limited by alice's dials: %s", r.body)
	}
}

func TestRESTLinksAdminAuditAndAlerts(t *testing.T) {
	var mu sync.Mutex
	var alerts []Alert
	failures := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 { // the first delivery fails: retries must carry it
			failures--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var a Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Errorf("alert body: %v", err)
		}
		alerts = append(alerts, a)
	}))
	defer hook.Close()
	e := newEnv(t, envOpts{web: func(c *Config) {
		c.AlertWebhooks = []string{hook.URL}
		c.AlertBackoff = 10 * time.Millisecond
	}})
	var links struct {
		Instance string `json:"instance"`
		Links    []struct {
			PBX, Active string
			OwnedHere   bool
		} `json:"links"`
	}
	e.do("GET", "/api/v1/links", tokAlice, nil).decode(t, &links)
	if len(links.Links) != 1 || links.Links[0].Active != "primary" || !links.Links[0].OwnedHere {
		t.Fatalf("links %+v", links)
	}
	r := e.do("POST", "/api/v1/links/hq/switchover", tokRoot, map[string]any{"reason": "maintenance"})
	if r.status != 200 {
		t.Fatalf("switchover: %d %s", r.status, r.body)
	}
	e.eventually(10*time.Second, "standby active", func() bool {
		e.do("GET", "/api/v1/links", tokAlice, nil).decode(t, &links)
		return links.Links[0].Active == "standby"
	})
	has := func(kind string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range alerts {
			if a.Kind == kind && a.PBX == "hq" && a.Instance == "test-1" {
				return true
			}
		}
		return false
	}
	e.eventually(10*time.Second, "switchover and resync alerts", func() bool {
		return has(AlertSwitchover) && has(AlertResyncDone)
	})
	e.waitReady()
	if r := e.do("POST", "/api/v1/links/hq/failback", tokRoot, nil); r.status != 200 {
		t.Fatalf("failback: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/clients", tokRoot, nil); r.status != 200 {
		t.Fatalf("clients: %d", r.status)
	}
	log := e.audit.String()
	for _, want := range []string{`"action":"switchover"`, `"reason":"maintenance"`, `"action":"failback"`, `"action":"list_clients"`, `"user":"root"`} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	// Both nodes down raises link_down and both_nodes_down.
	e.primary.Kill()
	e.standby.Kill()
	e.eventually(10*time.Second, "both-nodes-down alert", func() bool { return has(AlertLinkDown) && has(AlertBothNodesDown) })
}

func TestClientsDiagnostics(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, _ := e.connect(tokAlice)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("synced")
	var resp struct {
		Clients []ClientInfo `json:"clients"`
	}
	// The writer counts a message once it is on the socket, which can be a moment after the
	// client read it: wait for the count instead of reading it once.
	e.eventually(10*time.Second, "the session's messages counted", func() bool {
		e.do("GET", "/api/v1/clients", tokRoot, nil).decode(t, &resp)
		return len(resp.Clients) == 1 && resp.Clients[0].MessagesOut >= 4
	})
	c := resp.Clients[0]
	if c.User != "alice" || c.Protocol != "ws/v1" || c.Client != "test" || len(c.Lines) != 1 || c.Lines[0] != "hq/201" ||
		c.MessagesIn != 2 || c.MessagesOut < 4 || c.Remote == "" || c.Since.IsZero() {
		t.Fatalf("client %+v", c)
	}
}

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// myState is the own line's status (lineStatus) on the console.
const myState = `document.getElementById("my-state").dataset.status`

// consoleScripts are the scripts the console loads: its modules and the SDK.
const consoleScripts = "/clients/js/ctibridge.js /clients/js/readmodel.js /static/agents.js /static/app.js /static/calls.js /static/dom.js /static/history.js " +
	"/static/keys.js /static/lines.js /static/links.js /static/notify.js /static/settings.js /static/wallboard.js /static/words.js"

// dashboardConns returns the WebSocket sessions the dashboard opened (hello client "dashboard").
func dashboardConns(s *Server) map[*wsConn]bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	out := map[*wsConn]bool{}
	for c := range s.conns {
		if c.client == "dashboard" {
			out[c] = true
		}
	}
	return out
}

// TestDashboardInBrowser drives the dashboard in headless Chromium: log in, see an external
// call ring the user's extension with the caller's number, answer it, hang up, see it in the
// recent calls, dial. The page
// talks to the bridge only through the browser SDK served at /clients/js/ctibridge.js: the
// test checks that the page loaded it and no other client, that its session is the SDK's
// (subscribed to the user's lines), and that the page survives the loss of its session the
// way the SDK does, reconnecting and resuming with the call that rang meanwhile.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	br := testkit.StartBrowser(t)
	e := newEnv(t, envOpts{})
	b := br.Open(t, e.hs.URL+"/")
	// The form is in the page before app.js (a module, so deferred) has hooked its submit
	// handler; the page is complete only after the module ran.
	b.WaitFor("login form", `document.readyState === "complete" && !!document.getElementById("token")`, "true")

	b.Text(`document.getElementById("token").value = "` + tokAlice + `"; document.getElementById("login").requestSubmit(); true`)
	b.WaitFor("grid shows 201", `document.querySelector('[data-line="hq/201"]')?.dataset.status ?? "none"`, "idle")
	b.WaitFor("my line", `document.getElementById("my-name").dataset.own`, "hq/201")
	b.WaitFor("links table", `document.querySelector('#links tr[data-pbx="hq"] .active')?.textContent ?? ""`, "primary")
	b.WaitFor("connection badge", `document.getElementById("conn").dataset.state`, "connected")
	// Call alerts: the button is there while the browser has not been asked; a mouse click (a
	// user gesture, as browsers require) asks, and the button goes once it is decided (headless
	// Chromium denies).
	b.WaitFor("alerts button", `Notification.permission + " " + document.getElementById("notify-on").hidden`, "default false")
	b.RealClick("#notify-on")
	b.WaitFor("asked", `String(Notification.permission !== "default" && document.getElementById("notify-on").hidden)`, "true")

	// The scripts the page loaded: its own modules and the SDK, nothing else.
	if got := b.Text(`[...new Set(performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname)
		.filter((p) => p.endsWith(".js")))].sort().join(" ")`); got != consoleScripts {
		t.Fatalf("scripts loaded: %q, want %q", got, consoleScripts)
	}
	// The SDK the page imported is the module clients/js exports.
	if got := b.Text(`import("/clients/js/ctibridge.js").then((m) => typeof m.CTIBridgeClient + " " + m.lineStatus({inService: true}, []))`); got != "function idle" {
		t.Fatalf("SDK module: %q", got)
	}
	e.eventually(10*time.Second, "the dashboard's session subscribed to alice's lines", func() bool {
		for _, ci := range e.srv.Clients() {
			if ci.Client == "dashboard" && ci.User == "alice" && strings.Join(ci.Lines, " ") == "hq/201" {
				return true
			}
		}
		return false
	})

	// An external call rings 201: the popup shows the caller's number.
	if _, err := e.sim.IncomingCall("+4930555777", "201"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("popup", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555777")
	b.WaitFor("grid ringing", `document.querySelector('[data-line="hq/201"]').dataset.status`, "ringing")

	b.Text(`document.getElementById("answer").click(); true`)
	b.WaitFor("answered", myState, "busy")
	b.WaitFor("popup gone", `document.getElementById("popup").hidden`, "true")
	if d, _ := e.sim.Device("201"); len(d.Connections) != 1 || !strings.EqualFold(string(d.Connections[0].State), "connected") {
		t.Fatalf("simulator: 201 is %+v, want one connected call", d)
	}

	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("hung up", myState, "idle")
	// The finished call is in the recent calls table, from the call history.
	b.WaitFor("recent calls", `[...document.querySelectorAll('#history tbody tr[data-line="hq/201"]')]
		.map((r) => r.dataset.outcome + " " + r.querySelector(".who").lastChild.textContent).join(",")`, "answered +4930555777")

	// Type a number and dial.
	b.Text(`document.getElementById("dial-number").value = "202"; document.getElementById("dialer").requestSubmit(); true`)

	e.eventually(10*time.Second, "202 rings in the simulator", func() bool {
		d, ok := e.sim.Device("202")
		return ok && len(d.Connections) == 1
	})
	b.WaitFor("grid shows 202 ringing", `document.querySelector('[data-line="hq/202"]') ? "visible" : "hidden"`, "hidden") // alice sees only her line
	b.WaitFor("dialled call on my line", myState, "busy")
	b.WaitFor("dialled call shows whom it rings", `document.querySelector("#calls .call .party")?.textContent`, "Bob")
	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("dialled call hung up", myState, "idle")

	// The bridge drops the page's session (as an instance going away does) and a call rings
	// 201 at once, likely before the SDK is back: the page must reconnect on its own, resume
	// from its cursor and show the call.
	b.Text(`window.connStates = [];
		new MutationObserver(() => connStates.push(document.getElementById("conn").dataset.state))
			.observe(document.getElementById("conn"), {attributes: true, attributeFilter: ["data-state"]}); true`)
	old := dashboardConns(e.srv)
	if len(old) != 1 {
		t.Fatalf("%d dashboard sessions, want 1", len(old))
	}
	for c := range old {
		c.fail(websocket.CloseGoingAway, "test: instance going away")
	}
	if _, err := e.sim.IncomingCall("+4930555888", "201"); err != nil {
		t.Fatal(err)
	}
	e.eventually(10*time.Second, "the dashboard opened a new session", func() bool {
		for c := range dashboardConns(e.srv) {
			if !old[c] {
				return true
			}
		}
		return false
	})
	b.WaitFor("popup after reconnect", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555888")
	b.WaitFor("reconnected", `document.getElementById("conn").dataset.state`, "connected")
	// The observer records every write of the attribute, an unchanged one too: the page may
	// set "connected" again (a late message of the old session) before it sees the drop.
	got := b.Text(`connStates.join(" ")`)
	states := strings.Fields(got)
	for len(states) > 0 && states[0] == "connected" {
		states = states[1:]
	}
	if len(states) == 0 || states[0] != "reconnecting" {
		t.Fatalf("connection states after the drop: %q, want reconnecting first", got)
	}
	// Commands go through the new session.
	b.Text(`document.getElementById("answer").click(); true`)
	b.WaitFor("answered after reconnect", myState, "busy")
	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("hung up after reconnect", myState, "idle")

	// Logging out closes the SDK's session.
	b.Text(`document.getElementById("logout").click(); true`)
	b.WaitFor("logged out", `document.getElementById("login-view").hidden`, "false")
	e.eventually(10*time.Second, "the dashboard's session closed", func() bool { return len(dashboardConns(e.srv)) == 0 })
}

package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// findChromium returns the browser binary: $CHROMIUM or the usual names.
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// cdp is a minimal Chrome DevTools Protocol client over the browser's WebSocket.
type cdp struct {
	ws      *websocket.Conn
	mu      sync.Mutex
	nextID  int
	waiters map[int]chan cdpReply
	session string
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func startChromium(t *testing.T, bin string) *cdp {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctibridge-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+dir, "--remote-debugging-port=0", "about:blank")
	// Its own process group, so that the helpers it forks end with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		for i := 0; i < 20 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(50 * time.Millisecond) // helpers may still be exiting
		}
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`DevTools listening on (ws://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var url string
	select {
	case url = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not print its DevTools address")
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &cdp{ws: ws, waiters: map[int]chan cdpReply{}}
	go c.readLoop()
	t.Cleanup(func() { ws.Close() })
	var target struct {
		TargetID string `json:"targetId"`
	}
	c.call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	c.call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	c.session = att.SessionID
	return c
}

func (c *cdp) readLoop() {
	for {
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if err := c.ws.ReadJSON(&m); err != nil {
			return
		}
		c.mu.Lock()
		ch := c.waiters[m.ID]
		delete(c.waiters, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

func (c *cdp) call(t *testing.T, method string, params any, out any) {
	t.Helper()
	c.send(t, c.session, method, params, out)
}

// callBrowser sends a command to the browser itself rather than the page (Browser.*).
func (c *cdp) callBrowser(t *testing.T, method string, params any, out any) {
	t.Helper()
	c.send(t, "", method, params, out)
}

func (c *cdp) send(t *testing.T, session, method string, params any, out any) {
	t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan cdpReply, 1)
	c.waiters[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	err := c.ws.WriteJSON(msg)
	c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			t.Fatalf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				t.Fatalf("%s result %s: %v", method, r.Result, err)
			}
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no answer from chromium", method)
	}
}

// eval evaluates a JavaScript expression in the page and returns its value as a string.
func (c *cdp) eval(t *testing.T, expr string) string {
	t.Helper()
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	c.call(t, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.ExceptionDetails != nil {
		return "exception: " + r.ExceptionDetails.Text
	}
	return fmt.Sprint(r.Result.Value)
}

// waitFor evaluates expr until it yields want.
func (c *cdp) waitFor(t *testing.T, what, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = c.eval(t, expr); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: %s = %q, want %q\npage: %s", what, expr, got, want,
		c.eval(t, `document.getElementById("who")?.textContent + " | " + document.getElementById("login-error")?.textContent + " | " + document.getElementById("grid")?.innerHTML.slice(0, 500)`))
}

// click clicks the element the CSS selector finds, failing when there is none.
func (c *cdp) click(t *testing.T, sel string) {
	t.Helper()
	c.waitFor(t, "click "+sel, `(() => { const e = document.querySelector(`+jsString(sel)+`); if (!e) return "missing"; e.click(); return "ok"; })()`, "ok")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// myState is the own line's status (lineStatus) on the console.
const myState = `document.getElementById("my-state").dataset.status`

// consoleScripts are the scripts the console loads: its modules and the SDK.
const consoleScripts = "/clients/js/ctibridge.js /static/agents.js /static/app.js /static/calls.js /static/dom.js /static/history.js " +
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
	bin := findChromium()
	if bin == "" {
		t.Skip("chromium not found and not installable from here: run `make deps` (Debian packages chromium, chromium-driver) or set CHROMIUM")
	}
	e := newEnv(t, envOpts{})
	b := startChromium(t, bin)
	b.call(t, "Page.enable", map[string]any{}, nil)
	b.call(t, "Page.navigate", map[string]any{"url": e.hs.URL + "/"}, nil)
	// The form is in the page before app.js (a module, so deferred) has hooked its submit
	// handler; the page is complete only after the module ran.
	b.waitFor(t, "login form", `document.readyState === "complete" && !!document.getElementById("token")`, "true")

	b.eval(t, `document.getElementById("token").value = "`+tokAlice+`"; document.getElementById("login").requestSubmit(); true`)
	b.waitFor(t, "grid shows 201", `document.querySelector('[data-line="hq/201"]')?.dataset.status ?? "none"`, "idle")
	b.waitFor(t, "my line", `document.getElementById("my-name").dataset.own`, "hq/201")
	b.waitFor(t, "links table", `document.querySelector('#links tr[data-pbx="hq"] .active')?.textContent ?? ""`, "primary")
	b.waitFor(t, "connection badge", `document.getElementById("conn").dataset.state`, "connected")
	// Call alerts: the button is there while the browser has not been asked; a mouse click (a
	// user gesture, as browsers require) asks, and the button goes once it is decided (headless
	// Chromium denies).
	b.waitFor(t, "alerts button", `Notification.permission + " " + document.getElementById("notify-on").hidden`, "default false")
	b.realClick(t, "#notify-on")
	b.waitFor(t, "asked", `String(Notification.permission !== "default" && document.getElementById("notify-on").hidden)`, "true")

	// The scripts the page loaded: its own modules and the SDK, nothing else.
	if got := b.eval(t, `[...new Set(performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname)
		.filter((p) => p.endsWith(".js")))].sort().join(" ")`); got != consoleScripts {
		t.Fatalf("scripts loaded: %q, want %q", got, consoleScripts)
	}
	// The SDK the page imported is the module clients/js exports.
	if got := b.eval(t, `import("/clients/js/ctibridge.js").then((m) => typeof m.CTIBridgeClient + " " + m.lineStatus({inService: true}, []))`); got != "function idle" {
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
	b.waitFor(t, "popup", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555777")
	b.waitFor(t, "grid ringing", `document.querySelector('[data-line="hq/201"]').dataset.status`, "ringing")

	b.eval(t, `document.getElementById("answer").click(); true`)
	b.waitFor(t, "answered", myState, "busy")
	b.waitFor(t, "popup gone", `document.getElementById("popup").hidden`, "true")
	if d, _ := e.sim.Device("201"); len(d.Connections) != 1 || !strings.EqualFold(string(d.Connections[0].State), "connected") {
		t.Fatalf("simulator: 201 is %+v, want one connected call", d)
	}

	b.click(t, `#calls [data-act="hangup"]`)
	b.waitFor(t, "hung up", myState, "idle")
	// The finished call is in the recent calls table, from the call history.
	b.waitFor(t, "recent calls", `[...document.querySelectorAll('#history tbody tr[data-line="hq/201"]')]
		.map((r) => r.dataset.outcome + " " + r.querySelector(".who").lastChild.textContent).join(",")`, "answered +4930555777")

	// Type a number and dial.
	b.eval(t, `document.getElementById("dial-number").value = "202"; document.getElementById("dialer").requestSubmit(); true`)

	e.eventually(10*time.Second, "202 rings in the simulator", func() bool {
		d, ok := e.sim.Device("202")
		return ok && len(d.Connections) == 1
	})
	b.waitFor(t, "grid shows 202 ringing", `document.querySelector('[data-line="hq/202"]') ? "visible" : "hidden"`, "hidden") // alice sees only her line
	b.waitFor(t, "dialled call on my line", myState, "busy")
	b.waitFor(t, "dialled call shows whom it rings", `document.querySelector("#calls .call .party")?.textContent`, "Bob")
	b.click(t, `#calls [data-act="hangup"]`)
	b.waitFor(t, "dialled call hung up", myState, "idle")

	// The bridge drops the page's session (as an instance going away does) and a call rings
	// 201 at once, likely before the SDK is back: the page must reconnect on its own, resume
	// from its cursor and show the call.
	b.eval(t, `window.connStates = [];
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
	b.waitFor(t, "popup after reconnect", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555888")
	b.waitFor(t, "reconnected", `document.getElementById("conn").dataset.state`, "connected")
	if got := b.eval(t, `connStates.join(" ")`); !strings.HasPrefix(got, "reconnecting") {
		t.Fatalf("connection states after the drop: %q, want reconnecting first", got)
	}
	// Commands go through the new session.
	b.eval(t, `document.getElementById("answer").click(); true`)
	b.waitFor(t, "answered after reconnect", myState, "busy")
	b.click(t, `#calls [data-act="hangup"]`)
	b.waitFor(t, "hung up after reconnect", myState, "idle")

	// Logging out closes the SDK's session.
	b.eval(t, `document.getElementById("logout").click(); true`)
	b.waitFor(t, "logged out", `document.getElementById("login-view").hidden`, "false")
	e.eventually(10*time.Second, "the dashboard's session closed", func() bool { return len(dashboardConns(e.srv)) == 0 })
}

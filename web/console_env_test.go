package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the console's screenshots docs/console*.png")

// consoleEnv is the bridge with two PBXs (hq, as in newEnv, and branch) and the attendant
// console open in headless Chromium, logged in as sue: a supervisor who sees every line and
// controls hq/203, as a receptionist does.
type consoleEnv struct {
	*env
	branch *pbxsim.PBX
	b      *cdp
}

// consoleOpts adjust the console's simulator (hq) and engine, e.g. for ACD groups.
type consoleOpts struct {
	sim    func(*pbxsim.Config)
	engine func(*cti.Config)
	web    func(*Config)
}

func newConsole(t *testing.T, opts ...consoleOpts) *consoleEnv {
	t.Helper()
	var o consoleOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := findChromium()
	if bin == "" {
		t.Skip("chromium not found: run `make deps` (Debian packages chromium, chromium-driver) or set CHROMIUM")
	}
	branch, err := pbxsim.New(pbxsim.Config{Extensions: []string{"300-303"}, Dialect: "osv", User: "cti",
		Password: "secret", NoAnswerTime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { branch.Close() })
	node, err := branch.StartNode(context.Background(), "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOpts{sim: o.sim, web: o.web, engine: func(c *cti.Config) {
		hq := &c.PBXs[0]
		hq.DisplayNames = map[string]string{"200": "Operator", "201": "Alice", "202": "Bob", "203": "Reception",
			"204": "Dana", "205": "Eve", "206": "Frank", "207": "Grace"}
		br := *hq
		br.Name, br.Primary, br.Standby, br.Devices = "branch", node.Addr(), "", []string{"300-303"}
		br.DisplayNames = map[string]string{"300": "Branch desk", "301": "Ivan", "302": "Judy"}
		br.Trace = cti.TraceConfig{}
		br.Groups = nil
		c.PBXs = append(c.PBXs, br)
		if o.engine != nil {
			o.engine(c)
		}
	}})
	b := startChromium(t, bin)
	b.call(t, "Page.enable", map[string]any{}, nil)
	// Notifications are allowed, as after the user clicked "Turn on call alerts".
	b.callBrowser(t, "Browser.grantPermissions", map[string]any{"permissions": []string{"notifications"}, "origin": e.hs.URL}, nil)
	b.call(t, "Page.navigate", map[string]any{"url": e.hs.URL + "/"}, nil)
	b.waitFor(t, "login form", `document.readyState === "complete" && !!document.getElementById("token")`, "true")
	// Record the notifications the page shows.
	b.eval(t, `window.notes = []; const N = window.Notification;
		window.Notification = class extends N {
			constructor(title, o) { super(title, o); notes.push(title + " | " + (o.body || "")); }
			close() { notes.push("closed " + this.title); super.close(); } }; true`)
	b.eval(t, `document.getElementById("token").value = "`+tokSue+`"; document.getElementById("login").requestSubmit(); true`)
	b.waitFor(t, "own line", `document.getElementById("my-name").dataset.own`, "hq/203")
	b.waitFor(t, "both PBXs", `[...document.querySelectorAll("#grid .group .pbx-label")].map((e) => e.textContent).join(" ")`, "branch hq")
	b.waitFor(t, "connected", `document.getElementById("conn").dataset.state`, "connected")
	return &consoleEnv{env: e, branch: branch, b: b}
}

// tileStatus is the expression for a line's tile status.
func tileStatus(line string) string {
	return `document.querySelector('#grid .ext[data-line="` + line + `"]')?.dataset.status ?? "none"`
}

// press types a key as the keyboard does (trusted key events).
func (c *cdp) press(t *testing.T, key string) {
	t.Helper()
	down := map[string]any{"type": "keyDown", "key": key}
	if len(key) == 1 {
		down["text"] = key
	} else {
		down["type"] = "rawKeyDown" // a key without text (Escape)
	}
	c.call(t, "Input.dispatchKeyEvent", down, nil)
	c.call(t, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": key}, nil)
}

// center scrolls the element into view and returns its centre in viewport coordinates.
func (c *cdp) center(t *testing.T, sel string) (x, y float64) {
	t.Helper()
	var p struct{ X, Y float64 }
	out := c.eval(t, `(() => { const e = document.querySelector(`+jsString(sel)+`); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return JSON.stringify({x: r.x + r.width / 2, y: r.y + r.height / 2}); })()`)
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("position of %s: %s", sel, out)
	}
	return p.X, p.Y
}

// screenshot saves the page as a PNG in docs/ (only with -update-screenshots).
func (c *cdp) screenshot(t *testing.T, name string, width int) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	// Ringing tiles blink; the picture shows them steady.
	c.call(t, "Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-reduced-motion", "value": "reduce"}}}, nil)
	c.call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": 600, "deviceScaleFactor": 1, "mobile": width < 600}, nil)
	h := c.eval(t, `String(document.documentElement.scrollHeight)`)
	var height int
	if err := json.Unmarshal([]byte(h), &height); err != nil {
		t.Fatalf("page height %q", h)
	}
	c.call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}, nil)
	// Two frames after the resize, so that the page is laid out and painted at its new size.
	c.eval(t, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	var shot struct {
		Data string `json:"data"`
	}
	c.call(t, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
}

// drag drags the element at src onto the element at dst. The source's dragstart runs as a
// synthesized DragEvent in the page (headless Chromium cannot start an OS drag); what it put
// into the DataTransfer is then dropped at the target's position with the DevTools
// protocol's Input.dispatchDragEvent (dragEnter, dragOver, drop), so the browser's own hit
// testing and drop handling run.
func (c *cdp) drag(t *testing.T, src, dst string) { c.dragWith(t, src, dst, 0) }

// dragWith drags with modifier keys held (CDP modifiers: 8 is Shift).
func (c *cdp) dragWith(t *testing.T, src, dst string, modifiers int) {
	t.Helper()
	got := c.eval(t, `(() => {
		const dt = new DataTransfer();
		document.querySelector(`+jsString(src)+`).dispatchEvent(new DragEvent("dragstart", {bubbles: true, cancelable: true, dataTransfer: dt}));
		return JSON.stringify(dt.types.map((type) => ({mimeType: type, data: dt.getData(type)})));
	})()`)
	var items []map[string]string
	mustJSON(t, got, &items)
	if len(items) == 0 || !strings.Contains(got, `"application/x-ctibridge-call","data":"hq:`) {
		t.Fatalf("drag data of %s: %s", src, got)
	}
	x, y := c.center(t, dst)
	data := map[string]any{"items": items, "dragOperationsMask": 16} // move
	for _, typ := range []string{"dragEnter", "dragOver", "drop"} {
		c.call(t, "Input.dispatchDragEvent", map[string]any{"type": typ, "x": x, "y": y, "data": data, "modifiers": modifiers}, nil)
	}
}

// realClick clicks the element's centre with the mouse (a trusted click: a user gesture).
func (c *cdp) realClick(t *testing.T, sel string) {
	t.Helper()
	x, y := c.center(t, sel)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		c.call(t, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1}, nil)
	}
}

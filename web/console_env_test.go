package web

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/test/testkit"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the console's screenshots docs/console*.png")

// consoleEnv is the bridge with two PBXs (hq, as in newEnv, and branch) and the attendant
// console open in headless Chromium, logged in as sue: a supervisor who sees every line and
// controls hq/203, as a receptionist does.
type consoleEnv struct {
	*env
	branch *pbxsim.PBX
	b      *testkit.Page
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
	br := testkit.StartBrowser(t)
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
	// Notifications are allowed, as after the user clicked "Turn on call alerts".
	br.Call("Browser.grantPermissions", map[string]any{"permissions": []string{"notifications"}, "origin": e.hs.URL}, nil)
	b := br.Open(t, e.hs.URL+"/")
	b.WaitFor("login form", `document.readyState === "complete" && !!document.getElementById("token")`, "true")
	// Record the notifications the page shows.
	b.Text(`window.notes = []; const N = window.Notification;
		window.Notification = class extends N {
			constructor(title, o) { super(title, o); notes.push(title + " | " + (o.body || "")); }
			close() { notes.push("closed " + this.title); super.close(); } }; true`)
	b.Text(`document.getElementById("token").value = "` + tokSue + `"; document.getElementById("login").requestSubmit(); true`)
	b.WaitFor("own line", `document.getElementById("my-name").dataset.own`, "hq/203")
	b.WaitFor("both PBXs", `[...document.querySelectorAll("#grid .group .pbx-label")].map((e) => e.textContent).join(" ")`, "branch hq")
	b.WaitFor("connected", `document.getElementById("conn").dataset.state`, "connected")
	return &consoleEnv{env: e, branch: branch, b: b}
}

// tileStatus is the expression for a line's tile status.
func tileStatus(line string) string {
	return `document.querySelector('#grid .ext[data-line="` + line + `"]')?.dataset.status ?? "none"`
}

// screenshot saves the page as a PNG in docs/ (only with -update-screenshots).
func screenshot(t *testing.T, b *testkit.Page, name string, width int) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), b.Screenshot(width), 0o644); err != nil {
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
func drag(t *testing.T, b *testkit.Page, src, dst string) { dragWith(t, b, src, dst, 0) }

// dragWith drags with modifier keys held (CDP modifiers: 8 is Shift).
func dragWith(t *testing.T, b *testkit.Page, src, dst string, modifiers int) {
	t.Helper()
	got := b.Text(`(() => {
		const dt = new DataTransfer();
		document.querySelector(` + testkit.JSString(src) + `).dispatchEvent(new DragEvent("dragstart", {bubbles: true, cancelable: true, dataTransfer: dt}));
		return JSON.stringify(dt.types.map((type) => ({mimeType: type, data: dt.getData(type)})));
	})()`)
	var items []map[string]string
	mustJSON(t, got, &items)
	if len(items) == 0 || !strings.Contains(got, `"application/x-ctibridge-call","data":"hq:`) {
		t.Fatalf("drag data of %s: %s", src, got)
	}
	x, y := b.Center(dst)
	data := map[string]any{"items": items, "dragOperationsMask": 16} // move
	for _, typ := range []string{"dragEnter", "dragOver", "drop"} {
		b.Call("Input.dispatchDragEvent", map[string]any{"type": typ, "x": x, "y": y, "data": data, "modifiers": modifiers}, nil)
	}
}

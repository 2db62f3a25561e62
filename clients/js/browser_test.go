package js

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

func TestMain(m *testing.M) { clienttest.Main(m) }

// testPage loads the module and exposes its exports to the test's expressions.
const testPage = `<!doctype html><meta charset="utf-8"><title>test</title>
<script type="module">
import * as sdk from "/ctibridge.js";
window.sdk = sdk;
window.ready = true;
</script>`

// pageServer serves the embedded files and the test page.
func pageServer(t *testing.T) *httptest.Server {
	files := http.FileServerFS(Files)
	mux := http.NewServeMux()
	mux.HandleFunc("/test.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(testPage))
	})
	mux.Handle("/", files)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserSDK runs the module in headless Chromium against two bridge instances sharing
// Redis and a simulator: commands and events, then the instance the page is connected to is
// killed and the page must continue on the other with exactly the events of the log. The
// example page pops up an incoming call.
func TestBrowserSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium, Redis, a simulator and two bridges")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := pageServer(t)
	rd := redistest.Start(t)
	sim := clienttest.StartPBXSim(t, "-extensions", "200-219")
	cfg := clienttest.DemoConfig(sim.Primary, sim.Standby, fmt.Sprintf(
		"store:\n  driver: redis\n  lease_ttl: 1s\n  redis:\n    addrs: [%q]\nweb:\n  allowed_origins: [%q]\n", rd.Addr, srv.URL))
	a := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Config: cfg, Args: []string{"-instance-id", "bridge-a"}})
	b := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Config: cfg, Args: []string{"-instance-id", "bridge-b"}})

	br := testkit.StartBrowser(t)
	p := br.Open(t, srv.URL+"/test.html")
	p.Until("module loaded", "window.ready === true")

	// Errors a page can act on.
	var msg string
	p.Must(`new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "wrong"}).connect().then(() => "connected", (e) => e.message)`, &msg)
	if !strings.Contains(msg, "unauthorized") {
		t.Fatalf("bad token: %q", msg)
	}
	p.Must(`new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "sam-demo-token", lines: ["demo/999"]}).connect().then(() => "connected", (e) => e.code + " " + e.message)`, &msg)
	if !strings.HasPrefix(msg, "unknown_line") || !strings.Contains(msg, "demo/999") {
		t.Fatalf("unknown line: %q", msg)
	}
	if err := p.Eval(`sdk.wsURL("ftp://x")`, nil); err == nil || !strings.Contains(err.Error(), "scheme") {
		t.Fatalf("bad URL scheme: %v", err)
	}

	var user string
	p.Must(`(async () => {
		window.rec = [];
		window.c = new sdk.CTIBridgeClient({urls: [`+q(a.WSURL)+`, `+q(b.WSURL)+`], token: "sam-demo-token",
			lines: ["demo/202"], minBackoff: 50, maxBackoff: 500});
		c.addEventListener("event", (e) => rec.push({o: e.detail.position.offset, e: e.detail.position.epoch, t: e.detail.type, h: e.detail.handle || ""}));
		c.addEventListener("resync", (e) => { window.resyncs = (window.resyncs || []).concat([e.detail.reason]); window.start = {epoch: e.detail.epoch, offset: e.detail.offset}; });
		c.addEventListener("connected", (e) => { window.instance = e.detail.welcome.instance; });
		c.addEventListener("incoming", (e) => { window.incoming = e.detail.call; });
		const w = await c.connect();
		return w.user;
	})()`, &user)
	if user != "sam" {
		t.Fatalf("welcome user %q", user)
	}
	p.Until("initial resync", `JSON.stringify(window.resyncs) === '["initial"]'`)

	// An incoming call, answered and dropped through the module.
	if _, err := sim.Control.Incoming(ctx, "+4930555123", "202"); err != nil {
		t.Fatal(err)
	}
	p.Until("incoming popup data", `!!window.incoming && window.incoming.info.caller.number === "+4930555123"`)
	var h string
	p.Must(`window.incoming.handle`, &h)
	p.Must(`c.answer("demo/202", `+q(h)+`).then((r) => "ok " + r.requestId)`, &msg)
	if !strings.HasPrefix(msg, "ok ") {
		t.Fatalf("answer: %q", msg)
	}
	p.Until("connected in the mirror", `c.calls.get(`+q(h)+`)?.state === "LINECALLSTATE_CONNECTED"`)
	p.Must(`c.answer("demo/202", "demo:99999").then(() => "ok", (e) => e.result)`, &msg)
	if msg != "LINEERR_INVALCALLHANDLE" {
		t.Fatalf("answer of an unknown call: %q", msg)
	}
	p.Must(`c.drop("demo/202", `+q(h)+`).then(() => "ok", (e) => e.message)`, &msg)
	if msg != "ok" {
		t.Fatalf("drop: %q", msg)
	}
	p.Until("call gone from the mirror", `c.callsOf("demo/202").length === 0 && sdk.lineStatus(c.lines.get("demo/202"), []) === "idle"`)

	// Kill the instance the page uses; it must go on with bridge-b from its cursor.
	a.Kill()
	p.Until("reconnected to bridge-b", `window.instance === "bridge-b" && c.connected`)
	admin, err := client.NewREST(b.URL, clienttest.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "bridge-b owns the link", func() bool {
		ls, err := admin.Links(ctx)
		return err == nil && len(ls) == 1 && ls[0].Owner == "bridge-b" && ls[0].Active != ""
	})
	if _, err := sim.Control.Incoming(ctx, "+4930555124", "202"); err != nil {
		t.Fatal(err)
	}
	p.Until("second call offered", `window.incoming.info.caller.number === "+4930555124"`)
	for _, act := range []string{"answer", "hangup"} {
		if err := sim.Control.Device(ctx, "202", act, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Ended: the mirror dropped the call it had seen (other events, e.g. the link's, may follow
	// its last LINE_CALLSTATE on a loaded machine).
	p.Until("second call ended", `c.callsOf("demo/202").length === 0 && rec.some((r) => r.t === "LINE_CALLSTATE" && r.h === window.incoming.handle)`)
	p.Until("no resync after the failover", `JSON.stringify(window.resyncs) === '["initial"]'`)

	type recEv struct {
		O uint64 `json:"o"`
		E string `json:"e"`
		T string `json:"t"`
		H string `json:"h"`
	}
	var got []recEv
	var start client.Position
	p.Must(`rec`, &got)
	p.Must(`window.start`, &start)
	ref, err := client.Dial(ctx, client.Config{URLs: []string{b.URL}, Token: clienttest.SamToken,
		Lines: []string{"demo/202"}, Resume: map[string]client.Position{"demo": start}})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	var want []recEv
	last := got[len(got)-1]
	for ev := range ref.Events() {
		if _, ok := ev.(*client.Synced); ok {
			break
		}
		if e, ok := ev.(*client.TAPIEvent); ok && e.Position.Offset <= last.O {
			want = append(want, recEv{O: e.Position.Offset, E: e.Position.Epoch, T: string(e.Type), H: string(e.Handle)})
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("page events differ from the log:\n got %v\nwant %v", got, want)
	}

	// The example page pops up an incoming call.
	ex := br.Open(t, srv.URL+"/example.html?url="+b.WSURL+"&token=sam-demo-token&line=demo/203")
	ex.Until("example connected", `document.getElementById("status").textContent.startsWith("connected to bridge-b")`)
	if _, err := sim.Control.Incoming(ctx, "+4930555125", "203"); err != nil {
		t.Fatal(err)
	}
	ex.Until("popup", `[...document.querySelectorAll(".popup h2")].some((h) => h.textContent === "Call from +4930555125")`)
	if err := sim.Control.Device(ctx, "203", "answer", nil); err != nil {
		t.Fatal(err)
	}
	ex.Until("popup gone after answer", `document.querySelectorAll(".popup").length === 0`)
	p.Must(`c.close(), true`, nil)
}

// pageWithBridge starts a simulator (simArgs) and a bridge configured by config (with the
// test page's origin allowed), waits for its lines, and opens the test page.
func pageWithBridge(t *testing.T, config func(primary, standby, extra string) string, simArgs ...string) (*testkit.Page, *clienttest.PBXSim, *clienttest.Bridge) {
	t.Helper()
	srv := pageServer(t)
	sim := clienttest.StartPBXSim(t, simArgs...)
	b := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Config: config(sim.Primary, sim.Standby,
		fmt.Sprintf("web:\n  allowed_origins: [%q]\n", srv.URL))})
	clienttest.WaitInService(t, b.URL)
	p := testkit.StartBrowser(t).Open(t, srv.URL+"/test.html")
	p.Until("module loaded", "window.ready === true")
	return p, sim, b
}

// q quotes a string for JavaScript.
func q(s string) string { return fmt.Sprintf("%q", s) }

package js

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestBrowserOmitLines runs the module in headless Chromium with omitLines: a supervisor page
// subscribed to every line gets a welcome without lines, learns them from the subscription,
// sees a call, and a second page resumes from the first one's cursors (a replay, no resync),
// with a cursor for an unknown PBX among them that is dropped rather than refused.
func TestBrowserOmitLines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium, a simulator and a bridge")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, sim, b := pageWithBridge(t, clienttest.DemoConfig)
	var omitted bool
	p.Must(`(async () => {
		window.s = new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "sam-demo-token", all: true, omitLines: true});
		s.addEventListener("incoming", (e) => { window.incoming = e.detail.call; });
		const w = await s.connect();
		return w.linesOmitted === true && w.lines.length === 0;
	})()`, &omitted)
	if !omitted {
		t.Fatal("the welcome listed lines although the page asked for omitLines")
	}
	p.Until("lines from the resync", `s.lines.has("demo/201") && s.lines.has("demo/202")`)
	if _, err := sim.Control.Incoming(ctx, "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	p.Until("incoming call", `!!window.incoming && window.incoming.info.caller.number === "+4930555123"`)

	p.Must(`(async () => {
		window.resyncs = []; window.syncs = [];
		const cursors = Object.assign({}, s.cursors, {ghost: {epoch: "0123456789abcdef", offset: 7}});
		s.close();
		window.r = new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "sam-demo-token", all: true, omitLines: true, resume: cursors});
		r.addEventListener("resync", (e) => resyncs.push(e.detail.pbx));
		r.addEventListener("synced", (e) => syncs.push(e.detail.pbx));
		await r.connect();
		return true;
	})()`, nil)
	p.Until("resumed", `syncs.includes("demo")`)
	p.Until("without a resync", `resyncs.length === 0 && !("ghost" in r.cursors)`)
	p.Must(`r.close(), true`, nil)
}

// TestBrowserOmitLinesRefused: a bridge older than the hello's omitLines refuses the member
// (bad_field, then closes with 4001, as strict decoding made every bridge do); the page
// connects again without it and gets the full welcome (clienttest.OldBridge).
func TestBrowserOmitLinesRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	old := clienttest.StartOldBridge(t)
	srv := pageServer(t)
	p := testkit.StartBrowser(t).Open(t, srv.URL+"/test.html")
	p.Until("module loaded", "window.ready === true")
	var lines string
	p.Must(`(async () => {
		const c = new sdk.CTIBridgeClient({url: `+q(old.URL)+`, token: "sam-demo-token", omitLines: true});
		const w = await c.connect();
		c.close();
		return w.lines.map((l) => l.name).join(",");
	})()`, &lines)
	if lines != "demo/202" {
		t.Fatalf("welcome lines %q, want the old bridge's full welcome", lines)
	}
	if hellos := old.Hellos(); len(hellos) != 2 || !strings.Contains(hellos[0], `"omitLines":true`) || strings.Contains(hellos[1], "omitLines") {
		t.Fatalf("hellos = %q, want one with omitLines, then one without", hellos)
	}
}

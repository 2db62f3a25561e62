package web

import (
	"os"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestConsoleLayout puts a busy morning on the console (a call in progress, one waiting,
// colleagues ringing, on a call, away, forwarded), checks that at 420 px wide the grid and
// the controls are on screen without horizontal scrolling, and with -update-screenshots saves
// docs/console.png (1280 px) and docs/console-420.png.
func TestConsoleLayout(t *testing.T) {
	c := newConsole(t)
	b := c.b
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Earlier calls for the recent calls: one answered, one the caller gave up on.
	_, err := c.sim.IncomingCall("+4930555444", "203")
	must(err)
	b.WaitFor("earlier caller rings", myState, "ringing")
	must(c.sim.Answer("203"))
	b.WaitFor("earlier caller answered", myState, "busy")
	must(c.sim.HangUp("203"))
	b.WaitFor("earlier call over", myState, "idle")
	_, err = c.sim.IncomingCall("+4917012345", "203")
	must(err)
	b.WaitFor("missed caller rings", myState, "ringing")
	must(c.sim.HangUp("+4917012345"))
	b.WaitFor("missed caller gone", myState, "idle")
	b.WaitFor("recent calls", `String(document.querySelectorAll("#history tbody tr[data-id]").length >= 2 || document.getElementById("recent").hidden)`, "true")

	_, err = c.sim.IncomingCall("+4930555123", "203")
	must(err)
	b.WaitFor("first caller rings", myState, "ringing")
	b.Click("#answer")
	b.WaitFor("first caller answered", myState, "busy")
	_, err = c.sim.IncomingCall("+4930555777", "202")
	must(err)
	_, err = c.sim.Dial("204", "205")
	must(err)
	must(c.sim.Answer("205"))
	_, err = c.branch.Dial("301", "302")
	must(err)
	must(c.sim.SetDoNotDisturb("206", true))
	must(c.sim.SetForwarding("207", csta.ForwardImmediate, true, "+4930999", 0))
	b.WaitFor("colleagues", "["+tileStatus("hq/202")+", "+tileStatus("hq/204")+", "+tileStatus("hq/206")+", "+
		tileStatus("hq/207")+", "+tileStatus("branch/302")+`].join(" ")`, "ringing busy dnd forwarded ringing")
	// Let the talk timer show some time.
	b.WaitFor("timer runs", `document.querySelector("#calls .call .timer").textContent >= "0:02"`, "true")
	screenshot(t, b, "console.png", 1280)

	b.Call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 420, "height": 900, "deviceScaleFactor": 1, "mobile": true}, nil)
	b.WaitFor("narrow viewport", `String(window.innerWidth)`, "420")
	b.WaitFor("no horizontal scroll", `String(document.documentElement.scrollWidth <= window.innerWidth)`, "true")
	// Every control of the own line and every tile lies within the 420 px.
	for _, sel := range []string{`#calls [data-act="hold"]`, `#calls [data-act="transfer"]`,
		`#calls [data-act="hangup"]`, "#dial-number", "#dial", "#search", `#grid .ext[data-line="hq/202"] [data-act="pickup"]`, "#logout"} {
		b.WaitFor(sel+" on screen", `(() => { const e = document.querySelector(`+testkit.JSString(sel)+`); if (!e) return "missing";
			const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth ? "ok" : JSON.stringify(r); })()`, "ok")
	}
	b.WaitFor("all tiles within the width", `[...document.querySelectorAll("#grid .ext")].filter((e) => {
		const r = e.getBoundingClientRect(); return r.width === 0 || r.left < 0 || r.right > window.innerWidth; }).length`, "0")
	b.WaitFor("tiles side by side", `(() => { const t = [...document.querySelectorAll('#grid .group[data-pbx="hq"] .ext')];
		return String(t[0].getBoundingClientRect().top === t[1].getBoundingClientRect().top); })()`, "true")

	// The next caller: the popup's buttons fit too.
	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("first call ended", myState, "idle")
	_, err = c.sim.IncomingCall("+4989777000", "203")
	must(err)
	b.WaitFor("next caller rings", myState, "ringing")
	for _, sel := range []string{"#answer", "#decline"} {
		b.WaitFor(sel+" on screen", `(() => { const e = document.querySelector(`+testkit.JSString(sel)+`); if (!e) return "missing";
			const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth ? "ok" : JSON.stringify(r); })()`, "ok")
	}
	b.WaitFor("still no horizontal scroll", `String(document.documentElement.scrollWidth <= window.innerWidth)`, "true")
	screenshot(t, b, "console-420.png", 420)
}

// TestConsoleScreenshotsInREADME: the README shows the console's screenshots, and they exist.
func TestConsoleScreenshotsInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, png := range []string{"docs/console.png", "docs/console-420.png", "docs/console-trouble.png",
		"docs/console-agents.png", "docs/console-agents-420.png"} {
		if !strings.Contains(string(readme), png) {
			t.Errorf("README.md does not show %s", png)
		}
		if st, err := os.Stat("../" + png); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (go test ./web -run TestConsoleLayout -update-screenshots): %v", png, err)
		}
	}
}

package web

import (
	"net/http"
	"testing"
	"time"
)

// TestConsoleOwnLineSettings: do not disturb and forwarding of the own line, switched in the
// console, reach the switch and come back as the line's state.
func TestConsoleOwnLineSettings(t *testing.T) {
	c := newConsole(t)
	b := c.b
	b.Text(`document.getElementById("settings").open = true; true`)
	b.Click("#dnd")
	c.eventually(10*time.Second, "DND on at the switch", func() bool { d, _ := c.sim.Device("203"); return d.DND })
	b.WaitFor("own tile", tileStatus("hq/203"), "dnd")
	b.WaitFor("checkbox", `String(document.getElementById("dnd").checked)`, "true")
	b.Click("#dnd")
	c.eventually(10*time.Second, "DND off at the switch", func() bool { d, _ := c.sim.Device("203"); return !d.DND })
	b.WaitFor("own tile free", tileStatus("hq/203"), "idle")

	b.Text(`document.getElementById("fwd-number").value = "209"; document.getElementById("fwd").requestSubmit(); true`)
	c.eventually(10*time.Second, "forwarding at the switch", func() bool {
		d, _ := c.sim.Device("203")
		return len(d.Forwards) == 1 && d.Forwards[0].To == "209"
	})
	b.WaitFor("forwarded", `document.getElementById("fwd-state").textContent + " | " + `+tileStatus("hq/203"), "Forwarded to 209 | forwarded")
	b.Click("#fwd-off")
	c.eventually(10*time.Second, "forwarding off at the switch", func() bool { d, _ := c.sim.Device("203"); return len(d.Forwards) == 0 })
	b.WaitFor("not forwarded", `document.getElementById("fwd-state").textContent`, "Not forwarded")
}

// TestConsoleRecentCalls: the recent calls panel follows GET /api/v1/history: shown with the
// finished call when the bridge has it, hidden without an error while it answers 404.
func TestConsoleRecentCalls(t *testing.T) {
	c := newConsole(t)
	b := c.b
	if _, err := c.sim.IncomingCall("+4930555777", "203"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("rings", myState, "ringing")
	b.Click("#answer")
	b.WaitFor("answered", myState, "busy")
	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("hung up", myState, "idle")

	req, _ := http.NewRequest(http.MethodGet, c.hs.URL+"/api/v1/history?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+tokSue)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		// The page asked at login, got 404 and stopped asking: no panel, no error.
		b.WaitFor("the page asked for the history", `String(performance.getEntriesByType("resource")
			.some((r) => new URL(r.name).pathname === "/api/v1/history"))`, "true")
		b.WaitFor("no panel", `String(document.getElementById("recent").hidden)`, "true")
		b.WaitFor("no error", `document.getElementById("flash").hidden + " " + document.getElementById("conn").dataset.state`, "true connected")
		return
	}
	b.WaitFor("panel", `String(document.getElementById("recent").hidden)`, "false")
	b.WaitFor("the call", `String(!![...document.querySelectorAll("#history tbody tr")].find((r) => r.dataset.line === "hq/203" && r.textContent.includes("+4930555777")))`, "true")
}

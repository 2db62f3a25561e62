package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// connState is the state of a device's only connection in the simulator, "" when it has
// none or several.
func connState(sim *pbxsim.PBX, dev string) string {
	d, ok := sim.Device(dev)
	if !ok || len(d.Connections) != 1 {
		return ""
	}
	return strings.ToLower(string(d.Connections[0].State))
}

// TestConsoleAnswerHoldTransferByDrag: a colleague calls the receptionist; the popup and a
// browser notification name the caller; Answer takes the call, its card counts the talk time,
// Hold and Retrieve work; then the call is dragged onto Bob's tile and rings there.
//
// A ringing call dragged from the popup onto Dana's tile is sent on. How the drag is done:
// drag (console_env_test.go).
func TestConsoleAnswerHoldTransferByDrag(t *testing.T) {
	c := newConsole(t)
	b := c.b
	if _, err := c.sim.Dial("201", "203"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("popup", `document.getElementById("popup").hidden ? "" :
		document.getElementById("popup-name").textContent + " " + document.getElementById("popup-caller").textContent`, "Alice 201")
	b.WaitFor("notification", `notes.join(",")`, "Call from Alice | 201")
	b.WaitFor("own tile rings", tileStatus("hq/203"), "ringing")
	if got := b.Text(`document.querySelector('#grid .ext[data-line="hq/203"] .status').textContent`); !strings.HasPrefix(got, "ringing") {
		t.Fatalf("own tile says %q", got)
	}

	b.Click("#answer")
	b.WaitFor("answered", myState, "busy")
	c.eventually(10*time.Second, "203 talks in the simulator", func() bool { return connState(c.sim, "203") == "connected" })
	b.WaitFor("call card", `document.querySelector("#calls .call")?.dataset.state + " " + document.querySelector("#calls .call .party")?.textContent`, "connected Alice")
	b.WaitFor("popup gone", `document.getElementById("popup").hidden`, "true")
	timer := b.Text(`document.querySelector("#calls .call .timer").textContent`)
	if !regexp.MustCompile(`^\d+:\d\d$`).MatchString(timer) {
		t.Fatalf("call timer %q", timer)
	}
	b.WaitFor("notification closed once answered", `notes.join(",")`, "Call from Alice | 201,closed Call from Alice")

	b.Click(`#calls [data-act="hold"]`)
	b.WaitFor("held", `document.querySelector("#calls .call")?.dataset.state`, "onhold")
	c.eventually(10*time.Second, "203 holds in the simulator", func() bool { return connState(c.sim, "203") == "hold" })
	b.Click(`#calls [data-act="retrieve"]`)
	b.WaitFor("retrieved", `document.querySelector("#calls .call")?.dataset.state`, "connected")
	b.Press("r")
	b.WaitFor("held with R", `document.querySelector("#calls .call")?.dataset.state`, "onhold")
	b.Press("r")
	b.WaitFor("retrieved with R", `document.querySelector("#calls .call")?.dataset.state`, "connected")

	// Drag the call onto Bob's tile.
	drag(t, b, "#calls .call", `#grid .ext[data-line="hq/202"]`)
	b.WaitFor("Bob's tile rings", tileStatus("hq/202"), "ringing")
	c.eventually(10*time.Second, "202 rings in the simulator and 203 is free", func() bool {
		return connState(c.sim, "202") == "alerting" && connState(c.sim, "203") == ""
	})
	b.WaitFor("own line free", myState, "idle")
	b.WaitFor("Bob's tile names the caller", `document.querySelector('#grid .ext[data-line="hq/202"] .who')?.textContent`, "Alice")

	// A ringing call dragged from the popup is sent on (redirect) without answering it.
	if _, err := c.sim.IncomingCall("+4930555111", "203"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("popup", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555111")
	drag(t, b, "#popup", `#grid .ext[data-line="hq/204"]`)
	b.WaitFor("Dana's tile rings", tileStatus("hq/204"), "ringing")
	b.WaitFor("popup gone", `document.getElementById("popup").hidden`, "true")
	c.eventually(10*time.Second, "204 rings in the simulator and 203 is free", func() bool {
		return connState(c.sim, "204") == "alerting" && connState(c.sim, "203") == ""
	})
}

// TestConsoleConsultTransfer: the receptionist asks Bob first (setupTransfer), then completes
// the transfer; a second caller dropped on Frank's tile with Shift held is asked about first
// too, and Escape cancels that and takes the caller back.
func TestConsoleConsultTransfer(t *testing.T) {
	c := newConsole(t)
	b := c.b
	if _, err := c.sim.IncomingCall("+4930555777", "203"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("popup", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555777")
	b.Press("a")
	b.WaitFor("answered with A", myState, "busy")

	b.Press("t")
	b.WaitFor("transfer form", `document.getElementById("xfer").hidden`, "false")
	b.Click(`#grid .ext[data-line="hq/202"]`) // a click on a tile fills in its number
	b.WaitFor("number from the tile", `document.getElementById("xfer-number").value`, "202")
	b.Click("#xfer-ask")
	b.WaitFor("consultation", `[...document.querySelectorAll("#calls .call")].map((e) => e.dataset.state).join(" ")`, "onholdpendtransfer ringback")
	b.WaitFor("Bob rings", tileStatus("hq/202"), "ringing")
	if err := c.sim.Answer("202"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("Bob talks", `document.querySelector('#calls .call [data-act="complete"]') ? "yes" : "no"`, "yes")
	b.Click(`#calls [data-act="complete"]`)
	b.WaitFor("own line free", myState, "idle")
	c.eventually(10*time.Second, "the caller talks to Bob", func() bool {
		d, _ := c.sim.Device("202")
		return connState(c.sim, "202") == "connected" && len(d.Connections) == 1 && connState(c.sim, "203") == ""
	})

	// A second caller; the receptionist starts to ask Frank and thinks better of it.
	if _, err := c.sim.IncomingCall("+4930555888", "203"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("second popup", `document.getElementById("popup").hidden ? "" : document.getElementById("popup-caller").textContent`, "+4930555888")
	b.Click("#answer")
	b.WaitFor("answered", myState, "busy")
	// Shift while dropping the call on Frank's tile: ask first.
	dragWith(t, b, "#calls .call", `#grid .ext[data-line="hq/206"]`, 8)
	b.WaitFor("Frank rings", tileStatus("hq/206"), "ringing")
	b.WaitFor("consultation", `[...document.querySelectorAll("#calls .call")].map((e) => e.dataset.state).join(" ")`, "onholdpendtransfer ringback")
	b.Text(`document.activeElement.blur(); true`)
	b.Press("Escape")
	b.WaitFor("caller back", `[...document.querySelectorAll("#calls .call")].map((e) => e.dataset.state).join(" ")`, "connected")
	b.WaitFor("Frank no longer rings", tileStatus("hq/206"), "idle")
}

// TestConsolePickup: Bob's phone rings; his tile shows the caller and "Pick up", which takes
// the call to the receptionist's line; H hangs it up.
func TestConsolePickup(t *testing.T) {
	c := newConsole(t)
	b := c.b
	if _, err := c.sim.IncomingCall("+4930555999", "202"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("Bob's tile rings", tileStatus("hq/202"), "ringing")
	b.WaitFor("caller on the tile", `document.querySelector('#grid .ext[data-line="hq/202"] .who')?.textContent`, "+4930555999")
	if got := b.Text(`document.querySelector('#grid .ext[data-line="hq/201"] [data-act="pickup"]') ? "yes" : "no"`); got != "no" {
		t.Fatal("an idle tile offers pick up")
	}
	b.Click(`#grid .ext[data-line="hq/202"] [data-act="pickup"]`)
	b.WaitFor("picked up", myState, "busy")
	b.WaitFor("the caller on the card", `document.querySelector("#calls .call .party")?.textContent`, "+4930555999")
	c.eventually(10*time.Second, "203 talks and 202 is free in the simulator", func() bool {
		return connState(c.sim, "203") == "connected" && connState(c.sim, "202") == ""
	})
	b.WaitFor("Bob's tile free", tileStatus("hq/202"), "idle")
	b.Press("h")
	b.WaitFor("hung up with H", myState, "idle")

	// P picks up the ringing colleague; "Transfer now" sends the call on.
	if _, err := c.sim.IncomingCall("+4930555998", "204"); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("Dana's tile rings", tileStatus("hq/204"), "ringing")
	b.Press("p")
	b.WaitFor("picked up with P", myState, "busy")
	b.Click(`#calls [data-act="transfer"]`)
	b.Text(`document.getElementById("xfer-number").value = "205"; true`)
	b.Click("#xfer-now")
	b.WaitFor("Eve's tile rings", tileStatus("hq/205"), "ringing")
	b.WaitFor("own line free", myState, "idle")
	c.eventually(10*time.Second, "205 rings in the simulator", func() bool { return connState(c.sim, "205") == "alerting" })
}

// TestConsoleLinkTrouble: with both nodes of hq down the header says so instead of
// "connected", and hq's lines are out of service; the header recovers with the link.
func TestConsoleLinkTrouble(t *testing.T) {
	c := newConsole(t)
	b := c.b
	b.WaitFor("header", `document.getElementById("conn").textContent`, "connected")
	c.primary.Kill()
	c.standby.Kill()
	b.WaitFor("header shows the trouble", `(() => { const e = document.getElementById("conn");
		return e.dataset.state + " " + /^hq: (phone system unreachable|not connected)/.test(e.textContent); })()`, "trouble true")
	b.WaitFor("hq lines out of service", tileStatus("hq/201"), "out_of_service")
	b.WaitFor("in words", `document.querySelector('#grid .ext[data-line="hq/201"] .status').textContent`, "out of service")
	b.WaitFor("branch unaffected", tileStatus("branch/301"), "idle")
	b.WaitFor("links table", `document.querySelector('#links tr[data-pbx="hq"]').className`, "trouble")
	screenshot(t, b, "console-trouble.png", 1280)

	if err := c.primary.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("header recovered", `document.getElementById("conn").dataset.state + " " + document.getElementById("conn").textContent`, "connected connected")
	b.WaitFor("hq lines back", tileStatus("hq/201"), "idle")
}

// TestConsoleSearch: the search box filters tiles by name, number or PBX; / focuses it and
// Escape clears it.
func TestConsoleSearch(t *testing.T) {
	c := newConsole(t)
	b := c.b
	visible := `[...document.querySelectorAll("#grid .ext")].filter((e) => !e.hidden).map((e) => e.dataset.line).join(" ")`
	b.Press("/")
	b.WaitFor("search focused", `document.activeElement.id`, "search")
	b.Call("Input.insertText", map[string]any{"text": "ju"}, nil)
	b.WaitFor("found Judy", visible, "branch/302")
	b.WaitFor("hq group hidden", `document.querySelector('#grid .group[data-pbx="hq"]').hidden`, "true")
	b.Text(`const s = document.getElementById("search"); s.value = "hq 20"; s.dispatchEvent(new Event("input")); true`)
	b.WaitFor("hq 20x", `document.querySelectorAll("#grid .ext:not([hidden])").length`, "10")
	b.Press("Escape")
	b.WaitFor("cleared", `document.querySelectorAll("#grid .ext:not([hidden])").length`, "14")
}

// TestConsoleWords: what the console says is in words, not codes: a refused number, a call's
// state, and the SDK's LINEERR_* results and link trouble as the words module puts them.
func TestConsoleWords(t *testing.T) {
	c := newConsole(t)
	b := c.b
	b.Text(`document.getElementById("dial-number").value = "12#*9999999999999999999999999999999999"; document.getElementById("dialer").requestSubmit(); true`)
	b.WaitFor("refused number", `(() => { const s = document.getElementById("dial-result").textContent;
		return s.startsWith("Could not call") && !/LINEERR|bad_field|_/.test(s) ? "ok" : s; })()`, "ok")
	got := b.Text(`import("/static/words.js").then((w) => [
		w.errorWords({message: "LINEERR_INVALADDRESS", result: "LINEERR_INVALADDRESS"}),
		w.errorWords({message: "LINEERR_INVALCALLSTATE: the line is ringing", result: "LINEERR_INVALCALLSTATE"}),
		w.callStateWord("LINECALLSTATE_RINGBACK"),
		w.STATUS.out_of_service,
		w.linkTrouble({pbx: "hq", active: "", owner: "test-1", nodes: [{status: "down"}, {status: "down"}]}),
		w.linkTrouble({pbx: "hq", active: "primary", owner: "test-1", nodes: [{status: "up"}], degraded: "store writes failing"}),
		w.linkTrouble({pbx: "hq", active: "primary", owner: "test-1", nodes: [{status: "up"}], unmonitored: 3, unmonitoredReason: "securityViolation"}),
		w.linkTrouble({pbx: "hq", active: "standby", owner: "test-1", nodes: [{status: "down"}, {status: "up"}]}),
		w.partyWords({number: "201", name: "Alice"}),
		w.duration(3723000),
	].join("|"))`)
	want := strings.Join([]string{"that number is not valid", "the line is ringing", "ringing at the other end", "out of service",
		"hq: phone system unreachable (all nodes down)", "hq: link degraded (store writes failing)",
		"hq: 3 lines not monitored (securityViolation)", "", "Alice (201)", "1:02:03"}, "|")
	if got != want {
		t.Fatalf("words:\n got %s\nwant %s", got, want)
	}
}

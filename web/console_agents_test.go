package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// acdConsole is the console (sue, receptionist at hq/203) with two ACD groups on hq: Sales
// (600: agents 201-204, wrap-up long enough to stay until the agent ends it) and Support
// (610: agents 205, 206), both monitored as groups.
func acdConsole(t *testing.T, web ...func(*Config)) *consoleEnv {
	var w func(*Config)
	if len(web) > 0 {
		w = web[0]
	}
	return newConsole(t, consoleOpts{web: w,
		sim: func(c *pbxsim.Config) {
			c.HuntGroups = []pbxsim.HuntGroup{
				{Number: "600", Members: []string{"201", "202", "203", "204"}, ACD: true, WrapUp: time.Hour},
				{Number: "610", Members: []string{"205", "206"}, ACD: true},
			}
		},
		engine: func(c *cti.Config) {
			c.PBXs[0].Groups = []string{"600", "610"}
			c.PBXs[0].DisplayNames["600"], c.PBXs[0].DisplayNames["610"] = "Sales", "Support"
		},
	})
}

// boardFigures is what a group's wall board shows, in the order boardExpr writes it.
type boardFigures struct {
	Waiting  int               `json:"waiting"`
	Ready    int               `json:"ready"`
	Busy     int               `json:"busy"`
	WrapUp   int               `json:"wrapUp"`
	NotReady int               `json:"notReady"`
	Longest  bool              `json:"longest"` // a longest wait is shown (ticking)
	Agents   map[string]string `json:"agents"`  // line -> data-state
}

// boardExpr reads group's board from the page as boardFigures' JSON.
func boardExpr(group string) string {
	return `(() => { const b = document.querySelector('#boards .board[data-group="` + group + `"]'); if (!b) return "no board";
		const f = (n) => +b.querySelector('[data-fig="' + n + '"] b').textContent;
		return JSON.stringify({waiting: f("waiting"), ready: f("ready"), busy: f("busy"), wrapUp: f("wrapUp"), notReady: f("notReady"),
			longest: !!b.querySelector('[data-fig="longest"] b').dataset.since,
			agents: Object.fromEntries([...b.querySelectorAll("tr[data-line]")].map((r) => [r.dataset.line, r.dataset.state]))}); })()`
}

// simStates are the console's words (data-state) for the simulator's agent states.
var simStates = map[csta.AgentState]string{csta.AgentNull: "loggedoff", csta.AgentNotReady: "notready",
	csta.AgentReady: "ready", csta.AgentBusy: "busy", csta.AgentWorkingAfterCall: "wrapup"}

// matchTruth waits until group's board shows the simulator's ground truth: its queue figures
// and every agent that is logged on, plus those of loggedOff (which the bridge saw log off).
func (c *consoleEnv) matchTruth(t *testing.T, what, group string, loggedOff ...string) {
	t.Helper()
	g, ok := c.sim.Group(group)
	if !ok {
		t.Fatalf("no group %s in the simulator", group)
	}
	want := boardFigures{Waiting: g.Waiting, Ready: g.Ready, Busy: g.Busy, WrapUp: g.WrapUp, NotReady: g.NotReady,
		Longest: !g.LongestWaitStart.IsZero(), Agents: map[string]string{}}
	for _, a := range c.sim.Agents() {
		if a.Group == group && a.State != csta.AgentNull {
			want.Agents["hq/"+a.Device] = simStates[a.State]
		}
	}
	for _, l := range loggedOff {
		want.Agents[l] = "loggedoff"
	}
	js, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	c.b.WaitFor(what+": the board of "+group+" shows the simulator's truth", boardExpr("hq/"+group), string(js))
}

// simAgent waits until the simulator has ext's agent in group in state st.
func (c *consoleEnv) simAgent(t *testing.T, ext, group string, st csta.AgentState, reason string) {
	t.Helper()
	c.eventually(10*time.Second, ext+" is "+string(st)+" in the simulator", func() bool {
		for _, a := range c.sim.Agents() {
			if a.Device == ext && a.Group == group {
				return a.State == st && a.Reason == reason
			}
		}
		return false
	})
}

const myAgent600 = `#agent-groups .agent[data-group="600"]`

// myAgentState is the own line's agent state in group 600 on the agent bar.
const myAgentState = `(document.querySelector('` + myAgent600 + `')?.dataset.state ?? "none")`

// TestConsoleAgentBarAndWallBoard: the receptionist logs on to Sales on the agent bar, goes
// ready, takes a call from the group's queue, wraps up, goes not ready with a reason and logs
// off, every step sent to the switch (the simulator's ground truth follows). Meanwhile the wall
// board shows Sales' calls waiting, the longest wait ticking, the agents by state and each
// agent's state, equal to the simulator's figures at every step. A user who may not see the
// groups gets no wall board, and sees the agent bar of their own line.
func TestConsoleAgentBarAndWallBoard(t *testing.T) {
	c := acdConsole(t)
	b := c.b
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	b.WaitFor("wall board", `document.getElementById("wallboard").hidden + " " +
		[...document.querySelectorAll("#boards .board")].map((e) => e.dataset.group).join(" ")`, "false hq/600 hq/610")
	b.WaitFor("groups are not tiles", `String(!!document.querySelector('#grid .ext[data-line="hq/600"]'))`, "false")
	c.matchTruth(t, "nobody logged on", "600")

	// Colleagues: Alice not ready (reason 12), Bob ready; Support: Eve ready, Frank not ready.
	must(c.sim.SetAgentState("201", "600", csta.ReqLoggedOn, "", ""))
	must(c.sim.SetAgentState("201", "600", csta.ReqNotReady, "", "12"))
	must(c.sim.SetAgentState("202", "600", csta.ReqLoggedOn, "", ""))
	must(c.sim.SetAgentState("202", "600", csta.ReqReady, "", ""))
	must(c.sim.SetAgentState("205", "610", csta.ReqLoggedOn, "", ""))
	must(c.sim.SetAgentState("205", "610", csta.ReqReady, "", ""))
	must(c.sim.SetAgentState("206", "610", csta.ReqLoggedOn, "", ""))
	must(c.sim.SetAgentState("206", "610", csta.ReqNotReady, "", "30"))
	c.matchTruth(t, "colleagues logged on", "600")
	c.matchTruth(t, "support", "610")
	b.WaitFor("reason on the board", `document.querySelector('#boards tr[data-line="hq/201"] .reason')?.textContent`, " (12)")

	// Log on on the agent bar: not ready at first (as the switch does it), then ready.
	if got := b.Text(myAgentState); got != "none" {
		t.Fatalf("agent bar before log on: %s", got)
	}
	b.Text(`document.getElementById("agent-logon").open = true; document.getElementById("agent-group").value = "600";
		document.getElementById("agent-logon-form").requestSubmit(); true`)
	c.simAgent(t, "203", "600", csta.AgentNotReady, "")
	b.WaitFor("logged on", myAgentState, "notready")
	b.WaitFor("group named", `document.querySelector('`+myAgent600+` .grp').textContent`, "Group 600 Sales")
	b.Click(myAgent600 + ` [data-act="ready"]`)
	c.simAgent(t, "203", "600", csta.AgentReady, "")
	b.WaitFor("ready", myAgentState, "ready")
	c.matchTruth(t, "two ready", "600")

	// Three callers: Bob (ready longest) and the receptionist get one each, one waits.
	for _, from := range []string{"+4930555101", "+4930555102", "+4930555103"} {
		_, err := c.sim.IncomingCall(from, "600")
		must(err)
	}
	c.eventually(10*time.Second, "one call waits at 600", func() bool { g, _ := c.sim.Group("600"); return g.Waiting == 1 && g.Busy == 2 })
	c.matchTruth(t, "one waits", "600")
	b.WaitFor("busy on the bar", myAgentState, "busy")
	b.WaitFor("longest wait ticks", `document.querySelector('#boards .board[data-group="hq/600"] [data-fig="longest"] b').textContent >= "0:01"`, "true")
	b.Click("#answer")
	b.WaitFor("answered", myState, "busy")

	// Hanging up puts the receptionist into wrap-up; the waiting caller stays queued.
	b.Click(`#calls [data-act="hangup"]`)
	c.simAgent(t, "203", "600", csta.AgentWorkingAfterCall, "")
	b.WaitFor("wrap-up on the bar", myAgentState, "wrapup")
	b.WaitFor("wrap-up time shown", `document.querySelector('`+myAgent600+` .timer').textContent >= "0:00"`, "true")
	c.matchTruth(t, "wrap-up", "600")
	screenshot(t, b, "console-agents.png", 1280)
	c.checkNarrow(t)

	// Ready again: the queued caller comes to the receptionist at once.
	b.Click(myAgent600 + ` [data-act="ready"]`)
	c.eventually(10*time.Second, "the queue emptied to 203", func() bool { g, _ := c.sim.Group("600"); return g.Waiting == 0 && g.Busy == 2 })
	c.matchTruth(t, "queue empty", "600")
	b.WaitFor("no longest wait", `document.querySelector('#boards .board[data-group="hq/600"] [data-fig="longest"] b').textContent`, "–")
	b.WaitFor("busy again", myAgentState, "busy")
	b.Click("#answer")
	b.WaitFor("answered", myState, "busy")
	b.Click(`#calls [data-act="hangup"]`)
	b.WaitFor("wrap-up again", myAgentState, "wrapup")

	// Not ready with a reason code, then log off.
	b.Text(`document.getElementById("agent-reason").value = "5"; true`)
	b.Click(myAgent600 + ` [data-act="notReady"]`)
	c.simAgent(t, "203", "600", csta.AgentNotReady, "5")
	b.WaitFor("not ready with the reason", myAgentState+` + " " + document.querySelector('`+myAgent600+` .reason')?.textContent`, "notready reason 5")
	c.matchTruth(t, "receptionist away", "600")
	b.Text(`document.getElementById("agent-reason").value = ""; true`)
	b.Click(myAgent600 + ` [data-act="loggedOff"]`)
	c.simAgent(t, "203", "600", csta.AgentNull, "")
	b.WaitFor("logged off", myAgentState, "loggedoff")
	c.matchTruth(t, "receptionist gone", "600", "hq/203")

	// Alice (a user of hq/201) sees no group: no wall board; her own agent state on the bar.
	b.Click("#logout")
	b.Text(`document.getElementById("token").value = "` + tokAlice + `"; document.getElementById("login").requestSubmit(); true`)
	b.WaitFor("alice's line", `document.getElementById("my-name").dataset.own`, "hq/201")
	b.WaitFor("alice's agent bar", myAgentState+` + " " + document.querySelector('`+myAgent600+` .reason')?.textContent`, "notready reason 12")
	b.WaitFor("group without its name (alice may not see the group's line)", `document.querySelector('`+myAgent600+` .grp').textContent`, "Group 600")
	b.WaitFor("no wall board", `document.getElementById("wallboard").hidden + " " + document.querySelectorAll("#boards .board").length`, "true 0")
}

// checkNarrow: at 420 px the agent bar's controls and the wall board fit without horizontal
// scrolling.
func (c *consoleEnv) checkNarrow(t *testing.T) {
	t.Helper()
	b := c.b
	b.Call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 420, "height": 900, "deviceScaleFactor": 1, "mobile": true}, nil)
	defer b.Call("Emulation.clearDeviceMetricsOverride", map[string]any{}, nil)
	b.WaitFor("narrow viewport", `String(window.innerWidth)`, "420")
	b.WaitFor("no horizontal scroll", `String(document.documentElement.scrollWidth <= window.innerWidth)`, "true")
	screenshot(t, b, "console-agents-420.png", 420)
	for _, sel := range []string{myAgent600 + ` [data-act="ready"]`, myAgent600 + ` [data-act="loggedOff"]`, "#agent-reason",
		`#boards .board[data-group="hq/600"] [data-fig="waiting"]`, `#boards .board[data-group="hq/600"] [data-fig="notReady"]`,
		`#boards tr[data-line="hq/202"]`} {
		b.WaitFor(sel+" on screen", `(() => { const e = document.querySelector(`+testkit.JSString(sel)+`); if (!e) return "missing";
			const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth ? "ok" : JSON.stringify(r); })()`, "ok")
	}
}

// TestConsoleSupervisorSetsAgents: a supervisor whose lines include Sales' group line sets the
// state of Sales' agents from the wall board (the switch follows); Support's board, whose line
// is not the supervisor's, offers no buttons; the own line stays the receptionist's.
func TestConsoleSupervisorSetsAgents(t *testing.T) {
	c := acdConsole(t, func(cfg *Config) {
		for i := range cfg.Users {
			if cfg.Users[i].Name == "sue" {
				cfg.Users[i].Lines = append(cfg.Users[i].Lines, "hq/600")
			}
		}
	})
	b := c.b
	for _, l := range []struct{ ext, group string }{{"201", "600"}, {"205", "610"}} {
		if err := c.sim.SetAgentState(l.ext, l.group, csta.ReqLoggedOn, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.sim.SetAgentState(l.ext, l.group, csta.ReqReady, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	c.matchTruth(t, "alice ready", "600")
	c.matchTruth(t, "eve ready", "610")
	b.WaitFor("own line", `document.getElementById("my-name").dataset.own`, "hq/203")
	row := `#boards .board[data-group="hq/600"] tr[data-line="hq/201"]`
	b.WaitFor("buttons for Sales only", `[...document.querySelectorAll("#boards tr[data-line] button")].map((e) => e.closest("tr").dataset.line + ":" + e.dataset.act).join(" ")`,
		"hq/201:notReady hq/201:loggedOff")
	b.Click(row + ` [data-act="notReady"]`)
	c.simAgent(t, "201", "600", csta.AgentNotReady, "")
	c.matchTruth(t, "alice set not ready", "600")
	b.Click(row + ` [data-act="loggedOff"]`)
	c.simAgent(t, "201", "600", csta.AgentNull, "")
	c.matchTruth(t, "alice logged off", "600", "hq/201")
}

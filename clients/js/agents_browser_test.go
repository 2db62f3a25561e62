package js

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
)

// TestBrowserAgents runs the module in headless Chromium against pbxsim's ACD group 600: an
// agent page logs on, gets ready and not ready with a reason ("agent" events, agentsOf); a
// supervisor page sees the group's figures ("queue" events, queueOf), a caller waiting.
func TestBrowserAgents(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium, a simulator and a bridge")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, sim, b := pageWithBridge(t, clienttest.ACDConfig, "-acd", "600=201,202,203")
	p.Must(`(async () => {
		window.agentEvs = []; window.queueEvs = 0;
		window.a = new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "alice-demo-token", lines: ["demo/201"]});
		a.addEventListener("agent", (e) => agentEvs.push(e.detail.line + " " + e.detail.agent.group + " " + e.detail.agent.state));
		await a.connect();
		window.s = new sdk.CTIBridgeClient({urls: [`+q(b.WSURL)+`], token: "admin-demo-token", all: true});
		s.addEventListener("queue", (e) => { if (e.detail.line === "demo/600") queueEvs++; });
		await s.connect();
		await a.logOn("demo/201", "600", "a17");
		await a.setAgentState("demo/201", "ready");
		return true;
	})()`, nil)
	p.Until("agent events", `agentEvs.includes("demo/201 600 LINEAGENTSTATE_NOTREADY") && agentEvs.includes("demo/201 600 LINEAGENTSTATE_READY")`)
	p.Until("the agent in the mirror", `a.agentsOf("demo/201").length === 1 && a.agentsOf("demo/201")[0].state === "LINEAGENTSTATE_READY" && a.agentsOf("demo/201")[0].agentId === "a17"`)
	p.Until("the group's figures", `queueEvs > 0 && s.queueOf("demo/600")?.ready === 1 && s.queueOf("demo/201") === null`)

	var msg string
	p.Must(`a.setAgentState("demo/201", "notReady", "", "7").then(() => "ok", (e) => e.message)`, &msg)
	if msg != "ok" {
		t.Fatalf("not ready: %q", msg)
	}
	p.Until("reason code", `a.agentsOf("demo/201")[0].reasonCode === "7"`)
	if _, err := sim.Control.Incoming(ctx, "+4930555123", "600"); err != nil {
		t.Fatal(err)
	}
	p.Until("a caller waiting", `s.queueOf("demo/600").waiting?.length === 1 && s.queueOf("demo/600").notReady === 1`)
	p.Must(`a.setAgentState("demo/201", "ready", "699").then(() => "ok", (e) => e.result)`, &msg)
	if msg != "LINEERR_INVALAGENTGROUP" {
		t.Fatalf("unknown group: %q", msg)
	}
	p.Must(`a.close(), s.close(), true`, nil)
}

package client_test

import (
	"errors"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

// agentState matches a LINE_AGENTSTATUS of line entering state.
func agentState(line string, state tapi.AgentState) func(client.Event) bool {
	return func(ev client.Event) bool {
		e, ok := ev.(*client.TAPIEvent)
		return ok && e.Type == tapi.LineAgentStatus && e.Line == line && e.AgentStatus.Agent.State == state
	}
}

// TestAgentsAndQueue: an agent logs on and sets its states over the WebSocket and REST; the
// mirror and the REST views follow, a call waits in the group's queue while nobody is ready
// and is distributed when the agent gets ready. Against pbxsim's ACD.
func TestAgentsAndQueue(t *testing.T) {
	sim, b := clienttest.StartACD(t)
	ctx := testCtx(t)
	alice := dial(t, client.Config{URLs: []string{b.WSURL}, Token: clienttest.AliceToken, All: true})
	admin := dial(t, client.Config{URLs: []string{b.WSURL}, Token: clienttest.AdminToken, All: true})
	rest, err := client.NewREST(b.URL, clienttest.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	aliceREST, err := client.NewREST(b.URL, clienttest.AliceToken, nil)
	if err != nil {
		t.Fatal(err)
	}

	if err := alice.LogOn(ctx, "demo/201", "600", "a17"); err != nil {
		t.Fatalf("LogOn: %v", err)
	}
	next(t, alice, "logged on, not ready", agentState("demo/201", tapi.LINEAGENTSTATE_NOTREADY))
	if err := alice.SetAgentState(ctx, "demo/201", "", "ready", ""); err != nil {
		t.Fatalf("SetAgentState ready: %v", err)
	}
	next(t, alice, "ready", agentState("demo/201", tapi.LINEAGENTSTATE_READY))
	if a := alice.Agents("demo/201"); len(a) != 1 || a[0].Group != "600" || a[0].State != tapi.LINEAGENTSTATE_READY || a[0].AgentID != "a17" {
		t.Fatalf("mirror's agents of demo/201: %+v", a)
	}
	clienttest.Eventually(t, "the group's figures count the ready agent", func() bool {
		q, ok := admin.Queue("demo/600")
		return ok && q.LoggedOn == 1 && q.Ready == 1
	})
	if _, ok := admin.Queue("demo/201"); ok {
		t.Fatal("Queue of an agent's line: ok")
	}
	views, err := rest.Agents(ctx)
	if err != nil || len(views) != 1 || views[0].Line != "demo/201" || views[0].State != tapi.LINEAGENTSTATE_READY {
		t.Fatalf("REST Agents: %+v, %v", views, err)
	}

	// Not ready with a reason over REST; a caller waits in the queue.
	if err := aliceREST.SetAgentState(ctx, "demo/201", client.AgentRequest{State: "notReady", ReasonCode: "7"}); err != nil {
		t.Fatalf("REST SetAgentState: %v", err)
	}
	ev := next(t, alice, "not ready", agentState("demo/201", tapi.LINEAGENTSTATE_NOTREADY)).(*client.TAPIEvent)
	if ev.AgentStatus.Agent.ReasonCode != "7" {
		t.Fatalf("reason code %q", ev.AgentStatus.Agent.ReasonCode)
	}
	if _, err := sim.Control.Incoming(ctx, "+4989123456", "600"); err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "one call waiting", func() bool {
		q, _ := admin.Queue("demo/600")
		return q.Calls() == 1 && !q.LongestWaitStart.IsZero()
	})
	g, err := rest.Group(ctx, "demo/600")
	if err != nil || g.Group != "600" || g.Queue.Calls() != 1 || g.Queue.NotReady != 1 {
		t.Fatalf("REST Group: %+v, %v", g, err)
	}

	// Ready: the waiting call goes to the agent.
	if err := alice.SetAgentState(ctx, "demo/201", "600", "ready", ""); err != nil {
		t.Fatal(err)
	}
	next(t, alice, "busy with the ACD call", agentState("demo/201", tapi.LINEAGENTSTATE_BUSYACD))
	clienttest.Eventually(t, "queue empty, agent busy", func() bool {
		q, _ := admin.Queue("demo/600")
		return q.Calls() == 0 && q.Busy == 1
	})

	// Refusals carry the agent LINEERR_* codes and problem types.
	var re *client.ReplyError
	if err := alice.SetAgentState(ctx, "demo/201", "699", "ready", ""); !errors.As(err, &re) || re.Result != tapi.LINEERR_INVALAGENTGROUP {
		t.Fatalf("unknown group: %v", err)
	}
	var ae *client.APIError
	if err := aliceREST.SetAgentState(ctx, "demo/201", client.AgentRequest{State: "asleep"}); !errors.As(err, &ae) || ae.Status != 422 || ae.Result != tapi.LINEERR_INVALAGENTSTATE {
		t.Fatalf("unknown state over REST: %v", err)
	}
	if _, err := rest.Group(ctx, "demo/201"); !errors.As(err, &ae) || ae.Status != 404 {
		t.Fatalf("a line that is no group: %v", err)
	}
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
)

// TestAgentCommands: an agent logs on, gets ready and not ready with a reason; agents lists
// it, group shows a caller waiting; against pbxsim's ACD group 600.
func TestAgentCommands(t *testing.T) {
	sim, br := clienttest.StartACD(t)
	tok := clienttest.AliceToken
	ok(t, br, tok, []string{"demo/201: loggedOn in group 600"}, "agent", "demo/201", "loggedOn", "600", "--agent-id", "a17")
	ok(t, br, tok, []string{"demo/201: ready in every group"}, "agent", "demo/201", "ready")
	ok(t, br, clienttest.AdminToken, []string{"GROUP", "demo/201", "600", "READY", "a17"}, "agents")
	ok(t, br, tok, nil, "agent", "demo/201", "notReady", "--reason", "7")
	out := ok(t, br, tok, nil, "agents", "--json")
	var agents []client.AgentView
	if err := json.Unmarshal([]byte(out), &agents); err != nil || len(agents) != 1 || agents[0].ReasonCode != "7" {
		t.Fatalf("agents --json = %s (%v)", out, err)
	}
	if _, err := sim.Control.Incoming(context.Background(), "+4930555123", "600"); err != nil {
		t.Fatal(err)
	}
	r, err := client.NewREST(br.URL, clienttest.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "a call waiting at 600", func() bool {
		g, err := r.Group(context.Background(), "demo/600")
		return err == nil && g.Queue.Calls() == 1
	})
	ok(t, br, clienttest.AdminToken, []string{"group demo/600: 1 waiting", "1 logged on, 0 ready, 0 busy, 1 not ready"}, "group", "demo/600")

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"agent", "demo/201", "asleep"}, 2, "STATE: loggedOn"},
		{[]string{"agent", "demo/201"}, 2, "LINE STATE [GROUP]"},
		{[]string{"agent", "demo/201", "ready", "699"}, 1, "LINEERR_INVALAGENTGROUP"},
		{[]string{"group", "demo/201"}, 1, "HTTP 404"},
	} {
		out, errOut, code := cli(t, nil, append([]string{"-url", br.URL, "-token", tok}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("cticlient %v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}

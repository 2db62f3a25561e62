package web

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/web/webhook"
)

// TestAgentStateWebhooksMatchTheSimulator: a subscription made through REST for agent.state
// at hq/201 receives each of the agent's state changes as the switch makes them (log on, ready,
// busy with an ACD call, wrap-up, ready, log off with a reason), each with the state before;
// after every step the last delivery's state is the simulator's.
func TestAgentStateWebhooksMatchTheSimulator(t *testing.T) {
	e := webhookEnv(t, time.Minute, envOpts{
		sim: func(c *pbxsim.Config) {
			c.HuntGroups = []pbxsim.HuntGroup{{Number: "600", Members: []string{"201", "202"}, ACD: true, WrapUp: time.Hour}}
		},
		engine: func(c *cti.Config) { c.PBXs[0].Groups = []string{"600"} },
	})
	rcv := newWebhookReceiver(t, "k1")
	r := e.do("POST", "/api/v1/webhooks", tokRoot, map[string]any{"id": "wfm", "url": rcv.srv.URL, "secret": "k1",
		"lines": []string{"hq/201"}, "kinds": []string{webhook.KindAgentState}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

	step := func(what string, n int, do func()) webhook.Payload {
		t.Helper()
		do()
		e.eventually(10*time.Second, what, func() bool { return len(rcv.payloads()) >= n })
		got := rcv.payloads()
		require.Len(t, got, n, "%s: one delivery per state change", what)
		p := got[n-1]
		require.Equal(t, webhook.KindAgentState, p.Kind)
		require.Equal(t, "hq/201", p.Line)
		require.NotNil(t, p.Agent)
		truth := e.sim.Agents()[0]
		require.Equal(t, "201", truth.Device)
		require.Equal(t, reducer.AgentState(truth.State), p.Agent.State, "%s: the simulator's state", what)
		if truth.State != csta.AgentNull { // the simulator keeps not-ready reasons only
			require.Equal(t, truth.Reason, p.Agent.ReasonCode, what)
		}
		require.Equal(t, "600", p.Agent.Group)
		if n > 1 {
			require.Equal(t, got[n-2].Agent.State, p.Agent.PreviousState, "%s: the state before", what)
			require.True(t, got[n-2].Agent.Since.Equal(p.Agent.PreviousSince), what)
		}
		return p
	}
	must := func(err error) {
		t.Helper()
		require.NoError(t, err)
	}
	step("logged on", 1, func() { must(e.sim.SetAgentState("201", "600", csta.ReqLoggedOn, "", "")) })
	step("ready", 2, func() { must(e.sim.SetAgentState("201", "600", csta.ReqReady, "", "")) })
	step("busy with a queued call", 3, func() {
		_, err := e.sim.IncomingCall("+4930555001", "600")
		must(err)
	})
	must(e.sim.Answer("201"))
	step("wrap-up after the call", 4, func() { must(e.sim.HangUp("201")) })
	step("ready again", 5, func() { must(e.sim.SetAgentState("201", "600", csta.ReqReady, "", "")) })
	p := step("logged off", 6, func() { must(e.sim.SetAgentState("201", "600", csta.ReqLoggedOff, "", "7")) })
	require.Equal(t, "7", p.Agent.ReasonCode, "the log-off reason")
	var states []tapi.AgentState
	for _, p := range rcv.payloads() {
		states = append(states, p.Agent.State)
	}
	require.Equal(t, []tapi.AgentState{tapi.LINEAGENTSTATE_NOTREADY, tapi.LINEAGENTSTATE_READY, tapi.LINEAGENTSTATE_BUSYACD,
		tapi.LINEAGENTSTATE_WORKINGAFTERCALL, tapi.LINEAGENTSTATE_READY, tapi.LINEAGENTSTATE_LOGGEDOFF}, states)
}

// TestOpenAPIWebhookKinds: the kinds openapi.json allows in a subscription (read and create)
// are webhook.Kinds.
func TestOpenAPIWebhookKinds(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	for _, schema := range []string{"Webhook", "WebhookCreate"} {
		require.Equal(t, webhook.Kinds, doc.Components.Schemas[schema].Properties["kinds"].Items.Enum, schema)
	}
}

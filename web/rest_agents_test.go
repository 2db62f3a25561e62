package web

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
)

// acdEnv is a bridge whose simulator has ACD group 600 (agents 201-203), monitored as a group.
func acdEnv(t *testing.T) *env {
	return newEnv(t, envOpts{
		sim: func(c *pbxsim.Config) {
			c.HuntGroups = []pbxsim.HuntGroup{{Number: "600", Members: []string{"201", "202", "203"}, ACD: true}}
		},
		engine: func(c *cti.Config) { c.PBXs[0].Groups = []string{"600"} },
	})
}

// TestRESTAgentsAndGroup: GET /api/v1/agents lists the agent states of the lines a token may
// see; GET /api/v1/groups/{pbx}/{ext} the queue figures of a monitored group, to tokens that
// may see the group's line.
func TestRESTAgentsAndGroup(t *testing.T) {
	e := acdEnv(t)
	require.NoError(t, e.sim.SetAgentState("201", "600", csta.ReqLoggedOn, "", ""))
	require.NoError(t, e.sim.SetAgentState("201", "600", csta.ReqNotReady, "", "12"))
	require.NoError(t, e.sim.SetAgentState("202", "600", csta.ReqLoggedOn, "", ""))
	require.NoError(t, e.sim.SetAgentState("202", "600", csta.ReqReady, "", ""))
	for _, from := range []string{"+4930555001", "+4930555002"} {
		_, err := e.sim.IncomingCall(from, "600")
		require.NoError(t, err)
	}
	var group groupView
	e.eventually(10*time.Second, "one call with 202, one waiting", func() bool {
		r := e.do("GET", "/api/v1/groups/hq/600", tokSue, nil)
		if r.status != http.StatusOK {
			return false
		}
		r.decode(t, &group)
		return group.Queue.Calls() == 1 && group.Queue.Busy == 1
	})
	truth, _ := e.sim.Group("600")
	require.True(t, group.Queue.LongestWaitStart.After(time.Time{}))
	require.Equal(t, groupView{Line: "hq/600", PBX: "hq", Group: "600", Queue: tapi.QueueStatus{
		Waiting: group.Queue.Waiting, LongestWaitStart: group.Queue.LongestWaitStart,
		LoggedOn: truth.LoggedOn, Busy: truth.Busy, NotReady: truth.NotReady}}, group)

	var all struct{ Agents []agentView }
	e.do("GET", "/api/v1/agents", tokSue, nil).decode(t, &all)
	require.Len(t, all.Agents, 2)
	require.Equal(t, agentView{Line: "hq/201", DisplayName: "Alice", AgentStatus: tapi.AgentStatus{Group: "600", AgentID: "201",
		State: tapi.LINEAGENTSTATE_NOTREADY, ReasonCode: "12", Since: all.Agents[0].Since}}, all.Agents[0])
	require.Equal(t, "hq/202", all.Agents[1].Line)
	require.Equal(t, tapi.LINEAGENTSTATE_BUSYACD, all.Agents[1].State)

	var own struct{ Agents []agentView }
	e.do("GET", "/api/v1/agents", tokAlice, nil).decode(t, &own)
	require.Equal(t, all.Agents[:1], own.Agents, "a user sees the agent states of its own lines")

	for _, tc := range []struct{ path, token string }{
		{"/api/v1/groups/hq/600", tokAlice}, // alice may not see the group's line
		{"/api/v1/groups/hq/201", tokSue},   // a line, not a group
		{"/api/v1/groups/hq/699", tokSue},   // nothing
	} {
		r := e.do("GET", tc.path, tc.token, nil)
		require.Equal(t, http.StatusNotFound, r.status, tc.path)
		require.Equal(t, "group", r.problem(t).Field)
	}
}

// TestRESTSetAgentState: an agent sets its own state through PUT .../agent (the op
// setAgentState, one check with the WebSocket); the bridge's view and the switch agree; bad
// values, other lines and the PBX's refusals get problems.
func TestRESTSetAgentState(t *testing.T) {
	e := acdEnv(t)
	put := func(token, line string, body any) apiResp {
		return e.do("PUT", "/api/v1/lines/hq/"+line+"/agent", token, body)
	}
	require.Equal(t, http.StatusOK, put(tokAlice, "201", agentBody{AgentState: "loggedOn", Group: "600", AgentID: "a1"}).status)
	require.Equal(t, http.StatusOK, put(tokAlice, "201", agentBody{AgentState: "notReady", ReasonCode: "12"}).status)
	var own struct{ Agents []agentView }
	e.eventually(10*time.Second, "201 not ready with reason 12", func() bool {
		e.do("GET", "/api/v1/agents", tokAlice, nil).decode(t, &own)
		return len(own.Agents) == 1 && own.Agents[0].State == tapi.LINEAGENTSTATE_NOTREADY && own.Agents[0].ReasonCode == "12"
	})
	require.Equal(t, "a1", own.Agents[0].AgentID)
	truth := e.sim.Agents()
	require.Equal(t, "201", truth[0].Device)
	require.Equal(t, csta.AgentNotReady, truth[0].State)
	require.Equal(t, "12", truth[0].Reason)

	for _, tc := range []struct {
		token, line string
		body        any
		status      int
		field       string
	}{
		{tokAlice, "201", agentBody{AgentState: "sleeping"}, http.StatusUnprocessableEntity, "agentState"},
		{tokAlice, "201", agentBody{}, http.StatusBadRequest, "agentState"},
		{tokAlice, "201", `{"agentState":"ready","password":"x"}`, http.StatusBadRequest, ""},
		{tokAlice, "202", agentBody{AgentState: "ready"}, http.StatusNotFound, "line"},                      // not alice's line
		{tokSue, "201", agentBody{AgentState: "ready"}, http.StatusForbidden, "line"},                       // sees it, does not control it
		{tokAlice, "201", agentBody{AgentState: "ready", Group: "601"}, http.StatusUnprocessableEntity, ""}, // PBX: invalidAgentGroup
	} {
		r := put(tc.token, tc.line, tc.body)
		require.Equal(t, tc.status, r.status, "%+v: %s", tc.body, r.body)
		if tc.field != "" {
			require.Equal(t, tc.field, r.problem(t).Field, "%+v", tc.body)
		}
	}
	// The PBX refuses ready after logging off: the agent must log on first.
	require.Equal(t, http.StatusOK, put(tokAlice, "201", agentBody{AgentState: "loggedOff"}).status)
	r := put(tokAlice, "201", agentBody{AgentState: "ready"})
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Equal(t, tapi.LINEERR_INVALAGENTSTATE, r.problem(t).Result)
}

// TestWSAgentEvents: setAgentState over the WebSocket; a supervisor subscribed to the agent's
// line and the group's line receives LINE_AGENTSTATUS and LINE_QUEUESTATUS.
func TestWSAgentEvents(t *testing.T) {
	e := acdEnv(t)
	sup, _ := e.connect(tokSue)
	sup.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201", "hq/600"}})
	sup.expect("synced")
	agent, _ := e.connect(tokAlice)
	agent.send(map[string]any{"type": "command", "id": 7, "op": "setAgentState", "line": "hq/201", "agentState": "loggedOn", "group": "600"})
	rep := agent.untilEvent(tapi.LineReply, "hq/201", nil)
	require.Equal(t, uint32(7), rep.Event.Reply.RequestID)
	require.Zero(t, rep.Event.Reply.Result, rep.Event.Reply.Error)

	st := sup.untilEvent(tapi.LineAgentStatus, "hq/201", nil)
	require.Equal(t, tapi.AgentStatus{Group: "600", AgentID: "201", State: tapi.LINEAGENTSTATE_NOTREADY, Since: st.Event.Time},
		st.Event.AgentStatus.Agent)
	q := sup.untilEvent(tapi.LineQueueStatus, "hq/600", nil)
	require.Equal(t, tapi.QueueStatus{LoggedOn: 1, NotReady: 1}, *q.Event.QueueStatus)

	// A member the op does not take is refused before the PBX sees it.
	agent.send(map[string]any{"type": "command", "id": 8, "op": "dnd", "line": "hq/201", "enable": true, "reasonCode": "5"})
	rep = agent.untilEvent(tapi.LineReply, "hq/201", func(ev *tapi.Event) bool { return ev.Reply.RequestID == 8 })
	require.Equal(t, tapi.LINEERR_INVALPARAM, rep.Event.Reply.Result)
}

// TestSupervisorSetsAgentsOfItsGroup: a supervisor whose lines include a group's line may set
// the agent state of that group's agents (naming the group), and nothing else.
func TestSupervisorSetsAgentsOfItsGroup(t *testing.T) {
	e := newEnv(t, envOpts{
		sim: func(c *pbxsim.Config) {
			c.HuntGroups = []pbxsim.HuntGroup{{Number: "600", Members: []string{"201", "202", "203"}, ACD: true}}
		},
		engine: func(c *cti.Config) { c.PBXs[0].Groups = []string{"600"} },
		web: func(c *Config) {
			for i := range c.Users {
				if c.Users[i].Name == "sue" {
					c.Users[i].Lines = append(c.Users[i].Lines, "hq/600")
				}
			}
		},
	})
	require.NoError(t, e.sim.SetAgentState("201", "600", csta.ReqLoggedOn, "", ""))
	e.eventually(10*time.Second, "201 logged on at the bridge", func() bool {
		l, _ := e.eng.Line("hq/201")
		_, ok := l.Agent("600")
		return ok
	})
	put := func(line string, body agentBody) apiResp {
		return e.do("PUT", "/api/v1/lines/hq/"+line+"/agent", tokSue, body)
	}
	require.Equal(t, http.StatusOK, put("201", agentBody{AgentState: "notReady", Group: "600", ReasonCode: "99"}).status)
	e.eventually(10*time.Second, "201 not ready with the supervisor's reason", func() bool {
		a := e.sim.Agents()[0]
		return a.Device == "201" && a.State == csta.AgentNotReady && a.Reason == "99"
	})
	for _, tc := range []struct {
		line string
		body agentBody
	}{
		{"201", agentBody{AgentState: "ready"}},               // no group named
		{"202", agentBody{AgentState: "ready", Group: "600"}}, // not an agent of 600 as far as the bridge knows
	} {
		r := put(tc.line, tc.body)
		require.Equal(t, http.StatusForbidden, r.status, "%+v: %s", tc, r.body)
	}
	r := e.do("PUT", "/api/v1/lines/hq/201/dnd", tokSue, map[string]bool{"enable": true})
	require.Equal(t, http.StatusForbidden, r.status, "only agent states")
}

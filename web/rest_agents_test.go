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

package reducer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestSetAgentsKeepsReasons: after a resync GetAgentState's answer sets the states; an
// unchanged state keeps the reason code and since-time of its event, a changed one loses the
// reason; the group is recounted.
func TestSetAgentsKeepsReasons(t *testing.T) {
	s, _ := runGroups(t, []string{"201", "202"}, []string{"600"}, seq(
		agent(csta.AgentEventNotReady, "201", "600", "", "12", "201"),
		agent(csta.AgentEventNotReady, "202", "600", "", "7", "202")))
	since, _ := s.Line("201")
	later := t0.Add(time.Minute)
	resp := func(st csta.AgentState) *csta.GetAgentStateResponse {
		return &csta.GetAgentStateResponse{Agents: []csta.AgentStateEntry{{LoggedOn: true,
			Info: []csta.AgentInfo{{ACDGroup: csta.Device("600"), State: st}}}}}
	}
	r := s.SetAgents("201", resp(csta.AgentNotReady), later)
	require.Empty(t, r.Events, "nothing changed")
	r = s.SetAgents("202", resp(csta.AgentReady), later)
	require.Len(t, r.Events, 2)
	require.Equal(t, tapi.LineAgentStatus, r.Events[0].Type)
	require.Equal(t, tapi.LineQueueStatus, r.Events[1].Type)

	l, _ := s.Line("201")
	a, _ := l.Agent("600")
	require.Equal(t, "12", a.ReasonCode)
	require.Equal(t, since.Agents[0].Since, a.Since)
	l, _ = s.Line("202")
	a, _ = l.Agent("600")
	require.Equal(t, tapi.AgentStatus{Group: "600", AgentID: "202", State: tapi.LINEAGENTSTATE_READY, Since: later}, a)
	g, _ := s.Line("600")
	require.Equal(t, tapi.QueueStatus{LoggedOn: 2, Ready: 1, NotReady: 1}, *g.Queue)
}

// TestReconcileQueue: a snapshot of the group's device keeps the wait start of calls still
// queued, drops the others and adds those it shows with the resync's time.
func TestReconcileQueue(t *testing.T) {
	queued := func(id string) []at {
		return to(&csta.QueuedEvent{EventCommon: ec(csta.CauseEnteringDistribution), QueuedConnection: cn(id, "600"), Queue: dev("600")}, "600")
	}
	s, _ := runGroups(t, nil, []string{"600"}, seq(queued("C1"), queued("C2")))
	later := t0.Add(time.Minute)
	item := func(id string) csta.SnapshotDeviceItem {
		return csta.SnapshotDeviceItem{Connection: cn(id, "600"), States: []csta.LocalConnectionState{csta.StateQueued}}
	}
	r := s.Reconcile(map[string][]csta.SnapshotDeviceItem{"600": {item("C2"), item("C3")}}, nil, later)
	require.Len(t, r.Events, 1)
	g, _ := s.Line("600")
	require.Equal(t, []tapi.QueuedCall{{CallID: "C2", Since: t0.Add(time.Second)}, {CallID: "C3", Since: later}}, g.Queue.Waiting)
	require.Equal(t, t0.Add(time.Second), g.Queue.LongestWaitStart)
	require.Empty(t, s.Calls(""), "a group's line holds no calls")
}

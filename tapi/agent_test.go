package tapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestReadModelAgentEvents: LINE_AGENTSTATUS replaces the line's entry of the event's group
// (others stay), LINE_QUEUESTATUS the line's queue; both ignore unknown lines.
func TestReadModelAgentEvents(t *testing.T) {
	m := tapi.NewReadModel()
	m.PutLine(tapi.NewLine("hq", "201", ""))
	m.PutLine(tapi.NewLine("hq", "600", ""))
	at := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	agent := func(group string, s tapi.AgentState, reason string) *tapi.Event {
		return &tapi.Event{V: tapi.WireVersion, Type: tapi.LineAgentStatus, Line: "hq/201", Time: at,
			AgentStatus: &tapi.AgentStatusEvent{Changed: []string{tapi.AgentChangedState},
				Agent: tapi.AgentStatus{Group: group, State: s, ReasonCode: reason, Since: at}}}
	}
	for _, ev := range []*tapi.Event{agent("600", tapi.LINEAGENTSTATE_NOTREADY, "12"),
		agent("601", tapi.LINEAGENTSTATE_READY, ""), agent("600", tapi.LINEAGENTSTATE_READY, "")} {
		require.NoError(t, ev.Validate())
		require.True(t, m.Apply(ev))
	}
	l, ok := m.Line("hq/201")
	require.True(t, ok)
	require.Equal(t, []tapi.AgentStatus{{Group: "600", State: tapi.LINEAGENTSTATE_READY, Since: at},
		{Group: "601", State: tapi.LINEAGENTSTATE_READY, Since: at}}, l.Agents)

	q := &tapi.QueueStatus{Waiting: []tapi.QueuedCall{{CallID: "7", Since: at}}, LongestWaitStart: at, LoggedOn: 1, Busy: 1}
	ev := &tapi.Event{V: tapi.WireVersion, Type: tapi.LineQueueStatus, Line: "hq/600", Time: at, QueueStatus: q}
	require.NoError(t, ev.Validate())
	require.True(t, m.Apply(ev))
	l, _ = m.Line("hq/600")
	require.True(t, l.Queue.Equal(q))
	q.Waiting[0].CallID = "changed"
	l, _ = m.Line("hq/600")
	require.Equal(t, "7", l.Queue.Waiting[0].CallID, "the model keeps a copy")

	ev.Line = "hq/999"
	require.False(t, m.Apply(ev))
	require.Equal(t, uint64(1), m.Ignored())

	b, err := json.Marshal(agent("600", tapi.LINEAGENTSTATE_WORKINGAFTERCALL, ""))
	require.NoError(t, err)
	require.Contains(t, string(b), `"agentStatus":{"changed":["LINEAGENTSTATUS_STATE"],"agent":{"group":"600","state":"LINEAGENTSTATE_WORKINGAFTERCALL","since":"2026-12-06T14:00:00Z"}}`)
	back, err := tapi.DecodeEventStrict(b)
	require.NoError(t, err)
	require.Equal(t, tapi.LINEAGENTSTATE_WORKINGAFTERCALL, back.AgentStatus.Agent.State)
}

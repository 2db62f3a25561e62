package webhook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// agentEvent is the LINE_AGENTSTATUS the engine writes when pbx/ext's agent entry for group
// changes.
func agentEvent(pbx, ext string, a tapi.AgentStatus, changed ...string) tapi.Event {
	line := tapi.LineName(pbx, ext)
	return tapi.Event{V: tapi.WireVersion, Type: tapi.LineAgentStatus, Time: a.Since, PBX: pbx, Line: line,
		Device: tapi.LineDeviceID(line), AgentStatus: &tapi.AgentStatusEvent{Changed: changed, Agent: a}}
}

// TestDeliversAgentStateChanges: a subscription to agent.state gets each state change of the
// agents on its lines, with the reason code and the state before; a change of the pending
// state alone, queue figures and call events are not agent.state; a subscription to call
// kinds gets no agent events.
func TestDeliversAgentStateChanges(t *testing.T) {
	st := newStore(t)
	wfm, crm := newReceiver(t), newReceiver(t)
	eng := newEngine(t, st, "hq")
	agentSub := sub("wfm", wfm.srv.URL, "hq/201", "hq/600")
	agentSub.Kinds = []string{KindAgentState}
	callSub := sub("crm", crm.srv.URL)
	callSub.Kinds = []string{KindOffering, KindEnded}
	_, _ = startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{agentSub, callSub}})
	waitCursor(t, st, "wfm", "hq")
	waitCursor(t, st, "crm", "hq")

	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	st1 := tapi.AgentStatus{Group: "600", AgentID: "a1", State: tapi.LINEAGENTSTATE_NOTREADY, Since: t0}
	ready := st1
	ready.State, ready.Since = tapi.LINEAGENTSTATE_READY, t0.Add(time.Minute)
	busy := ready
	busy.State, busy.Since = tapi.LINEAGENTSTATE_BUSYACD, t0.Add(2*time.Minute)
	pending := busy
	pending.NextState = tapi.LINEAGENTSTATE_NOTREADY
	away := pending
	away.State, away.NextState, away.ReasonCode, away.Since = tapi.LINEAGENTSTATE_NOTREADY, 0, "12", t0.Add(3*time.Minute)
	eng.apply(store.Batch{Events: []tapi.Event{
		agentEvent("hq", "201", st1, tapi.AgentChangedGroup, tapi.AgentChangedState),
		agentEvent("hq", "202", st1, tapi.AgentChangedGroup, tapi.AgentChangedState), // another line: not wanted
		agentEvent("hq", "201", ready, tapi.AgentChangedState),
		{V: tapi.WireVersion, Type: tapi.LineQueueStatus, Time: t0, PBX: "hq", Line: "hq/600",
			QueueStatus: &tapi.QueueStatus{LoggedOn: 1, Ready: 1}},
	}})
	ringAndEnd(eng, "201", 1)
	eng.apply(store.Batch{Events: []tapi.Event{
		agentEvent("hq", "201", busy, tapi.AgentChangedState),
		agentEvent("hq", "201", pending, tapi.AgentChangedNextState), // no state change
		agentEvent("hq", "201", away, tapi.AgentChangedState, tapi.AgentChangedNextState),
	}})

	require.Eventually(t, func() bool { return len(wfm.payloads()) >= 4 && len(crm.payloads()) >= 2 }, 10*time.Second, 5*time.Millisecond)
	got := wfm.payloads()
	require.Equal(t, []string{"agent.state hq/201", "agent.state hq/201", "agent.state hq/201", "agent.state hq/201"}, kinds(got))
	want := []Agent{
		{AgentStatus: st1, Changed: []string{tapi.AgentChangedGroup, tapi.AgentChangedState}},
		{AgentStatus: ready, Changed: []string{tapi.AgentChangedState}, PreviousState: tapi.LINEAGENTSTATE_NOTREADY, PreviousSince: t0},
		{AgentStatus: busy, Changed: []string{tapi.AgentChangedState}, PreviousState: tapi.LINEAGENTSTATE_READY, PreviousSince: ready.Since},
		{AgentStatus: away, Changed: []string{tapi.AgentChangedState, tapi.AgentChangedNextState},
			PreviousState: tapi.LINEAGENTSTATE_BUSYACD, PreviousSince: busy.Since},
	}
	for i, p := range got {
		require.NotNil(t, p.Agent, "delivery %d", i)
		assert.Equal(t, want[i], *p.Agent, "delivery %d", i)
		assert.Nil(t, p.Call, "delivery %d has no call", i)
		assert.Equal(t, DeliveryID("hq", p.Epoch, p.Offset), p.ID)
		assert.Equal(t, p.Agent.Since, p.Timestamp)
	}
	assert.Equal(t, []string{"offering hq/201", "ended hq/201"}, kinds(crm.payloads()), "call kinds only")
	for _, p := range crm.payloads() {
		assert.Nil(t, p.Agent)
	}
	assert.Zero(t, wfm.badSig+crm.badSig)
}

// TestAgentStateWithAllKinds: a subscription without kinds gets agent.state too (every kind);
// a deliverer that starts at the log's end knows the states before from the stored lines.
func TestAgentStateWithAllKinds(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	onBefore := tapi.AgentStatus{Group: "600", State: tapi.LINEAGENTSTATE_READY, Since: t0}
	eng.apply(store.Batch{Lines: []tapi.Line{{Name: "hq/201", PBX: "hq", Address: "201", Agents: []tapi.AgentStatus{onBefore}}},
		Events: []tapi.Event{agentEvent("hq", "201", onBefore, tapi.AgentChangedGroup, tapi.AgentChangedState)}})
	_, _ = startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("all", rcv.srv.URL)}})
	waitCursor(t, st, "all", "hq")

	off := tapi.AgentStatus{Group: "600", State: tapi.LINEAGENTSTATE_LOGGEDOFF, ReasonCode: "3", Since: t0.Add(time.Hour)}
	eng.apply(store.Batch{Events: []tapi.Event{agentEvent("hq", "201", off, tapi.AgentChangedState)}})
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 1 }, 10*time.Second, 5*time.Millisecond)
	p := rcv.payloads()[0]
	assert.Equal(t, KindAgentState, p.Kind)
	assert.Equal(t, &Agent{AgentStatus: off, Changed: []string{tapi.AgentChangedState},
		PreviousState: tapi.LINEAGENTSTATE_READY, PreviousSince: t0}, p.Agent)
}

package csta

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Agent fixtures, shaped like the switches' own XML: a BroadWorks-style SetAgentState (ed3,
// CRLF and indentation, reason code as prefixed private data, empty agentID/password), events
// without namespace, with prefixes and OSV device decoration, and GetAgentState responses in
// the ECMA-323 and ECMA-285 spellings.
func init() {
	osv202 := DeviceID{Raw: "N<+493012345202>;noa=nk", Number: "+493012345202"}
	goldenCases = append(goldenCases, []struct {
		file string
		want Message
	}{
		{"client-SetAgentState-reason.xml", &SetAgentState{Device: Device("3012345201"), RequestedAgentState: ReqNotReady, ReasonCode: "12"}},
		{"AgentReadyEvent-nonamespace.xml", &AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "1169730071"},
			Kind: AgentEventReady, AgentDevice: Device("4711"), AgentID: "emp-1"}},
		{"AgentNotReadyEvent-prefixed.xml", &AgentStateEvent{
			EventCommon: EventCommon{MonitorCrossRefID: "1173673911", Cause: CauseNormal,
				Extensions: []byte(`<ns3:extensions><ns3:privateData><ns3:private xmlns:pri="http://schema.broadsoft.com/CSTAPrivateData"><pri:AgentNotReadyReasonValue>7</pri:AgentNotReadyReasonValue></ns3:private></ns3:privateData></ns3:extensions>`)},
			Kind: AgentEventNotReady, AgentDevice: osv202, AgentID: "4202", ACDGroup: Device("3012345600"), ReasonCode: "7"}},
		{"AgentBusyEvent-osv.xml", &AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "1173673911", Cause: CauseEnteringDistribution},
			Kind: AgentEventBusy, AgentDevice: osv202, ACDGroup: DeviceID{Absent: "notKnown"}, PendingAgentState: AgentWorkingAfterCall}},
		{"GetAgentStateResponse.xml", &GetAgentStateResponse{Agents: []AgentStateEntry{
			{AgentID: "4202", LoggedOn: true, Info: []AgentInfo{
				{ACDGroup: Device("600"), State: AgentNotReady},
				{ACDGroup: Device("601"), State: AgentBusy, Pending: AgentReady},
			}},
			{LoggedOn: false},
		}}},
		{"GetAgentStateResponse-asn1names.xml", &GetAgentStateResponse{Agents: []AgentStateEntry{
			{AgentID: "4202", LoggedOn: true, Info: []AgentInfo{{ACDGroup: Device("600"), State: AgentReady}}},
		}}},
		{"SetAgentStateResponse-pending.xml", &SetAgentStateResponse{PendingAgentState: AgentNotReady}},
	}...)
}

// A reason code set on an event the simulator builds (no raw extensions, or only the send
// time) is written as private data and read back.
func TestAgentReasonCodeEncoding(t *testing.T) {
	stamp := []byte(`<extensions><security><timestamp>20261206130000Z</timestamp></security></extensions>`)
	for _, ext := range [][]byte{nil, stamp} {
		ev := &AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "1", Extensions: ext},
			Kind: AgentEventNotReady, AgentDevice: Device("201"), ReasonCode: "42"}
		b, err := Encode(nil, ev, Ed4)
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(b), "<extensions>"), "%s", b)
		back, err := Decode(b)
		require.NoError(t, err)
		got := back.(*AgentStateEvent)
		require.Equal(t, "42", got.ReasonCode)
		require.Equal(t, AgentEventNotReady, got.Kind)
		if ext != nil {
			require.False(t, got.Timestamp.IsZero(), "send time kept next to the reason: %s", b)
		}
	}
}

// Every agent event kind decodes to AgentStateEvent with its kind, and the kinds map to states.
func TestAgentEventKinds(t *testing.T) {
	for _, k := range AgentEventKinds() {
		m, err := Decode([]byte(`<` + k + `Event><monitorCrossRefID>1</monitorCrossRefID><agentDevice><deviceIdentifier>201</deviceIdentifier></agentDevice></` + k + `Event>`))
		require.NoError(t, err)
		ev, ok := m.(*AgentStateEvent)
		require.True(t, ok, "%s: %T", k, m)
		require.Equal(t, k, ev.Kind)
		require.Equal(t, k+"Event", ev.MessageName())
		require.NotEmpty(t, AgentEventState(k), k)
	}
	require.Empty(t, AgentEventState("AgentSkillChanged"))
}

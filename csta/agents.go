package csta

// This file holds the ECMA-269 logical device (ACD agent) services and events: Set Agent State
// (§22.1.15), Get Agent State (§22.1.5) and the agent events of §22.2. Member names follow the
// ECMA-285 ASN.1 module, which ECMA-323 mirrors; see the "Agents" section of doc.go for which
// names are confirmed by a capture and which are read from the standard only.

// RequestedAgentState is the state SetAgentState asks for (ReqAgentState).
type RequestedAgentState string

// The requested agent states of ECMA-269 §22.1.15.
const (
	ReqLoggedOn         RequestedAgentState = "loggedOn"
	ReqLoggedOff        RequestedAgentState = "loggedOff"
	ReqNotReady         RequestedAgentState = "notReady"
	ReqReady            RequestedAgentState = "ready"
	ReqWorkingAfterCall RequestedAgentState = "workingAfterCall"
)

// AgentState is an agent's state relative to an ACD group, as GetAgentState reports it; the
// same values name a pending state (PendingAgentState has no agentBusy). Unknown values are
// kept as they are.
type AgentState string

// The agent states of ECMA-269 §6.1.1.6.4.
const (
	AgentNull             AgentState = "agentNull" // logged off
	AgentNotReady         AgentState = "agentNotReady"
	AgentReady            AgentState = "agentReady"
	AgentBusy             AgentState = "agentBusy"
	AgentWorkingAfterCall AgentState = "agentWorkingAfterCall"
)

// Agent event kinds: AgentStateEvent.Kind, the element name without "Event".
const (
	AgentEventLoggedOn         = "AgentLoggedOn"
	AgentEventLoggedOff        = "AgentLoggedOff"
	AgentEventReady            = "AgentReady"
	AgentEventNotReady         = "AgentNotReady"
	AgentEventWorkingAfterCall = "AgentWorkingAfterCall"
	AgentEventBusy             = "AgentBusy"
)

// AgentEventKinds lists the agent event kinds the codec registers.
func AgentEventKinds() []string {
	return []string{AgentEventLoggedOn, AgentEventLoggedOff, AgentEventReady, AgentEventNotReady,
		AgentEventWorkingAfterCall, AgentEventBusy}
}

// AgentEventState is the agent state an agent event reports: AgentNull for AgentLoggedOff,
// AgentNotReady for AgentLoggedOn (the state most switches log agents on in; pbxsim follows
// AgentLoggedOn with AgentNotReady, a switch that logs on ready with AgentReady), "" for a
// kind it does not know.
func AgentEventState(kind string) AgentState {
	switch kind {
	case AgentEventReady:
		return AgentReady
	case AgentEventLoggedOff:
		return AgentNull
	case AgentEventLoggedOn, AgentEventNotReady:
		return AgentNotReady
	case AgentEventWorkingAfterCall:
		return AgentWorkingAfterCall
	case AgentEventBusy:
		return AgentBusy
	}
	return ""
}

// SetAgentState asks the switch to change an agent's state at Device (ECMA-269 §22.1.15).
// Group is the ACD or hunt group the agent logs on to or off from (optional). ReasonCode is the
// not-ready or log-off reason; ECMA-269 has no member for it, so it travels as private data
// (see doc.go, "Agents").
type SetAgentState struct {
	Device              DeviceID
	RequestedAgentState RequestedAgentState
	AgentID             string
	Password            string
	Group               DeviceID
	ReasonCode          string
}

// SetAgentStateResponse confirms SetAgentState. PendingAgentState is set when the switch
// delays the change until the agent's current call or wrap-up ends (ed4 and later).
type SetAgentStateResponse struct {
	PendingAgentState AgentState
}

// GetAgentState asks for the agent states at Device, optionally for one ACD group only
// (ECMA-269 §22.1.5).
type GetAgentState struct {
	Device   DeviceID
	ACDGroup DeviceID
}

// GetAgentStateResponse lists the agents at the device (agentStateList, 1 to 32 entries).
type GetAgentStateResponse struct {
	Agents []AgentStateEntry
}

// AgentStateEntry is one agent at the device: whether it is logged on, and its state per group.
type AgentStateEntry struct {
	AgentID  string
	LoggedOn bool
	Info     []AgentInfo
}

// AgentInfo is an agent's state in one ACD group.
type AgentInfo struct {
	ACDGroup DeviceID
	State    AgentState
	Pending  AgentState
}

// AgentStateEvent covers the agent events of ECMA-269 §22.2: AgentLoggedOn, AgentLoggedOff,
// AgentReady, AgentNotReady, AgentWorkingAfterCall, AgentBusy. Kind is the element name
// without "Event" (the AgentEvent* constants). PendingAgentState is sent with AgentBusy and
// AgentWorkingAfterCall; ReasonCode (private data, see SetAgentState) with AgentNotReady and
// AgentLoggedOff.
type AgentStateEvent struct {
	EventCommon
	Kind              string
	AgentDevice       DeviceID
	AgentID           string
	ACDGroup          DeviceID
	PendingAgentState AgentState
	ReasonCode        string
}

func (*SetAgentState) MessageName() string         { return "SetAgentState" }
func (*SetAgentStateResponse) MessageName() string { return "SetAgentStateResponse" }
func (*GetAgentState) MessageName() string         { return "GetAgentState" }
func (*GetAgentStateResponse) MessageName() string { return "GetAgentStateResponse" }
func (e *AgentStateEvent) MessageName() string     { return e.Kind + "Event" }

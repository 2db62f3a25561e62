// Package csta implements the PBX side of ctibridge: CSTA Phase III services and events
// (ECMA-269) in their XML encoding (ECMA-323, editions 2 to 6), ECMA-354 application
// session services, the TCP framings PBXs use, and a session (Conn) that matches responses
// to requests by invoke ID.
//
// Many requests in flight (a resync keeps a window of them) are cheap: a Window sends a
// stream of them from one goroutine and hands each response to a handler on the link's
// reader (no goroutine woken per response); Conn.RequestTimeout and the Window are timed by
// one sweep timer per link rather than a context and timer per request, the calls of the
// pending table and the encoding buffers are recycled, and the link's writer gathers what is
// queued while it runs into one write. MonitorStart, SnapshotDevice and their two small
// responses, in the shape this codec writes them, are decoded without the element tree.
//
// What is covered:
//   - ECMA-269 §15 monitoring: MonitorStart, MonitorStop.
//   - ECMA-269 §16 snapshot: SnapshotDevice, SnapshotCall.
//   - ECMA-269 §17 call control services: AnswerCall, ClearConnection, ConferenceCall,
//     ConsultationCall, DeflectCall, HoldCall, MakeCall, RetrieveCall,
//     SingleStepTransferCall, TransferCall; and call control events: CallCleared,
//     Conferenced, ConnectionCleared, Delivered, Diverted, Established, Failed, Held,
//     NetworkReached, Originated, Queued, Retrieved, ServiceInitiated, Transferred.
//   - ECMA-269 §18 call associated: GenerateDigits.
//   - ECMA-269 §22 logical device features: SetForwarding, GetForwarding, SetDoNotDisturb and
//     the DoNotDisturb and Forwarding events; SetAgentState, GetAgentState and the agent
//     events (see Agents below).
//   - ECMA-269 §12 system services: SystemStatus, SystemRegister; device maintenance events
//     OutOfService and BackInService.
//   - ECMA-269 §9.3 / ECMA-323 CSTAErrorCode negative responses, as *Error.
//   - ECMA-354 application session services: StartApplicationSession,
//     ResetApplicationSessionTimer, StopApplicationSession.
//
// Decoding is by local element name, whatever the namespace or prefix; elements the codec does
// not know are skipped, vendor private data under <extensions> is kept as raw XML. An
// unknown message decodes to *UnknownMessage, never an error that should end a link.
//
// # Agents
//
// ECMA-269 §22.1.15 SetAgentState (device, requestedAgentState loggedOn | loggedOff | ready |
// notReady | workingAfterCall, agentID, password, group) and its response (pendingAgentState,
// ed4 and later), §22.1.5 GetAgentState (device, acdGroup) and its response (agentStateList
// of entries agentID, loggedOnState, agentInfo: acdGroup, agentState agentNull | agentNotReady
// | agentReady | agentBusy | agentWorkingAfterCall, pendingAgentState), and the §22.2 events
// AgentLoggedOn, AgentLoggedOff, AgentReady, AgentNotReady, AgentWorkingAfterCall and
// AgentBusy (agentDevice, agentID, acdGroup, pendingAgentState with Busy and WorkingAfterCall,
// cause), all decoded into one AgentStateEvent whose Kind is the element name without
// "Event". Agent errors are operation/invalidAgentState, invalidAgentGroup,
// invalidAgentIdentifier, invalidAgentPassword.
//
// Sources and confidence. Confirmed by XML that phones and clients send or parse: the
// SetAgentState request with device, requestedAgentState, agentID and password (a BroadWorks
// phone's request template, ed3 namespace, reason as private data), the event element names
// AgentLoggedOnEvent, AgentLoggedOffEvent, AgentReadyEvent, AgentNotReadyEvent and
// AgentWorkingAfterCallEvent (the same firmware's event parser), agentDevice/deviceIdentifier
// and agentID in agent events and AgentBusyEvent (a third-party CSTA test fixture, weaker).
// Read from the ECMA-285 ASN.1 module (which ECMA-323 mirrors) without an XML capture: group
// in SetAgentState, acdGroup and pendingAgentState everywhere, SetAgentStateResponse's
// pendingAgentState, GetAgentState's acdGroup, and the whole GetAgentStateResponse
// (agentStateList, agentStateEntry, agentInfo, agentInfoItem, agentState; a .NET CSTA client
// library names its properties AgentStateList and LoggedOnState, which agrees). The decoder
// takes any child element of agentStateList and agentInfo, so the unconfirmed wrapper names
// do not matter when decoding, and reads both loggedOnState (ECMA-269's name) and loggedOn
// (ECMA-285's). The agentStateCondition member is not modelled.
//
// Reason codes: ECMA-269 has no member for a not-ready or log-off reason; switches carry it
// as private data. The codec reads <reasonCode> (the simulator's own element; no other
// switch's was at hand) or BroadWorks' <AgentNotReadyReasonValue> anywhere under
// <extensions>, whatever the prefix, and
// writes <extensions><privateData><private><reasonCode>, added to the raw extensions of an
// event unless they already carry a reason. GetAgentStateResponse carries no reason.
//
// The package is pure protocol: it has no logging framework, no reconnect policy and no
// storage. Policy (heartbeats, switchover) lives in package cti.
package csta

// Package pbxsim is a simulated PBX that speaks CSTA (ECMA-269 services and events in the
// ECMA-323 XML encoding) through package csta's server side. The bridge embeds it as its
// default PBX and the tests use it as the switch.
//
// # Model
//
// One call model (New) holds extensions (Config.Extensions ranges), optional hunt groups, and
// external parties reached over a trunk (numbers starting with + or 0). Calls have
// OpenScape-Voice-style call IDs; connections have the ECMA-269 local states. Every service
// of package csta runs with the event sequence a switch sends, delivered to every monitor of
// every device in the call, each copy carrying that monitor's monitorCrossRefID and that
// device's localConnectionInfo:
//
//	MakeCall(A,B)         A: ServiceInitiated(makeCall) Originated(makeCall) Delivered(newCall)
//	                      B: Delivered(newCall)
//	answer                A, B: Established
//	A hangs up            A: ConnectionCleared; B: ConnectionCleared, CallCleared
//	outbound              ... Originated, NetworkReached, Delivered (far end alerting)
//	busy / DND            caller: Failed(busy | doNotDisturb), state fail
//	Hold / Retrieve       all parties: Held / Retrieved
//	ConsultationCall      Held(consultation) on the first call; ServiceInitiated,
//	                      Originated(consultation), Delivered on the new one
//	TransferCall          all parties of both calls: Transfered (primaryOldCall = held call,
//	                      which the resulting call keeps); the transferring device leaves
//	ConferenceCall        all parties: Conferenced
//	SingleStepTransfer    Transfered(singleStepTransfer), then Delivered at the new device
//	DeflectCall           Diverted(redirected), then Delivered(redirected, lastRedirection)
//	forwarding            Diverted + Delivered with callForwardImmediate / callForwardBusy /
//	                      callForwardNoAnswer (after Config.NoAnswerTime or ringCount rings)
//	hunt group            Delivered(enteringDistribution) at a free member, else Queued;
//	                      leaving the queue: Diverted(distributed) at the group's monitors
//	ACD group             Diverted(distributed) group -> agent, Delivered(distributed),
//	                      AgentBusy; else Queued; busy (Failed) beyond the queue limit
//
// MakeCall with autoOriginate doNotPrompt (or absent, or under the default profile) connects
// the calling device at once, as with a speakerphone; prompt mode is described under
// Profiles. CallCleared goes to the devices still in the call when it ends (to the last
// one to leave when nobody is left). Impossible requests get *csta.Error
// (CSTAErrorCode) with the ECMA-269 category and value, e.g. answering a call that is not
// alerting gives stateIncompatibility/invalidConnectionState. A device is in a call once:
// DeflectCall or SingleStepTransfer to a party of the call is refused (invalidDestination),
// forwarding to one is not applied (the call stays at the forwarding device), and a hunt
// group skips members already in the call. SingleStepTransfer of a call no other party has
// answered is refused (invalidConnectionState). Events caused by a request may
// reach the client before its response, as they do from real switches.
//
// # Profiles
//
// Config.Profile (cmd/pbxsim -profile) picks how the switch shapes its CSTA, so that the
// bridge is tested against more than the simulator's own reading of the standard. A profile
// (type Profile) is a set of switches the builders and services consult; its Dialect is used
// when Config.Dialect is empty. Truth and the call model are the same under every profile.
// The empty profile is the behaviour from before profiles: generic shapes, autoOriginate
// ignored (the bridge's click-to-dial asks for prompt and the embedded demo has nobody to
// pick up). The named profiles honour autoOriginate prompt, except minimal.
//
// generic: the shapes in the table above, undecorated device members unless
// Config.DecorateExternal, session as csta.DialectGeneric (SystemStatus first, ed4).
//
// osv: OpenScape Voice, following the OSV frames published in the skarcos/pyssimist
// repository (csta/CstaParser.py, csta/CstaPool) and the OpenScape Voice CSTA Interface
// Manual (Volume 4, A31003-H8080-T109 / A31003-H8090-T103). Device members are decorated
// `N<201>;noa=nk`, external numbers `N<+4930123>;displayNumber=+4930123;noa=nk`; connection
// device IDs stay plain; the callingDevice of Originated is plain, as in the capture.
// Delivered and Established carry lastRedirectionDevice `<notRequired/>` when the call was not
// redirected. Every call event carries servicesPermitted (clearConnection, plus deflectCall
// while alerting; omitted once the recipient's connection is null), mediaCallCharacteristics
// (voice) and private data `<private xmlns:scx="http://www.siemens.com/schema/csta">
// <scx:extendedServicesPermitted/></private>` (a StampEvents stamp joins it there). The
// encoder writes EventCommon.Extensions verbatim after cause, so these trailing elements
// travel in it; a decoder keeps only <extensions>. Session: csta.DialectOSV.
//
// osbiz: OpenScape Business: the SystemStatus-first session of csta.DialectOSBiz (ed4,
// port 8800). Its events are the generic ones: no public capture of OSBiz events was at hand,
// so nothing else is claimed.
//
// avaya: Avaya AES: csta.DialectAvaya, i.e. the ECMA-323 ed3 namespace and an ECMA-354
// application session. Events are the generic ones; the DMCC-specific private data and call
// IDs are not modelled, for want of a public source at hand.
//
// minimal: a bare-bones but legal ECMA-269 switch (ECMA-269 makes callID and deviceID of a
// connection optional). No call IDs anywhere: a connection is its deviceID (events, MakeCall,
// ConsultationCall and TransferCall responses, SnapshotDevice; CallCleared names the
// recipient's own connection). Every event about one party's connection (ServiceInitiated,
// Originated, NetworkReached, Delivered, Established, Held, Retrieved, ConnectionCleared,
// Failed, Diverted, Queued) names the recipient's own connection while the recipient is in
// the call; the device members and localConnectionInfo say who did what. Transferred and
// Conferenced keep their member shapes without call IDs. A request whose connection has no
// callID, on a device with several calls, is resolved by the state the service needs:
// AnswerCall and DeflectCall the alerting connection; HoldCall, GenerateDigits,
// ConsultationCall, SingleStepTransferCall and the active side of TransferCall and
// ConferenceCall the connected one; RetrieveCall and the held side the held one;
// ClearConnection what a phone's hang-up releases: the connected (or dialling, or failed)
// call, else a ringing one, else a held one. None or several in that state:
// operation/invalidConnectionID. SnapshotCall, DirectedPickupCall and GroupPickupCall are
// refused (operation/serviceNotSupported).
// No optional members beyond the required ones (no lastRedirectionDevice unless redirected,
// no networkCallingDevice, callCharacteristics, servicesPermitted or private data);
// localConnectionInfo stays. autoOriginate is ignored. Session: csta.DialectGeneric.
//
// Prompt mode (ECMA-269 MakeCall autoOriginate prompt, the standard's default when the member
// is absent; the simulator prompts only on an explicit prompt): the calling device is rung
// first. Its monitors get ServiceInitiated(makeCall, initiated) and the callee nothing; when
// the person accepts (control API Answer or OffHook, CSTA AnswerCall on that connection, or
// by itself after Config.PromptAnswer) the call is dialled: Originated(makeCall, connected),
// Delivered at both, Established when the far end answers. HangUp (or ClearConnection), or
// Config.NoAnswerTime without acceptance, clears it: ConnectionCleared and CallCleared
// (normalClearing, or callNotAnswered) at the caller. The MakeCallResponse names the caller's
// initiated connection; as with every request, it may reach the client after the events.
//
// # ACD agents
//
// A hunt group with HuntGroup.ACD is an ACD group: its members are agent positions. An agent
// logs on at its extension (CSTA SetAgentState loggedOn, or the control API SetAgentState;
// agentID defaults to the extension number) and is then not ready (AgentLoggedOn followed by
// AgentNotReady). ready, notReady (with a reason code), workingAfterCall and loggedOff
// follow; asking for the current state again (log off included) is acknowledged without an
// event (ECMA-269 §9.5.1). ready, notReady or workingAfterCall while logged off is
// operation/invalidAgentState; a device that is not a member of the named group (or of any
// ACD group, when no group is named) gets operation/invalidAgentGroup; an agent ID already
// logged on at another extension operation/invalidAgentIdentifier; an unknown requested
// state operation/valueOutOfRange (passwords are not checked). A SetAgentState without group
// applies to every ACD group of the extension.
//
// A call to the group goes to the ready agent whose phone is free and who has been ready
// longest: DivertedEvent (cause distributed) at the group's monitors and the caller's, then
// Delivered(distributed, acdCall) and AgentBusy. With nobody ready the call waits at the group
// (Queued, state queued) and is distributed, oldest first, as soon as an agent becomes ready;
// beyond HuntGroup.QueueLimit the caller gets busy (Failed). The agent is busy until its
// connection to that call ends (answered or not); then the state it asked for while busy
// (SetAgentState then answers with pendingAgentState; log off pending is agentNull), else
// working after call for HuntGroup.WrapUp and ready again (the wrap-up timer is real time:
// tests use a short one and wait for the AgentReady event), else ready at once. Every agent
// event (agentDevice, agentID, acdGroup, pendingAgentState with Busy and WorkingAfterCall,
// the reason code as private data with NotReady and LoggedOff) goes to the monitors of the
// agent's extension and of the group; they carry neither localConnectionInfo nor cause.
// Logging off leaves waiting calls queued; a PBX restart logs every agent off silently.
//
// GetAgentState on an agent's extension answers one entry with a row per ACD group (state and
// pending state); on the group's device an entry per logged-on agent (at most 32, as
// ECMA-323 allows). Reasons are not in the response (ECMA-269 has no member for them): a
// bridge keeps them from the events. Under every profile agents work the same; OSV decorates
// agentDevice like every device member, minimal leaves out the optional agentID and
// pendingAgentState of events. Truth.Agents lists every position (state, reason, pending,
// since) and Truth.Groups every hunt group's queue figures: calls waiting, when the longest
// wait started, agents logged on, ready, busy, not ready and in wrap-up (also Agents and
// Group, and GET /groups/{number} over HTTP).
//
// # People, truth, traffic
//
// The control API (OffHook, Dial, Answer, HangUp, Hold, Retrieve, Consult, Transfer,
// Conference, IncomingCall, SetBusy, SetDoNotDisturb, SetForwarding, SetAgentState) does what a person at a
// phone or an outside caller does; ControlHandler and ServeControl offer it over HTTP/JSON.
// Truth, Device and Call report the switch's own state for comparison with the bridge's.
// StartTraffic generates calls at a rate with a seeded scenario mix.
//
// # Nodes and faults
//
// StartNode opens a CSTA listener; several nodes share the model like a duplex switch. Each
// node speaks Config.Dialect: SystemStatus-first (the node greets with SystemStatus normal) or
// ECMA-354 application sessions (credentials checked, sessions expire unless kept alive).
// Node faults: Kill, Restart, Freeze (half-open: nothing answered or sent),
// SetResponseDelay, DropEvents, SendGarbage, SendOversizedFrame, SendSystemStatus and
// SetAlternateCallIDs (the node reports its own call IDs for the same calls). PBX faults:
// Restart (all calls cleared silently, agents logged off, sessions dropped, new call IDs).
//
// Event fan-out never blocks the model: each client session has a bounded queue
// (Config.EventQueue) and a session whose queue overflows is dropped with the reason recorded
// (Node.SessionDrops), as a switch drops a slow CTI link.
//
// # Latency stamps
//
// With Config.StampEvents each event carries its send time as the standard CSTA security
// timestamp (CSTASecurityData, ECMA-269 12.2.12), the first member of <extensions>:
//
//	<extensions><security><timestamp>2026-12-06T13:02:12.123456789Z</timestamp></security>
//	...</extensions>
//
// The codec decodes it into EventCommon.Timestamp, and the bridge passes it to clients as
// tapi.Event.SwitchTime, so ctibench measures latency from the switch to the client.
package pbxsim

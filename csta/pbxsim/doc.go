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
//	hunt group            Delivered(enteringDistribution) at a free member, else Queued
//
// MakeCall ignores autoOriginate: the calling device goes straight to connected, as with a
// speakerphone. CallCleared goes to the devices still in the call when it ends (to the last
// one to leave when nobody is left). Impossible requests get *csta.Error
// (CSTAErrorCode) with the ECMA-269 category and value, e.g. answering a call that is not
// alerting gives stateIncompatibility/invalidConnectionState. Events caused by a request may
// reach the client before its response, as they do from real switches.
//
// # People, truth, traffic
//
// The control API (OffHook, Dial, Answer, HangUp, Hold, Retrieve, Consult, Transfer,
// Conference, IncomingCall, SetBusy, SetDoNotDisturb, SetForwarding) does what a person at a
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
// Restart (all calls cleared silently, sessions dropped, new call IDs).
//
// Event fan-out never blocks the model: each client session has a bounded queue
// (Config.EventQueue) and a session whose queue overflows is dropped with the reason recorded
// (Node.SessionDrops), as a switch drops a slow CTI link.
//
// # Latency stamps
//
// With Config.StampEvents each event carries its send time in private data, which the codec
// keeps raw in EventCommon.Extensions:
//
//	<extensions><privateData><private><pbxsim:sent xmlns:pbxsim="urn:ctibridge:pbxsim">
//	1700000000123456789</pbxsim:sent></private></privateData></extensions>
//
// (Unix nanoseconds, one line on the wire). EventTimestamp reads it back from a decoded event.
package pbxsim

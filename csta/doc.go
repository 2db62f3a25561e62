// Package csta implements the PBX side of ctibridge: CSTA Phase III services and events
// (ECMA-269) in their XML encoding (ECMA-323, editions 2 to 6), ECMA-354 application
// session services, the TCP framings PBXs use, and a session (Conn) that matches responses
// to requests by invoke ID.
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
//     the DoNotDisturb and Forwarding events; agent state events.
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
// The package is pure protocol: it has no logging framework, no reconnect policy and no
// storage. Policy (heartbeats, switchover) lives in package cti.
package csta

// Package tapi is the client-facing model of ctibridge: a TAPI 2.x style view of the lines
// (monitored devices) of a PBX and their calls, and its versioned JSON wire form. The pure
// reducer that turns ECMA-269 CSTA events into that view lives beside the engine in package
// cti/reducer, so that tapi, and the clients that link it, never link csta.
//
// Modelled from TAPI 2.x (Microsoft tapi.h, exact names and values):
//   - call states and their modes: LINECALLSTATE_*, LINEOFFERINGMODE_*, LINECONNECTEDMODE_*,
//     LINEDIALTONEMODE_*, LINEBUSYMODE_*, LINEDISCONNECTMODE_*;
//   - the LINECALLINFO members a CTI client uses: origin (LINECALLORIGIN_*), reason
//     (LINECALLREASON_*), caller/called/connected/redirecting/redirection IDs with
//     LINECALLPARTYID_* flags, related call, trunk, call data; changes are reported with a
//     LINECALLINFOSTATE_* mask;
//   - line and address state: LINEDEVSTATE_*, LINEADDRESSSTATE_*, LINEFORWARDMODE_*;
//   - request results: LINEERR_* (LineErrFromCSTA maps CSTA error codes to them);
//   - the messages LINE_NEWCALL, LINE_CALLSTATE, LINE_CALLINFO, LINE_LINEDEVSTATE,
//     LINE_ADDRESSSTATE and LINE_REPLY, plus BRIDGE_LINKSTATUS, BRIDGE_SWITCHOVER and
//     BRIDGE_RESYNC for the bridge's own PBX links, and LINE_CONFERENCE, a bridge extension
//     for a call's conference.
//
// Not modelled: phone devices (PHONE_*), media modes and media detection, digit gathering and
// tone monitoring, bearer modes and rates, call parking and completion, agent (LINEAGENT*)
// state, and conference hub calls as calls of their own: a conference is each line's surviving
// call in LINECALLSTATE_CONFERENCED, whose Conference names the conference call (a handle
// derived from the call's, ConferenceHandle) and its parties, rather than a separate hConfCall.
//
// One line has one address (the extension). A Call is one line's view of a PBX call: when two
// monitored lines are in the same call, each has its own Call with its own handle, as two TAPI
// applications would each have their own hCall.
//
// Line device IDs come from a hash of the line name (LineDeviceID) and call handles from a
// per-PBX counter (MakeHandle), so every bridge instance computes the same IDs.
package tapi

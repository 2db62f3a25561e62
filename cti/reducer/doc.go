// Package reducer implements the reduction of ECMA-269 (CSTA) events into the TAPI 2.x line
// and call model of package tapi: State.Apply turns one CSTA event at one monitored line into
// the new line/call state and the TAPI events (LINE_NEWCALL, LINE_CALLSTATE, LINE_CALLINFO,
// LINE_LINEDEVSTATE, LINE_ADDRESSSTATE) a client sees. State.Reconcile repairs the state from
// snapshots after a resync, State.Reset and State.SetInService report a lost link, and
// State.Restore rebuilds the state an instance persisted.
//
// It lives beside the engine (cti), not in tapi, so that clients, which link tapi for the
// model and its wire form, never link csta.
//
// State.Apply is deterministic: no clock, no I/O, no randomness. Handles come from a counter in
// the state, line device IDs from a hash of the line name (tapi.LineDeviceID), so every bridge
// instance replaying the same events reaches the same state.
package reducer

package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Placing an event: which of the line's calls it is about, and whether it is about the
// line's own connection. Switches differ here (ECMA-269 makes the callID optional, and some
// fill an event's connection with the monitored device's own connection whatever the event
// is about), so the reducer reads the members that cannot be misread first.

// Reasons the reducer asks the engine to repair a line (Result.Repair): snapshot the device
// and reconcile, because an event could not be placed.
const (
	// RepairAmbiguous: an event without a callID fits several calls of the line.
	RepairAmbiguous = "ambiguous_call"
	// RepairUnknownCall: an event about the line's own connection names a call the line
	// does not know, and the event alone cannot start it.
	RepairUnknownCall = "unknown_call"
	// RepairImpossible: an event about the line's own connection does not fit its call's
	// state (an event in between was lost).
	RepairImpossible = "impossible_transition"
)

// IgnoredAmbiguous is the Ignored reason of an event without a callID that fits several calls.
const IgnoredAmbiguous = "event without a callID fits several calls of the line"

// repair records that the line needs a snapshot, keeping the first reason of the step.
func (st *step) repair(reason string) {
	if st.res.Repair == "" {
		st.res.Repair = reason
	}
}

// find returns the line's call an event's connection names. With a callID it is a lookup
// (cleared reports a call that already went IDLE here). Without one, see place.
func (st *step) find(conn csta.ConnectionID, fits ...tapi.CallState) (c *tapi.Call, cleared bool) {
	return st.place(conn, csta.DeviceID{}, fits, nil)
}

// findOr is find among the calls in the states fits, then, when none fits and the event is
// not ambiguous, among those in the states again: without a callID this tells a repeated
// event (its call is already in the state it leads to) from one that starts a new call.
func (st *step) findOr(conn csta.ConnectionID, fits, again []tapi.CallState) (c *tapi.Call, cleared bool) {
	return st.place(conn, csta.DeviceID{}, fits, again)
}

// place finds the call of a connection. With a callID it is a lookup. Without one, the
// line's calls that have no callID either and are in one of the states fits (any state when
// fits is nil) are candidates, then those in the states again; the other party of the event
// (other, or the connection's device when it is not the line's) narrows them to calls with
// that party. Exactly one candidate is the call; several make the event ambiguous: place then
// returns (nil, true) so that the event neither starts a call nor changes one, and asks for a
// repair.
func (st *step) place(conn csta.ConnectionID, other csta.DeviceID, fits, again []tapi.CallState) (c *tapi.Call, cleared bool) {
	if conn.CallID != "" {
		return st.lookup(conn.CallID)
	}
	if !other.Known() && conn.DeviceID.Known() && !st.is(conn.DeviceID) {
		other = conn.DeviceID
	}
	cands := st.withoutCallID(fits, other)
	if len(cands) == 0 && again != nil {
		cands = st.withoutCallID(again, other)
	}
	switch len(cands) {
	case 0:
		return nil, false
	case 1:
		return cands[0], false
	}
	st.ambiguous = true
	st.repair(RepairAmbiguous)
	return nil, true
}

// withoutCallID lists the line's calls without a callID in the states fits (all when nil),
// only those with party other when some have it.
func (st *step) withoutCallID(fits []tapi.CallState, other csta.DeviceID) []*tapi.Call {
	var cands, withParty []*tapi.Call
	for _, h := range st.s.lineHandles(st.ls) {
		x := st.s.calls[h]
		if x.CallID != "" || (fits != nil && !inState(x, fits...)) {
			continue
		}
		cands = append(cands, x)
		if other.Number != "" && slices.Contains(x.Parties, other.Number) {
			withParty = append(withParty, x)
		}
	}
	if len(withParty) > 0 {
		return withParty
	}
	return cands
}

// by reports whether the line's device is the device an event names in member d (the one
// that alerted, answered, held, ...). Without d, the event's connection decides.
func (st *step) by(d csta.DeviceID, c csta.ConnectionID) bool {
	if d.Known() {
		return st.is(d)
	}
	return st.is(c.DeviceID)
}

// alertingHere reports whether a Delivered event says the line's own device is alerted. The
// monitored device's local connection state decides first: alerting here, or connected,
// initiated, held, queued or failed on the calling side. Without it, the alerting device,
// then the connection's device.
func (st *step) alertingHere(e *csta.DeliveredEvent) bool {
	switch e.LocalConnectionInfo {
	case csta.StateAlerting:
		return true
	case csta.StateConnected, csta.StateInitiated, csta.StateHold, csta.StateQueued, csta.StateFail:
		return false
	}
	return st.by(e.AlertingDevice, e.Connection)
}

// ownCleared reports whether a ConnectionCleared event ends the line's own connection: the
// monitored device's local state is null after it (any other state: another party left), or,
// without a local state, the releasing device or the dropped connection is the line's.
func (st *step) ownCleared(e *csta.ConnectionClearedEvent) bool {
	switch e.LocalConnectionInfo {
	case csta.StateNull:
		return true
	case csta.StateConnected, csta.StateHold, csta.StateAlerting, csta.StateInitiated,
		csta.StateQueued, csta.StateFail:
		return false
	}
	return st.by(e.ReleasingDevice, e.DroppedConnection)
}

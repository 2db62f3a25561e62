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
	// RepairGuessed: an event without a callID was placed on one of several calls of the
	// line by its state and party alone, or started a call beside others; the snapshot
	// confirms the line.
	RepairGuessed = "guessed_call"
)

// IgnoredAmbiguous is the Ignored reason of an event without a callID that fits several calls.
const IgnoredAmbiguous = "event without a callID fits several calls of the line"

// repair records that the line needs a snapshot. A guess gives way to a definite reason.
func (st *step) repair(reason string) {
	if st.res.Repair == "" || st.res.Repair == RepairGuessed {
		st.res.Repair = reason
	}
}

// find returns the line's call an event's connection names. With a callID it is a lookup
// (cleared reports a call that already went IDLE here). Without one, see place.
func (st *step) find(conn csta.ConnectionID, fits ...tapi.CallState) (c *tapi.Call, cleared bool) {
	return st.place(conn, csta.DeviceID{}, fits, nil)
}

// findOr is find among the calls in the states fits, then, when none fits and the event is
// not ambiguous, among those in the states again (anyState: all): without a callID this
// tells a repeated event (its call is already in the state it leads to) from one that starts
// a new call.
func (st *step) findOr(conn csta.ConnectionID, fits, again []tapi.CallState) (c *tapi.Call, cleared bool) {
	return st.place(conn, csta.DeviceID{}, fits, again)
}

// place finds the call of a connection. With a callID it is a lookup. Without one, the
// line's calls that have no callID either and are in one of the states fits (any state when
// fits is empty) are candidates, then those in the states again (when not nil); the other party of the event
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
	cands, byParty := st.withoutCallID(fits, other)
	if len(cands) == 0 && again != nil {
		cands, byParty = st.withoutCallID(again, other)
	}
	switch len(cands) {
	case 0:
		return nil, false
	case 1:
		if !byParty && st.callsWithoutID() > 1 {
			st.repair(RepairGuessed) // told apart from the line's other calls by state alone
		}
		return cands[0], false
	}
	st.ambiguous = true
	st.repair(RepairAmbiguous)
	return nil, true
}

// callsWithoutID counts the line's calls that have no callID.
func (st *step) callsWithoutID() int {
	n := 0
	for _, h := range st.s.lineHandles(st.ls) {
		if st.s.calls[h].CallID == "" {
			n++
		}
	}
	return n
}

// withoutCallID lists the line's calls without a callID in the states fits (all when empty),
// only those with party other when some have it (byParty).
func (st *step) withoutCallID(fits []tapi.CallState, other csta.DeviceID) (cands []*tapi.Call, byParty bool) {
	var withParty []*tapi.Call
	for _, h := range st.s.lineHandles(st.ls) {
		x := st.s.calls[h]
		if x.CallID != "" || (len(fits) > 0 && !inState(x, fits...)) {
			continue
		}
		cands = append(cands, x)
		if other.Number != "" && slices.Contains(x.Parties, other.Number) {
			withParty = append(withParty, x)
		}
	}
	if len(withParty) > 0 {
		return withParty, true
	}
	return cands, false
}

// oldCalls returns the line's two calls a transfer or conference at the line joins: by
// callID, or, from a switch without callIDs, the line's one held call without a callID and
// its one active call (connected, or still ringing out for a transfer while ringing). With
// several in a state, the ones with a party among the endpoints the event lists (items:
// the devices of the joined call) are the ones joined. Either is nil when it cannot be told.
func (st *step) oldCalls(primary, secondary csta.ConnectionID, items []csta.ConnectionListItem) (held, active *tapi.Call) {
	if primary.CallID != "" || secondary.CallID != "" {
		return st.s.callAt(st.ls, primary.CallID), st.s.callAt(st.ls, secondary.CallID)
	}
	others := st.otherEndpoints(items, "")
	h := st.joinCandidates(onHold, others)
	a := st.joinCandidates(append(slices.Clone(connectedStates), outgoing...), others)
	if len(h) != 1 || len(a) != 1 {
		return nil, nil
	}
	return h[0], a[0]
}

// joinCandidates lists the line's calls without a callID in the states; when there are
// several, those with a party among others, if any has one.
func (st *step) joinCandidates(states []tapi.CallState, others []string) []*tapi.Call {
	cands, _ := st.withoutCallID(states, csta.DeviceID{})
	if len(cands) <= 1 || len(others) == 0 {
		return cands
	}
	var named []*tapi.Call
	for _, c := range cands {
		if slices.ContainsFunc(c.Parties, func(p string) bool { return slices.Contains(others, p) }) {
			named = append(named, c)
		}
	}
	if len(named) == 0 {
		return cands
	}
	return named
}

// anyState, as findOr's again, falls back to the line's calls in any state.
var anyState = []tapi.CallState{}

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

// ownCleared reports whether a ConnectionCleared event ends the line's own connection. The
// releasing device says who dropped out; without it, the monitored device's local state is
// null after its own connection cleared (any other state: another party left); without
// either, the dropped connection's device decides.
func (st *step) ownCleared(e *csta.ConnectionClearedEvent) bool {
	if e.ReleasingDevice.Known() {
		return st.is(e.ReleasingDevice)
	}
	switch e.LocalConnectionInfo {
	case csta.StateNull:
		return true
	case csta.StateConnected, csta.StateHold, csta.StateAlerting, csta.StateInitiated,
		csta.StateQueued, csta.StateFail:
		return false
	}
	return st.is(e.DroppedConnection.DeviceID)
}

package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Held by the line's device -> ONHOLD, or ONHOLDPENDTRANSFER when it starts a consultation.
// A hold by the far end does not change the line's call state.
func (st *step) held(e *csta.HeldEvent) {
	if !st.by(e.HoldingDevice, e.HeldConnection) {
		st.ignore(IgnoredNotOurs)
		return
	}
	id := e.HeldConnection.CallID
	status := statusOnHold
	c, cleared := st.findOr(e.HeldConnection, holdable, onHold)
	if c == nil {
		if cleared {
			st.ignore(IgnoredCleared)
			return
		}
		if e.Cause == csta.CauseConsultation {
			status = tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLDPENDTRANSFER}
		}
		st.adopt(id, status, tapi.CallInfo{}, nil)
		return
	}
	if inState(c, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF) {
		st.ignore(IgnoredDuplicate)
		return
	}
	// A call still ringing out can be held too: our own connection is connected while the
	// far end alerts (RINGBACK, PROCEEDING).
	if !inState(c, holdable...) {
		st.ignore(IgnoredOutOfOrder)
		st.repair(RepairImpossible)
		return
	}
	if e.Cause == csta.CauseConsultation || st.s.calls[c.Info.RelatedCall] != nil {
		status = tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLDPENDTRANSFER}
	}
	st.setState(c, status)
}

// holdable lists the states a hold by the line's device applies to: a call still ringing out
// can be held too, since the line's own connection is connected while the far end alerts.
var holdable = []tapi.CallState{tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED,
	tapi.LINECALLSTATE_RINGBACK, tapi.LINECALLSTATE_PROCEEDING}

// notHeld lists every state of a live call but the held ones: a hang-up ends such a call
// before a held one.
var notHeld = []tapi.CallState{tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING,
	tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK, tapi.LINECALLSTATE_OFFERING,
	tapi.LINECALLSTATE_ACCEPTED, tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED,
	tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED, tapi.LINECALLSTATE_UNKNOWN}

// connectedStates are the states of a call the line takes part in actively.
var connectedStates = []tapi.CallState{tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED}

// Retrieved by the line's device -> CONNECTED, or CONFERENCED for a held conference (more
// than one other party).
func (st *step) retrieved(e *csta.RetrievedEvent) {
	if !st.by(e.RetrievingDevice, e.RetrievedConnection) {
		st.ignore(IgnoredNotOurs)
		return
	}
	id := e.RetrievedConnection.CallID
	c, cleared := st.findOr(e.RetrievedConnection, onHold, connectedStates)
	if c == nil {
		if cleared {
			st.ignore(IgnoredCleared)
			return
		}
		st.adopt(id, statusConnected, tapi.CallInfo{}, nil)
		return
	}
	switch {
	case inState(c, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF):
		switch {
		case c.ConnectedAt.IsZero() && c.Info.Origin == tapi.LINECALLORIGIN_OUTBOUND:
			st.setState(c, statusRingback) // held while ringing out; the far end has not answered
		case len(c.Parties) > 1:
			st.setState(c, statusConf)
		default:
			st.setState(c, statusConnected)
		}
	case inState(c, tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED):
		st.ignore(IgnoredDuplicate)
	default:
		st.ignore(IgnoredOutOfOrder)
		st.repair(RepairImpossible)
	}
}

// ConnectionCleared: of the line's own connection -> IDLE; of the other party ->
// DISCONNECTED (in a conference: only when nobody else is left).
func (st *step) connectionCleared(e *csta.ConnectionClearedEvent) {
	own := st.ownCleared(e)
	gone := e.ReleasingDevice.Number
	if gone == "" && !st.is(e.DroppedConnection.DeviceID) {
		gone = e.DroppedConnection.DeviceID.Number
	}
	c := st.clearedCall(e.DroppedConnection, own, gone, e.LocalConnectionInfo)
	if c == nil {
		return
	}
	if own {
		st.idle("", c)
		return
	}
	if gone != "" && len(c.Parties) > 0 && !slices.Contains(c.Parties, gone) {
		st.ignore(IgnoredNotOurs) // a device that already left, e.g. the transferring one
		return
	}
	if inState(c, tapi.LINECALLSTATE_DISCONNECTED, tapi.LINECALLSTATE_BUSY) {
		st.ignore(IgnoredDuplicate)
		return
	}
	multi := len(c.Parties) > 1
	c.Parties = slices.DeleteFunc(c.Parties, func(p string) bool { return p == gone })
	st.changed(c)
	if multi && len(c.Parties) > 0 && (c.State == tapi.LINECALLSTATE_CONFERENCED || inState(c, onHold...) ||
		inState(c, ringing...)) {
		st.partyLeft(c)
		return
	}
	st.setState(c, tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: disconnectMode(e.Cause)})
}

// clearedCall finds the call of a cleared connection (nil, with the reason recorded, when
// there is none): for the line's own connection the active call before a held one; without
// a callID the party that left picks the call (see find), among the calls whose state fits
// the line's own connection as local (localConnectionInfo) has it, since another party
// leaving does not change it: a line whose held call's far end hangs up may have another
// call with that party (one that failed busy, one ringing back).
func (st *step) clearedCall(conn csta.ConnectionID, own bool, gone string, local csta.LocalConnectionState) *tapi.Call {
	if conn.CallID == "" && !own && gone != "" {
		conn.DeviceID = csta.Device(gone)
	}
	var c *tapi.Call
	var cleared bool
	switch {
	case own:
		c, cleared = st.findOr(conn, notHeld, anyState)
	case conn.CallID == "" && local != "" && local != csta.StateNull:
		c, cleared = st.findOr(conn, statesFor(local), anyState)
	default:
		c, cleared = st.find(conn)
	}
	switch {
	case c != nil:
	case cleared:
		st.ignore(IgnoredCleared)
	default:
		st.ignore(IgnoredUnknownCall)
	}
	return c
}

// statesFor lists the states of a live call that can describe a connection in local state l
// (liveStatesFor, made once: it is asked for every such event of a switch without callIDs).
func statesFor(l csta.LocalConnectionState) []tapi.CallState { return liveStatesFor[l] }

var liveStatesFor = func() map[csta.LocalConnectionState][]tapi.CallState {
	m := map[csta.LocalConnectionState][]tapi.CallState{}
	for _, l := range []csta.LocalConnectionState{csta.StateInitiated, csta.StateAlerting,
		csta.StateConnected, csta.StateHold, csta.StateQueued, csta.StateFail} {
		for _, s := range slices.Concat(notHeld, onHold) {
			if s != tapi.LINECALLSTATE_UNKNOWN && Compatible(s, l) {
				m[l] = append(m[l], s)
			}
		}
	}
	return m
}()

// partyLeft: one party left a call others are still in, which goes on (a conference still
// ringing here too); with one party left it is a two-party call again (a held conference
// stays held).
func (st *step) partyLeft(c *tapi.Call) {
	if len(c.Parties) == 1 && !inState(c, ringing...) {
		left := c.Parties[0]
		st.updateInfo(c, 0, func(i *tapi.CallInfo) {
			i.Connected = tapi.PartyID{Number: left, Flags: tapi.LINECALLPARTYID_ADDRESS}
		})
		if c.State == tapi.LINECALLSTATE_CONFERENCED {
			st.setState(c, statusConnected)
		}
	}
	st.updateConference(c, false) // the parties left, or null: a two-party call again
}

// CallCleared: the whole call ended -> IDLE.
func (st *step) callCleared(e *csta.CallClearedEvent) {
	// Without a callID, a call whose other party already left is the one that ended.
	c, cleared := st.findOr(e.ClearedCall, []tapi.CallState{tapi.LINECALLSTATE_DISCONNECTED, tapi.LINECALLSTATE_BUSY}, anyState)
	if c == nil {
		if cleared {
			st.ignore(IgnoredCleared)
		} else {
			st.ignore(IgnoredUnknownCall)
		}
		return
	}
	st.idle("", c)
}

// failedWhileHeld: the device a call the line holds rang out to could not take it (busy,
// do not disturb, ...), while the line's own connection stays held (localConnectionInfo):
// the call stays held until the line retrieves or clears it. Without a callID it is the
// line's held call with the failing device; placed among the calls ringing out, the event
// ended another call of the line.
func (st *step) failedWhileHeld(e *csta.FailedEvent) {
	c, cleared := st.place(e.FailedConnection, e.FailingDevice, onHold, nil)
	switch {
	case st.ambiguous:
	case c == nil && cleared:
		st.ignore(IgnoredCleared)
	case c == nil:
		st.ignore(IgnoredUnknownCall)
		st.repair(RepairUnknownCall)
	default:
		// Held, as the switch says; the failing device never joined the call.
		if n := e.FailingDevice.Number; n != "" && slices.Contains(c.Parties, n) {
			c.Parties = slices.DeleteFunc(slices.Clone(c.Parties), func(p string) bool { return p == n })
			st.changed(c)
		}
		st.ignore(IgnoredDuplicate)
	}
}

// Failed: the call could not be completed -> BUSY (cause busy) or DISCONNECTED with the mode
// of the cause, for the calling line; DISCONNECTED when the line's own connection failed.
func (st *step) failed(e *csta.FailedEvent) {
	own := st.by(e.FailingDevice, e.FailedConnection)
	if !own && e.LocalConnectionInfo == csta.StateHold {
		st.failedWhileHeld(e)
		return
	}
	// The line's own connection failed (localConnectionInfo) although another device failed:
	// the line is the side the call was for, as its caller, or as the party left in a call
	// another device transferred (the callingDevice is then the transferring device).
	failedHere := !own && e.LocalConnectionInfo == csta.StateFail
	c, cleared := st.failedCall(e, own, failedHere)
	caller := st.is(e.CallingDevice) || failedHere || (c != nil && inState(c, outgoing...) && !own)
	if !caller && !own {
		st.ignore(IgnoredNotOurs)
		return
	}
	if c == nil && cleared {
		st.ignore(IgnoredCleared)
		return
	}
	status := st.failedStatus(e, caller)
	if c == nil {
		info := tapi.CallInfo{Caller: party(e.CallingDevice), Called: party(e.CalledDevice)}
		if caller {
			info.Origin, info.Reason = tapi.LINECALLORIGIN_OUTBOUND, tapi.LINECALLREASON_DIRECT
		}
		st.adopt(e.FailedConnection.CallID, status, info, numbers(e.FailingDevice))
		return
	}
	if inState(c, tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED) {
		st.ignore(IgnoredDuplicate)
		return
	}
	st.setState(c, status)
}

// failedCall finds the call of a Failed event: the line's own failed connection's whatever its
// state; else a call ringing out, and, when the line's own connection failed, without a
// callID its call with the failing device, ringing out first.
func (st *step) failedCall(e *csta.FailedEvent, own, failedHere bool) (*tapi.Call, bool) {
	switch {
	case own:
		return st.find(e.FailedConnection)
	case failedHere:
		return st.place(e.FailedConnection, e.FailingDevice, outgoing, anyState)
	}
	return st.find(e.FailedConnection, outgoing...)
}

// failedStatus is the state a Failed event leaves the line's call in: BUSY for the calling
// side of a busy device or trunk, else DISCONNECTED with the mode of the cause.
func (st *step) failedStatus(e *csta.FailedEvent, caller bool) tapi.CallStatus {
	if caller {
		switch e.Cause {
		case csta.CauseBusy:
			mode := tapi.LINEBUSYMODE_UNKNOWN
			if busy := e.FailingDevice.Number; busy != "" && !st.is(e.FailingDevice) && st.s.isInternal(busy) {
				mode = tapi.LINEBUSYMODE_STATION
			}
			return tapi.CallStatus{State: tapi.LINECALLSTATE_BUSY, BusyMode: mode}
		case csta.CauseTrunksBusy:
			return tapi.CallStatus{State: tapi.LINECALLSTATE_BUSY, BusyMode: tapi.LINEBUSYMODE_TRUNK}
		}
	}
	return tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: disconnectMode(e.Cause)}
}

package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Delivered: at the alerting device -> OFFERING (LINE_NEWCALL first); at the calling device
// -> RINGBACK. Which side the line is on comes from its own local connection state first
// (see alertingHere), since some switches name the monitored device's own connection in
// every event. A line rung for its own MakeCall (autoOriginate prompt) keeps an outgoing call.
func (st *step) delivered(e *csta.DeliveredEvent) {
	id := e.Connection.CallID
	here := st.alertingHere(e)
	switch {
	case here && st.is(e.CallingDevice):
		st.prompted(e)
	case here && e.AlertingDevice.Known() && !st.is(e.AlertingDevice) && st.alertingElsewhere(e):
	case here:
		st.arrived(e)
	case st.is(e.CallingDevice):
		c, cleared := st.place(e.Connection, e.AlertingDevice, outgoing, nil)
		if c == nil {
			if cleared {
				st.ignore(IgnoredCleared)
				return
			}
			info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
				Caller: party(e.CallingDevice), Called: party(e.CalledDevice)}
			st.redirectedTo(&info, e.CalledDevice, e.AlertingDevice)
			st.adopt(id, statusRingback, info, numbers(e.AlertingDevice))
			return
		}
		st.ringback(c, e)
	default:
		c, _ := st.find(e.Connection, outgoing...)
		if c == nil || !inState(c, outgoing...) {
			st.ignore(IgnoredNotOurs)
			return
		}
		// The far end of a call the line placed rings after a transfer or diversion.
		st.ringback(c, e)
	}
}

// arrived: a call rings at the line -> OFFERING, unless it is one ringing here already.
func (st *step) arrived(e *csta.DeliveredEvent) {
	c, _ := st.place(e.Connection, e.CallingDevice, ringing, nil)
	if st.ambiguous {
		return
	}
	if c != nil && e.Connection.CallID == "" && e.CallingDevice.Known() &&
		!slices.Contains(c.Parties, e.CallingDevice.Number) {
		c = nil // without a callID, a ringing call from another caller is a new call
	}
	if c != nil {
		switch {
		case inState(c, tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED):
			st.ignore(IgnoredDuplicate)
		case c.State == tapi.LINECALLSTATE_DIALTONE:
			st.ignore(IgnoredDuplicate) // the prompt of the line's own MakeCall
		default:
			st.ignore(IgnoredOutOfOrder)
		}
		return
	}
	// A Delivered at the line's own device is a genuinely new arrival, even for a call ID
	// that went IDLE here before (a recall or a forwarding loop brings the call back).
	st.newCall(e.Connection.CallID, statusOffering, st.arrivalInfo(e.CallingDevice, e.CalledDevice,
		e.LastRedirectionDevice, e.NetworkCallingDevice, e.Cause), numbers(e.CallingDevice))
}

// alertingElsewhere: the line's own connection is alerting (localConnectionInfo), but the
// event says another device is alerted: a call ringing here now rings there too (offered
// to several devices, redirected or transferred while ringing). It starts no call when the
// line has one ringing: without a callID, the one with the alerting or the calling device.
// handled is false when the line has no ringing call to place it on: the event then starts
// one as any Delivered here does (a switch may name a group's pilot as alerting device).
func (st *step) alertingElsewhere(e *csta.DeliveredEvent) (handled bool) {
	other := e.AlertingDevice
	c, _ := st.place(e.Connection, other, ringing, nil)
	if c != nil && e.Connection.CallID == "" && !slices.Contains(c.Parties, other.Number) {
		c, _ = st.place(e.Connection, e.CallingDevice, ringing, nil)
	}
	switch {
	case st.ambiguous:
	case c == nil:
		return false
	default:
		st.ignore(IgnoredDuplicate) // the line's call rings on
	}
	return true
}

// prompted: the line's device is rung to accept its own MakeCall (ECMA-269 autoOriginate
// prompt; the switch names the line as both alerting and calling device). It is the line's
// outgoing call, at DIALTONE until the user accepts, never an incoming call from itself.
func (st *step) prompted(e *csta.DeliveredEvent) {
	st.ownMakeCall(e.Connection, statusDialTone, e.CalledDevice, e.Cause)
}

// ownMakeCall moves the line's own MakeCall to status while it is being prompted or dialled
// (DIALTONE, DIALING), starting it when the line does not know it yet.
func (st *step) ownMakeCall(conn csta.ConnectionID, status tapi.CallStatus, called csta.DeviceID, cause csta.EventCause) {
	c, gone := st.find(conn, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING)
	switch {
	case c == nil && gone:
		st.ignore(IgnoredCleared)
	case c == nil:
		info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: st.ownParty()}
		if called.Known() && !st.is(called) {
			info.Called = party(called)
		}
		st.startOutgoing(conn.CallID, status, info, nil, cause)
	case !inState(c, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING):
		st.ignore(IgnoredOutOfOrder)
	case c.State == status.State || status.State == tapi.LINECALLSTATE_DIALTONE:
		st.ignore(IgnoredDuplicate)
	default:
		st.setState(c, status)
	}
}

// ringback moves an outgoing call to RINGBACK, noting where it rings if that is not the
// number dialled.
func (st *step) ringback(c *tapi.Call, e *csta.DeliveredEvent) {
	if !inState(c, outgoing...) {
		st.ignore(IgnoredOutOfOrder)
		return
	}
	st.updateInfo(c, 0, func(i *tapi.CallInfo) {
		if i.Called.IsZero() && e.CalledDevice.Known() {
			i.Called = party(e.CalledDevice)
		}
		st.redirectedTo(i, csta.Device(i.Called.Number), e.AlertingDevice)
	})
	if p := partiesOr(c.Parties, e.AlertingDevice); p != nil {
		c.Parties = p
	}
	if c.State == tapi.LINECALLSTATE_RINGBACK {
		if len(st.res.Events) == 0 {
			st.ignore(IgnoredDuplicate)
		}
		return
	}
	st.setState(c, statusRingback)
}

// redirectedTo records in the caller's view that the call reached another device than the
// one dialled.
func (st *step) redirectedTo(i *tapi.CallInfo, called, reached csta.DeviceID) {
	if reached.Number != "" && called.Number != "" && reached.Number != called.Number {
		i.Redirection = party(reached)
	}
}

// arrivalInfo builds the call info of a call arriving at the line.
func (st *step) arrivalInfo(calling, called, lastRedirection, networkCalling csta.DeviceID,
	cause csta.EventCause) tapi.CallInfo {
	redirected := lastRedirection.Known() && lastRedirection.Number != st.ls.Address
	info := tapi.CallInfo{
		Origin: st.origin(calling, networkCalling),
		Reason: offeringReason(cause, redirected),
		Caller: party(calling),
		Called: partyOr(called, st.ownParty()),
	}
	if info.Reason != tapi.LINECALLREASON_DIRECT {
		if redirected {
			info.Redirecting = party(lastRedirection)
		}
		info.Redirection = st.ownParty()
	}
	return info
}

// Established: at the answering device -> CONNECTED; at the calling device -> CONNECTED with
// the answering party as connected ID. The answering device decides which side the line is
// on (the connection may be the line's own whatever happened); a line that is both calling
// and answering device accepted the prompt of its own MakeCall.
func (st *step) established(e *csta.EstablishedEvent) {
	id := e.EstablishedConnection.CallID
	switch {
	case st.is(e.AnsweringDevice) && st.is(e.CallingDevice):
		st.promptAccepted(e)
	case st.by(e.AnsweringDevice, e.EstablishedConnection):
		c, cleared := st.place(e.EstablishedConnection, e.CallingDevice, ringing, connectedStates)
		if c == nil {
			if cleared {
				st.ignore(IgnoredCleared)
				return
			}
			info := st.arrivalInfo(e.CallingDevice, e.CalledDevice, e.LastRedirectionDevice,
				csta.DeviceID{}, e.Cause)
			info.Connected = party(e.CallingDevice)
			st.adopt(id, statusConnected, info, numbers(e.CallingDevice))
			return
		}
		switch {
		case inState(c, tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED):
			st.updateInfo(c, 0, func(i *tapi.CallInfo) {
				if e.CallingDevice.Known() {
					i.Connected = party(e.CallingDevice)
				}
			})
			st.setState(c, statusConnected)
		case c.State == tapi.LINECALLSTATE_CONNECTED:
			st.ignore(IgnoredDuplicate)
		default:
			st.ignore(IgnoredOutOfOrder)
			st.repair(RepairImpossible) // the line answered a call it shows held or ended
		}
	case st.is(e.CallingDevice) && e.LocalConnectionInfo == csta.StateHold:
		st.answeredWhileHeld(e)
	case st.is(e.CallingDevice):
		c, cleared := st.place(e.EstablishedConnection, e.AnsweringDevice, outgoing, connectedStates)
		if c == nil {
			if cleared {
				st.ignore(IgnoredCleared)
				return
			}
			info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
				Caller: party(e.CallingDevice), Called: party(e.CalledDevice),
				Connected: party(e.AnsweringDevice)}
			st.redirectedTo(&info, e.CalledDevice, e.AnsweringDevice)
			st.adopt(id, statusConnected, info, numbers(e.AnsweringDevice))
			return
		}
		st.farEndAnswered(c, e)
	default:
		c, _ := st.find(e.EstablishedConnection, outgoing...)
		if c == nil || !inState(c, outgoing...) {
			st.ignore(IgnoredNotOurs)
			return
		}
		st.farEndAnswered(c, e)
	}
}

// answeredWhileHeld: the far end answered a call the line holds (the line held it while it
// rang out, e.g. to consult someone): the monitored device's connection is held
// (localConnectionInfo), so the call is one of the line's held calls, and it stays held; it
// is connected from now on (a retrieve connects it) and the answering party is its
// connected ID. Placed among the active calls instead, the event took the line's call with
// the consulted party for this one, or started a connected call the switch never had.
func (st *step) answeredWhileHeld(e *csta.EstablishedEvent) {
	c, cleared := st.place(e.EstablishedConnection, e.AnsweringDevice, onHold, nil)
	switch {
	case c == nil && st.ambiguous:
		return
	case c == nil && cleared:
		st.ignore(IgnoredCleared)
		return
	case c == nil:
		info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: party(e.CallingDevice), Called: party(e.CalledDevice), Connected: party(e.AnsweringDevice)}
		st.redirectedTo(&info, e.CalledDevice, e.AnsweringDevice)
		st.adopt(e.EstablishedConnection.CallID, statusOnHold, info, numbers(e.AnsweringDevice))
		return
	}
	st.answeredInfo(c, e)
	if p := partiesOr(c.Parties, e.AnsweringDevice); p != nil && len(c.Parties) <= 1 {
		c.Parties = p
	}
	if c.ConnectedAt.IsZero() {
		c.ConnectedAt = st.now
		st.changed(c)
	}
	if len(st.res.Events) == 0 {
		st.ignore(IgnoredDuplicate)
	}
}

// answeredInfo records who answered an outgoing call of the line: the connected ID, the
// called ID when the line did not know it, and a redirection when another device answered.
func (st *step) answeredInfo(c *tapi.Call, e *csta.EstablishedEvent) {
	st.updateInfo(c, 0, func(i *tapi.CallInfo) {
		if e.AnsweringDevice.Known() {
			i.Connected = party(e.AnsweringDevice)
		}
		if i.Called.IsZero() && e.CalledDevice.Known() {
			i.Called = party(e.CalledDevice)
		}
		st.redirectedTo(i, csta.Device(i.Called.Number), e.AnsweringDevice)
	})
}

// promptAccepted: the user took the prompt of the line's own MakeCall; the switch now
// dials -> PROCEEDING (DIALING while the number is unknown).
func (st *step) promptAccepted(e *csta.EstablishedEvent) {
	status := statusProceed
	if !e.CalledDevice.Known() || st.is(e.CalledDevice) {
		status = statusDialing
	}
	st.ownMakeCall(e.EstablishedConnection, status, e.CalledDevice, e.Cause)
}

// farEndAnswered connects an outgoing call when the far end answers.
func (st *step) farEndAnswered(c *tapi.Call, e *csta.EstablishedEvent) {
	if c.State == tapi.LINECALLSTATE_CONNECTED {
		if e.AnsweringDevice.Known() && c.Info.Connected.Number != e.AnsweringDevice.Number {
			// Another device took the call (e.g. a pickup): only the connected ID changes.
			st.updateInfo(c, 0, func(i *tapi.CallInfo) { i.Connected = party(e.AnsweringDevice) })
			c.Parties = partiesOr(c.Parties, e.AnsweringDevice)
			return
		}
		st.ignore(IgnoredDuplicate)
		return
	}
	if !inState(c, outgoing...) {
		st.ignore(IgnoredOutOfOrder)
		return
	}
	st.answeredInfo(c, e)
	if p := partiesOr(c.Parties, e.AnsweringDevice); p != nil {
		c.Parties = p
	}
	st.setState(c, statusConnected)
}

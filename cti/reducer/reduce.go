package reducer

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Reasons an event is ignored, reported in Result.Ignored.
const (
	IgnoredUnknownLine = "event for a line that is not monitored"
	IgnoredNotOurs     = "event not about this line's device or its calls"
	IgnoredDuplicate   = "duplicate event: the call is already in that state"
	IgnoredOutOfOrder  = "event does not fit the call's state (out of order)"
	IgnoredCleared     = "event for a call that already went IDLE at this line"
	IgnoredUnknownCall = "event for a call the line does not know"
	IgnoredUnchanged   = "line setting unchanged"
	IgnoredUnsupported = "event type not modelled"
)

// Apply reduces one CSTA event that arrived for the monitor of extension line. It mutates s
// and returns the TAPI events with the calls and lines to persist. It never reads a clock or
// does I/O: now is the event's arrival time.
func (s *State) Apply(line string, ev csta.Event, now time.Time) Result {
	return s.ApplyInto(nil, line, ev, now)
}

// ApplyInto is Apply building the result in buf's slices (emptied first; nil: new ones), for
// a caller that copies each result out before the next: the pipeline reduces thousands of
// events a second and would otherwise allocate the slices of every result. The result shares
// its arrays with buf, which keeps them for the next call.
func (s *State) ApplyInto(buf *Result, line string, ev csta.Event, now time.Time) Result {
	ls, ok := s.lines[line]
	if !ok {
		return Result{Ignored: IgnoredUnknownLine}
	}
	return s.applyLine(buf, ls, ev, now)
}

// applyLine is ApplyInto for the line ls.
func (s *State) applyLine(buf *Result, ls *lineState, ev csta.Event, now time.Time) Result {
	st := &step{s: s, ls: ls, now: now}
	if buf != nil {
		st.res = Result{Events: buf.Events[:0], ChangedCalls: buf.ChangedCalls[:0],
			RemovedCalls: buf.RemovedCalls[:0], ChangedLines: buf.ChangedLines[:0]}
	}
	st.apply(ev)
	if buf != nil {
		buf.Events, buf.ChangedCalls, buf.RemovedCalls, buf.ChangedLines = st.res.Events, st.res.ChangedCalls,
			st.res.RemovedCalls, st.res.ChangedLines
	}
	return st.res
}

// apply reduces ev on the step's line into st.res.
func (st *step) apply(ev csta.Event) {
	ls := st.ls
	if ls.Queue != nil && !st.deviceEvent(ev) {
		st.queueEvent(ev)
	} else if ls.Queue == nil && !st.callControlEvent(ev) && !st.deviceEvent(ev) {
		st.ignore(IgnoredUnsupported)
	}
	if st.ambiguous && len(st.res.Events) == 0 {
		st.res.Ignored = IgnoredAmbiguous
	}
	if len(st.res.Events) > 0 {
		st.res.Ignored = ""
	}
}

// callControlEvent applies an ECMA-269 call control event; false for any other event.
func (st *step) callControlEvent(ev csta.Event) bool {
	switch e := ev.(type) {
	case *csta.ServiceInitiatedEvent:
		st.serviceInitiated(e)
	case *csta.OriginatedEvent:
		st.originated(e)
	case *csta.NetworkReachedEvent:
		st.networkReached(e)
	case *csta.DeliveredEvent:
		st.delivered(e)
	case *csta.EstablishedEvent:
		st.established(e)
	case *csta.QueuedEvent:
		st.queued(e)
	case *csta.HeldEvent:
		st.held(e)
	case *csta.RetrievedEvent:
		st.retrieved(e)
	case *csta.ConnectionClearedEvent:
		st.connectionCleared(e)
	case *csta.CallClearedEvent:
		st.callCleared(e)
	case *csta.FailedEvent:
		st.failed(e)
	case *csta.DivertedEvent:
		st.diverted(e)
	case *csta.TransferredEvent:
		st.transferred(e)
	case *csta.ConferencedEvent:
		st.conferenced(e)
	default:
		return false
	}
	return true
}

// deviceEvent applies a logical device feature or maintenance event; false for any other.
func (st *step) deviceEvent(ev csta.Event) bool {
	switch e := ev.(type) {
	case *csta.DoNotDisturbEvent:
		st.doNotDisturb(e)
	case *csta.ForwardingEvent:
		st.forwarding(e)
	case *csta.OutOfServiceEvent:
		st.setInService(e.Device, false)
	case *csta.BackInServiceEvent:
		st.setInService(e.Device, true)
	case *csta.AgentStateEvent:
		st.agentEvent(e)
	default:
		return false
	}
	return true
}

// lookup finds the line's call for a PBX call ID, or says why it cannot exist.
func (st *step) lookup(id string) (c *tapi.Call, cleared bool) {
	if c = st.s.callAt(st.ls, id); c != nil {
		return c, false
	}
	return nil, st.ls.wasCleared(id)
}

// adopt announces a call that was already in progress when monitoring started (or whose start
// was missed): LINE_NEWCALL with what the event tells, then its current state.
func (st *step) adopt(id string, status tapi.CallStatus, info tapi.CallInfo, parties []string) *tapi.Call {
	if info.Origin == 0 {
		info.Origin = tapi.LINECALLORIGIN_UNKNOWN
	}
	if info.Reason == 0 {
		info.Reason = tapi.LINECALLREASON_UNKNOWN
	}
	if id == "" && st.callsWithoutID() > 0 {
		// Without callIDs a missed start beside other calls may be one of them misplaced.
		st.repair(RepairGuessed)
	}
	return st.newCall(id, status, info, parties)
}

// ServiceInitiated: the line's device went off-hook or a MakeCall started -> DIALTONE.
func (st *step) serviceInitiated(e *csta.ServiceInitiatedEvent) {
	if !st.conn(e.InitiatedConnection, e.InitiatingDevice) {
		st.ignore(IgnoredNotOurs)
		return
	}
	id := e.InitiatedConnection.CallID
	c, gone := st.find(e.InitiatedConnection, tapi.LINECALLSTATE_DIALTONE)
	if c == nil && gone && st.ambiguous {
		return
	}
	if c != nil {
		if c.State == tapi.LINECALLSTATE_DIALTONE {
			st.ignore(IgnoredDuplicate)
		} else {
			st.ignore(IgnoredOutOfOrder)
		}
		return
	}
	info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
		Caller: partyOr(e.InitiatingDevice, st.ownParty())}
	st.startOutgoing(id, statusDialTone, info, nil, e.Cause)
}

// startOutgoing creates a call the line places, relating it to the held call it consults.
func (st *step) startOutgoing(id string, status tapi.CallStatus, info tapi.CallInfo, parties []string,
	cause csta.EventCause) *tapi.Call {
	var held *tapi.Call
	if cause == csta.CauseConsultation {
		held = st.consultedFrom(id)
		if held != nil {
			info.RelatedCall = held.Handle
		}
	}
	c := st.newCall(id, status, info, parties)
	if held != nil {
		st.relate(held, c)
	}
	return c
}

// consultedFrom picks the held call a consultation call was started from: the most recently
// held call of the line without a related call (ties: the newest handle).
//
// The line's index is read as it is, in no order, with the ties decided by handle: sorting
// the line's handles and looking each call up by handle (lineHandles) cost a map, an array
// and a lookup per call on every consultation.
func (st *step) consultedFrom(exceptID string) *tapi.Call {
	var best *tapi.Call
	st.ls.byCallID.each(func(_ string, c *tapi.Call) {
		if c.CallID == exceptID || c.Info.RelatedCall != "" ||
			!inState(c, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF) {
			return
		}
		if best == nil || c.StateSince.After(best.StateSince) ||
			(c.StateSince.Equal(best.StateSince) && handleLess(best.Handle, c.Handle)) {
			best = c
		}
	})
	return best
}

// relate links the held call and its consultation call; the held call waits for a transfer.
func (st *step) relate(held, consult *tapi.Call) {
	st.updateInfo(held, 0, func(i *tapi.CallInfo) { i.RelatedCall = consult.Handle })
	if consult.Info.RelatedCall != held.Handle {
		st.updateInfo(consult, 0, func(i *tapi.CallInfo) { i.RelatedCall = held.Handle })
	}
	if held.State == tapi.LINECALLSTATE_ONHOLD {
		st.setState(held, tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLDPENDTRANSFER})
	}
}

// Originated: the line's device dialled -> PROCEEDING (DIALING while the number is unknown).
func (st *step) originated(e *csta.OriginatedEvent) {
	if !st.conn(e.OriginatedConnection, e.CallingDevice) {
		st.ignore(IgnoredNotOurs)
		return
	}
	id := e.OriginatedConnection.CallID
	status := statusProceed
	if !e.CalledDevice.Known() {
		status = statusDialing
	}
	c, cleared := st.findOr(e.OriginatedConnection, []tapi.CallState{tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING},
		[]tapi.CallState{tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK})
	if c == nil {
		if cleared {
			st.ignore(IgnoredCleared)
			return
		}
		info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: partyOr(e.CallingDevice, st.ownParty()), Called: party(e.CalledDevice)}
		st.startOutgoing(id, status, info, numbers(e.CalledDevice), e.Cause)
		return
	}
	if !inState(c, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING) {
		st.ignore(IgnoredOutOfOrder)
		return
	}
	st.updateInfo(c, 0, func(i *tapi.CallInfo) {
		if e.CalledDevice.Known() {
			i.Called = party(e.CalledDevice)
		}
	})
	if e.Cause == csta.CauseConsultation && c.Info.RelatedCall == "" {
		if held := st.consultedFrom(id); held != nil {
			st.relate(held, c)
		}
	}
	if c.State == status.State {
		st.ignore(IgnoredDuplicate)
		return
	}
	c.Parties = partiesOr(c.Parties, e.CalledDevice)
	st.setState(c, status)
}

// NetworkReached: the call left on a trunk -> PROCEEDING, and the trunk is known.
func (st *step) networkReached(e *csta.NetworkReachedEvent) {
	id := e.OutboundConnection.CallID
	c, cleared := st.find(e.OutboundConnection, outgoing...)
	if c == nil {
		if cleared || !st.is(e.CallingDevice) {
			st.ignore(IgnoredUnknownCall)
			return
		}
		info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_OUTBOUND, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: party(e.CallingDevice), Called: party(e.CalledDevice),
			Trunk: e.NetworkInterfaceUsed.Number}
		st.adopt(id, statusProceed, info, numbers(e.CalledDevice))
		return
	}
	st.updateInfo(c, 0, func(i *tapi.CallInfo) {
		if e.NetworkInterfaceUsed.Number != "" {
			i.Trunk = e.NetworkInterfaceUsed.Number
		}
		if i.Called.IsZero() && e.CalledDevice.Known() {
			i.Called = party(e.CalledDevice)
		}
	})
	if inState(c, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING) {
		st.setState(c, statusProceed)
	} else if len(st.res.Events) == 0 {
		st.ignore(IgnoredDuplicate)
	}
}

// Queued: the call waits in a hunt group or ACD queue; the caller sees PROCEEDING.
func (st *step) queued(e *csta.QueuedEvent) {
	c, _ := st.find(e.QueuedConnection, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING)
	if c == nil || !inState(c, tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING) {
		st.ignore(IgnoredNotOurs)
		return
	}
	st.setState(c, statusProceed)
}

package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Diverted away from the line's device -> DISCONNECTED with the mode of the diversion
// (PICKUP, FORWARDED; see divertedMode), then IDLE there; the Delivered or Established at
// the new device makes its call with the FWD*/REDIRECT/PICKUP reason. For the other party
// the redirection IDs change.
func (st *step) diverted(e *csta.DivertedEvent) {
	away := st.by(e.DivertingDevice, e.Connection)
	c, cleared := st.divertedCall(e, away)
	if c == nil && away && !cleared && forwardedUnseen(e.Cause) {
		st.forwardedAway(e)
		return
	}
	if c == nil {
		switch {
		case cleared:
			st.ignore(IgnoredCleared)
		case away:
			// The line's own connection was diverted away from a call it does not know.
			st.ignore(IgnoredUnknownCall)
			st.repair(RepairUnknownCall)
		default:
			st.ignore(IgnoredUnknownCall)
		}
		return
	}
	if away {
		if e.NewDestination.Known() && !st.is(e.NewDestination) {
			st.updateInfo(c, 0, func(i *tapi.CallInfo) { i.Redirection = party(e.NewDestination) })
		}
		st.setState(c, tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: divertedMode(e.Cause)})
		st.idle("diverted to "+e.NewDestination.String(), c)
		return
	}
	if st.is(e.NewDestination) || !e.NewDestination.Known() {
		st.ignore(IgnoredNotOurs)
		return
	}
	st.updateInfo(c, 0, func(i *tapi.CallInfo) {
		i.Redirection = party(e.NewDestination)
		if e.DivertingDevice.Known() {
			i.Redirecting = party(e.DivertingDevice)
		}
	})
	if len(st.res.Events) == 0 {
		st.ignore(IgnoredDuplicate)
		return
	}
	c.Parties = slices.DeleteFunc(c.Parties, func(p string) bool { return p == e.DivertingDevice.Number })
	if !slices.Contains(c.Parties, e.NewDestination.Number) {
		c.Parties = append(c.Parties, e.NewDestination.Number)
	}
}

// divertedCall finds the call of a Diverted event. Without a callID: a call diverted away
// from the line is one ringing there (see divertedFromRinging); at the calling line, the call
// the diverting device was part of, among its held calls when the line's own connection is
// held (localConnectionInfo: it holds the call that rang out).
func (st *step) divertedCall(e *csta.DivertedEvent, away bool) (*tapi.Call, bool) {
	fits, again, other := outgoing, anyState, e.DivertingDevice
	switch {
	case away:
		fits, again, other = ringing, nil, csta.DeviceID{}
	case e.LocalConnectionInfo == csta.StateHold:
		fits, again = onHold, nil
	}
	c, cleared := st.place(e.Connection, other, fits, again)
	if c != nil && away && e.Connection.CallID == "" && !st.divertedFromRinging(c, e) {
		return nil, false
	}
	return c, cleared
}

// divertedFromRinging says whether, without a callID, the line's ringing call c is the call a
// Diverted event takes away: not for a call forwarded before it rang here (immediate, busy:
// none of the line's calls, whatever rings here meanwhile), and not when c rings from another
// caller than the event's.
func (st *step) divertedFromRinging(c *tapi.Call, e *csta.DivertedEvent) bool {
	if forwardedUnseen(e.Cause) {
		return false
	}
	return !e.CallingDevice.Known() || len(c.Parties) == 0 || slices.Contains(c.Parties, e.CallingDevice.Number)
}

// forwardedUnseen reports the diversion causes of a call forwarded before it alerted at the
// diverting device: immediate (unconditional) and busy forwarding.
func forwardedUnseen(c csta.EventCause) bool {
	return c == csta.CauseCallForwardImmediate || c == csta.CauseCallForwardBusy || c == csta.CauseCallForward
}

// forwardedAway records a call the line's forwarding sent on before it rang there: LINE_NEWCALL
// already DISCONNECTED/FORWARDED (it never alerted, so never OFFERING), then IDLE. The line
// never had the call, but its user forwarded it; the record lets a CRM log a call forwarded
// away instead of losing it.
func (st *step) forwardedAway(e *csta.DivertedEvent) {
	info := tapi.CallInfo{
		Origin: st.origin(e.CallingDevice, csta.DeviceID{}),
		Reason: tapi.LINECALLREASON_DIRECT,
		Caller: party(e.CallingDevice),
		Called: partyOr(e.CalledDevice, st.ownParty()),
	}
	if e.NewDestination.Known() && !st.is(e.NewDestination) {
		info.Redirection = party(e.NewDestination)
	}
	c := st.newCall(e.Connection.CallID, tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED,
		DisconnectMode: divertedMode(e.Cause)}, info, numbers(e.CallingDevice))
	st.idle("forwarded to "+e.NewDestination.String(), c)
}

// ownItem finds the line's entry in a Transferred or Conferenced connection list.
func (st *step) ownItem(items []csta.ConnectionListItem) (csta.ConnectionListItem, bool) {
	for _, it := range items {
		if st.is(it.Endpoint) || st.is(it.NewConnection.DeviceID) || st.is(it.OldConnection.DeviceID) {
			return it, true
		}
	}
	return csta.ConnectionListItem{}, false
}

// joinedCall finds the line's call among the old calls of a transfer or conference that
// joining (the transferring or conferencing device) made, and the PBX call ID it continues
// under. Without a list entry for the line, the call keeps its ID and both old IDs become
// aliases, since either may be used from now on.
func (st *step) joinedCall(items []csta.ConnectionListItem, primary, secondary csta.ConnectionID, joining csta.DeviceID) (
	c *tapi.Call, newID string, aliases []string) {
	item, listed := st.ownItem(items)
	if listed {
		c = st.s.callAt(st.ls, item.OldConnection.CallID)
	}
	if c == nil {
		if c = st.s.callAt(st.ls, primary.CallID); c == nil {
			c = st.s.callAt(st.ls, secondary.CallID)
		}
	}
	if c == nil && primary.CallID == "" && secondary.CallID == "" {
		c = st.joinedWithoutCallID(items, primary, secondary, joining)
	}
	if c == nil {
		return nil, "", nil
	}
	if listed && item.NewConnection.CallID != "" {
		return c, item.NewConnection.CallID, nil
	}
	return c, c.CallID, []string{primary.CallID, secondary.CallID, c.CallID}
}

// joinedWithoutCallID finds the line's call a transfer or conference joins on a switch
// without callIDs. At the line that joins its two calls the held call carries on (else its
// one connected or held call). At any other line it is the line's call with the joining
// device: both old calls were the joining device's, and the line's call may be ringing
// (a transfer or conference on alerting), ringing out, held there or connected; the line's
// other calls, held ones included, are none of the event's business. Several candidates make
// the event ambiguous: nil, and a repair (place).
func (st *step) joinedWithoutCallID(items []csta.ConnectionListItem, primary, secondary csta.ConnectionID,
	joining csta.DeviceID) *tapi.Call {
	if joining.Known() && st.is(joining) {
		if held, active := st.oldCalls(primary, secondary, items); held != nil && active != nil {
			return held
		}
		c, _ := st.find(csta.ConnectionID{}, append(slices.Clone(connectedStates), onHold...)...)
		return c
	}
	c, _ := st.place(csta.ConnectionID{}, joining, joinable, nil)
	return c
}

// joinable lists the states of a call another device's transfer or conference can join.
var joinable = slices.Concat(connectedStates, onHold, ringing,
	[]tapi.CallState{tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK})

// otherEndpoints lists the numbers of the list's endpoints other than the line and except.
func (st *step) otherEndpoints(items []csta.ConnectionListItem, except string) []string {
	var out []string
	for _, it := range items {
		d := it.Endpoint
		if !d.Known() {
			d = it.NewConnection.DeviceID
		}
		if d.Number != "" && !st.is(d) && d.Number != except && !slices.Contains(out, d.Number) {
			out = append(out, d.Number)
		}
	}
	return out
}

// transferredCalls returns the transferring line's calls a transfer ends: its held and
// active calls, or, for a single-step transfer (ECMA-269 names one old call, no secondary),
// the one call transferred: without a callID the line's active call, with a party among
// the endpoints the event lists when it has several; its held calls stay.
func (st *step) transferredCalls(e *csta.TransferredEvent) []*tapi.Call {
	if e.SecondaryOldCall.IsZero() && e.PrimaryOldCall.CallID == "" {
		a := st.joinCandidates(append(slices.Clone(connectedStates), outgoing...),
			st.otherEndpoints(e.TransferredConnections, ""))
		if len(a) != 1 {
			return nil
		}
		return a
	}
	var cs []*tapi.Call
	held, active := st.oldCalls(e.PrimaryOldCall, e.SecondaryOldCall, e.TransferredConnections)
	for _, c := range []*tapi.Call{held, active} {
		if c != nil && !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// Transferred: the transferring line's calls -> IDLE; the remaining parties keep their call
// handle and get LINE_CALLINFO with the new connected ID and reason TRANSFER.
func (st *step) transferred(e *csta.TransferredEvent) {
	if st.is(e.TransferringDevice) {
		cs := st.transferredCalls(e)
		if len(cs) == 0 {
			st.ignore(IgnoredUnknownCall)
			st.repair(RepairUnknownCall)
			return
		}
		st.idle("transferred", cs...)
		return
	}
	c, newID, aliases := st.joinedCall(e.TransferredConnections, e.PrimaryOldCall, e.SecondaryOldCall,
		e.TransferringDevice)
	if c == nil {
		st.ignore(IgnoredUnknownCall)
		st.repair(RepairUnknownCall)
		return
	}
	var connected tapi.PartyID
	var parties []string
	if e.TransferredToDevice.Known() && !st.is(e.TransferredToDevice) {
		connected, parties = party(e.TransferredToDevice), numbers(e.TransferredToDevice)
	} else if others := st.otherEndpoints(e.TransferredConnections, e.TransferringDevice.Number); len(others) > 0 {
		parties = others
		connected = tapi.PartyID{Number: others[0], Flags: tapi.LINECALLPARTYID_ADDRESS}
		for _, it := range e.TransferredConnections {
			if it.Endpoint.Number == others[0] {
				connected = party(it.Endpoint)
			}
		}
	}
	var extra tapi.CallInfoState
	if st.setCallID(c, newID, aliases) {
		extra = tapi.LINECALLINFOSTATE_CALLID
	}
	st.updateInfo(c, extra, func(i *tapi.CallInfo) {
		i.Reason = tapi.LINECALLREASON_TRANSFER
		if !connected.IsZero() {
			i.Connected = connected
		}
	})
	if parties != nil {
		c.Parties = parties
	}
}

// Conferenced: the calls of the line join the conference -> CONFERENCED. At the conferencing
// line the held call carries on as the conference and the consultation call goes IDLE.
//
// ONHOLDPENDCONF: TAPI puts a call in that state when lineSetupConference or
// linePrepareAddToConference holds it for a conference. CSTA's ConsultationCall does not
// say whether a transfer or a conference will follow, so a consultation's held call is
// ONHOLDPENDTRANSFER until the intent shows; the Conferenced event at the conferencing line
// is where it shows. The held call then passes through ONHOLDPENDCONF before CONFERENCED, so
// an application sees the held-for-conference step TAPI's own conference path has
// (ONHOLDPENDTRANSFER -> ONHOLDPENDCONF -> CONFERENCED), whether the conference was made by
// the bridge's conference op or at the phone.
func (st *step) conferenced(e *csta.ConferencedEvent) {
	c, newID, aliases := st.joinedCall(e.ConferenceConnections, e.PrimaryOldCall, e.SecondaryOldCall,
		e.ConferencingDevice)
	if c == nil {
		st.ignore(IgnoredUnknownCall)
		st.repair(RepairUnknownCall)
		return
	}
	c, drop, parties, newID, aliases := st.conferenceCalls(e, c, newID, aliases)
	if drop != nil {
		if inState(c, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLD) {
			st.setState(c, tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLDPENDCONF})
		}
		drop.Info.RelatedCall = "" // its partner carries on as the conference
		st.idle("joined the conference", drop)
	}
	var extra tapi.CallInfoState
	if st.setCallID(c, newID, aliases) {
		extra = tapi.LINECALLINFOSTATE_CALLID
	}
	st.updateInfo(c, extra, func(i *tapi.CallInfo) {
		if drop != nil && i.RelatedCall == drop.Handle {
			i.RelatedCall = ""
		}
	})
	c.Parties = dedupe(parties, st.ls.Address)
	st.changed(c)
	// A line that holds the call keeps holding it when another party builds the conference.
	keepsHold := inState(c, onHold...) && !st.is(e.ConferencingDevice) &&
		(e.LocalConnectionInfo == csta.StateHold || e.LocalConnectionInfo == "")
	if !keepsHold && inState(c, tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDCONF,
		tapi.LINECALLSTATE_ONHOLDPENDTRANSFER) {
		st.setState(c, statusConf)
	}
	// At every conferenced line the call now names its conference and parties (LINE_CONFERENCE),
	// a held one too.
	st.updateConference(c, inState(c, tapi.LINECALLSTATE_CONFERENCED) || inState(c, onHold...), conferencedDevices(e)...)
	if len(st.res.Events) == 0 {
		st.ignore(IgnoredDuplicate)
	}
}

// conferenceCalls decides, for a Conferenced event, which call of the line carries on as the
// conference and which ends (drop, at the conferencing line: the consultation call), with the
// conference's parties and call IDs.
func (st *step) conferenceCalls(e *csta.ConferencedEvent, c *tapi.Call, newID string, aliases []string) (
	conf, drop *tapi.Call, parties []string, id string, ids []string) {
	parties = st.otherEndpoints(e.ConferenceConnections, "")
	if !st.is(e.ConferencingDevice) {
		if parties == nil {
			parties = append(slices.Clone(c.Parties), numbers(e.AddedParty, e.ConferencingDevice)...)
		}
		return c, nil, parties, newID, aliases
	}
	p, q := st.oldCalls(e.PrimaryOldCall, e.SecondaryOldCall, e.ConferenceConnections)
	if p == nil || q == nil || p == q {
		return c, nil, parties, newID, aliases
	}
	if _, listed := st.ownItem(e.ConferenceConnections); !listed {
		newID, aliases = p.CallID, []string{p.CallID, q.CallID}
	}
	if parties == nil {
		parties = append(slices.Clone(p.Parties), q.Parties...)
	}
	return p, q, parties, newID, aliases
}

func dedupe(xs []string, except string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && x != except && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

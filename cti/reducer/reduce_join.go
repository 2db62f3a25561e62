package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Diverted away from the line's device -> IDLE there (the Delivered at the new device makes
// the OFFERING with its FWD*/REDIRECT/PICKUP reason). For the other party the redirection
// IDs change.
func (st *step) diverted(e *csta.DivertedEvent) {
	away := st.by(e.DivertingDevice, e.Connection)
	fits := outgoing
	if away {
		fits = ringing
	}
	c, cleared := st.findOr(e.Connection, fits, nil)
	if c == nil {
		if cleared {
			st.ignore(IgnoredCleared)
		} else {
			st.ignore(IgnoredUnknownCall)
		}
		return
	}
	if away {
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

// ownItem finds the line's entry in a Transferred or Conferenced connection list.
func (st *step) ownItem(items []csta.ConnectionListItem) (csta.ConnectionListItem, bool) {
	for _, it := range items {
		if st.is(it.Endpoint) || st.is(it.NewConnection.DeviceID) || st.is(it.OldConnection.DeviceID) {
			return it, true
		}
	}
	return csta.ConnectionListItem{}, false
}

// joinedCall finds the line's call among the old calls of a transfer or conference, and the
// PBX call ID it continues under. Without a list entry for the line, the call keeps its ID
// and both old IDs become aliases, since either may be used from now on.
func (st *step) joinedCall(items []csta.ConnectionListItem, primary, secondary csta.ConnectionID) (
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
		// A switch without callIDs: the line's one call without a callID that takes part.
		c, _ = st.find(csta.ConnectionID{}, append(slices.Clone(connectedStates), onHold...)...)
	}
	if c == nil {
		return nil, "", nil
	}
	if listed && item.NewConnection.CallID != "" {
		return c, item.NewConnection.CallID, nil
	}
	return c, c.CallID, []string{primary.CallID, secondary.CallID, c.CallID}
}

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

// Transferred: the transferring line's calls -> IDLE; the remaining parties keep their call
// handle and get LINE_CALLINFO with the new connected ID and reason TRANSFER.
func (st *step) transferred(e *csta.TransferredEvent) {
	if st.is(e.TransferringDevice) {
		var cs []*tapi.Call
		for _, id := range []string{e.PrimaryOldCall.CallID, e.SecondaryOldCall.CallID} {
			if c := st.s.callAt(st.ls, id); c != nil && !slices.Contains(cs, c) {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			st.ignore(IgnoredUnknownCall)
			st.repair(RepairUnknownCall)
			return
		}
		st.idle("transferred", cs...)
		return
	}
	c, newID, aliases := st.joinedCall(e.TransferredConnections, e.PrimaryOldCall, e.SecondaryOldCall)
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
func (st *step) conferenced(e *csta.ConferencedEvent) {
	c, newID, aliases := st.joinedCall(e.ConferenceConnections, e.PrimaryOldCall, e.SecondaryOldCall)
	if c == nil {
		st.ignore(IgnoredUnknownCall)
		st.repair(RepairUnknownCall)
		return
	}
	parties := st.otherEndpoints(e.ConferenceConnections, "")
	var drop *tapi.Call
	if st.is(e.ConferencingDevice) {
		p := st.s.callAt(st.ls, e.PrimaryOldCall.CallID)
		q := st.s.callAt(st.ls, e.SecondaryOldCall.CallID)
		if p != nil && q != nil && p != q {
			c, drop = p, q
			if _, listed := st.ownItem(e.ConferenceConnections); !listed {
				newID, aliases = p.CallID, []string{p.CallID, q.CallID}
			}
			if parties == nil {
				parties = append(slices.Clone(p.Parties), q.Parties...)
			}
		}
	} else if parties == nil {
		parties = append(slices.Clone(c.Parties), numbers(e.AddedParty, e.ConferencingDevice)...)
	}
	if drop != nil {
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
	if inState(c, tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDCONF,
		tapi.LINECALLSTATE_ONHOLDPENDTRANSFER) {
		st.setState(c, statusConf)
	} else if len(st.res.Events) == 0 {
		st.ignore(IgnoredDuplicate)
	}
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

package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// A line's call that is a conference names it: Call.Conference holds the conference call's
// handle (tapi.ConferenceHandle of the call's) and the other parties, and LINE_CONFERENCE, a
// bridge extension, reports every change: the call became a conference (Conferenced, at every
// conferenced line), a party joined or left, or it is a two-party call again (conference
// null). A call that goes IDLE takes its conference with it, without an event of its own.

// updateConference brings c.Conference in line with c.Parties and announces a change with
// LINE_CONFERENCE. start says the call is a conference now (a Conferenced event placed on it,
// a CONFERENCED call after a resync); otherwise only a conference the call already has is
// updated, or ended when fewer than two other parties are left. devs are devices the event
// named, for the parties' names.
func (st *step) updateConference(c *tapi.Call, start bool, devs ...csta.DeviceID) {
	var conf *tapi.Conference
	if (start || c.Conference != nil) && len(c.Parties) > 1 {
		conf = &tapi.Conference{Handle: tapi.ConferenceHandle(c.Handle), Parties: make([]tapi.PartyID, 0, len(c.Parties))}
		for _, n := range c.Parties {
			conf.Parties = append(conf.Parties, confParty(c, n, devs))
		}
	}
	if conf.Equal(c.Conference) {
		return
	}
	c.Conference = conf
	st.emit(tapi.Event{Type: tapi.LineConference, Handle: c.Handle, Conference: conf.Clone()})
	st.changed(c)
}

// confParty is what is known of the party with number in c: from the event's devices, the
// conference so far, or the call's party IDs, preferring one with a name; else the number.
func confParty(c *tapi.Call, number string, devs []csta.DeviceID) tapi.PartyID {
	var known []tapi.PartyID
	for _, d := range devs {
		if d.Number == number {
			known = append(known, party(d))
		}
	}
	if c.Conference != nil {
		known = append(known, c.Conference.Parties...)
	}
	i := c.Info
	known = append(known, i.Connected, i.Caller, i.Called, i.Redirection, i.Redirecting)
	best := tapi.PartyID{Number: number, Flags: tapi.LINECALLPARTYID_ADDRESS}
	for _, p := range known {
		if p.Number != number {
			continue
		}
		if p.Name != "" {
			return p
		}
		if best.Flags == tapi.LINECALLPARTYID_ADDRESS && best.Name == "" {
			best = p
		}
	}
	return best
}

// conferencedDevices lists the devices a Conferenced event names.
func conferencedDevices(e *csta.ConferencedEvent) []csta.DeviceID {
	devs := []csta.DeviceID{e.AddedParty, e.ConferencingDevice}
	for _, it := range e.ConferenceConnections {
		devs = append(devs, it.Endpoint, it.NewConnection.DeviceID)
	}
	return devs
}

// reconcileConference keeps a call's conference after a resync while SnapshotCall lists more
// than one other party and the call is CONFERENCED (or a held conference); its parties become
// the snapshot's, in the order known so far. With one other party left the call is a
// two-party call again (CONNECTED with that party as connected ID, or still held). Without a
// SnapshotCall result (items nil) the call is left as it is.
func (st *step) reconcileConference(c *tapi.Call, items []csta.SnapshotCallItem) {
	if items == nil || !(c.State == tapi.LINECALLSTATE_CONFERENCED || (c.Conference != nil && inState(c, onHold...))) {
		return
	}
	others := st.partiesOf(items)
	if len(others) == 0 {
		return // the snapshot lists the line alone: nothing to go by
	}
	parties := slices.DeleteFunc(slices.Clone(c.Parties), func(p string) bool { return !slices.Contains(others, p) })
	for _, p := range others {
		if !slices.Contains(parties, p) {
			parties = append(parties, p)
		}
	}
	if !slices.Equal(parties, c.Parties) {
		c.Parties = parties
		st.changed(c)
	}
	if len(parties) == 1 && c.State == tapi.LINECALLSTATE_CONFERENCED {
		left := parties[0]
		st.updateInfo(c, 0, func(i *tapi.CallInfo) {
			i.Connected = tapi.PartyID{Number: left, Flags: tapi.LINECALLPARTYID_ADDRESS}
		})
		st.setState(c, statusConnected)
	}
	devs := make([]csta.DeviceID, len(items))
	for i, it := range items {
		devs[i] = it.Device
	}
	st.updateConference(c, true, devs...)
}

package reducer

import (
	"slices"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// step is one reducer step on one line: it mutates the state and collects the result.
type step struct {
	s   *State
	ls  *lineState
	now time.Time
	res Result
	// ambiguous is set when an event without a callID fitted several calls (see find).
	ambiguous bool
}

func (st *step) ignore(why string) {
	if st.res.Ignored == "" && len(st.res.Events) == 0 {
		st.res.Ignored = why
	}
}

// is reports whether d names this step's line device.
func (st *step) is(d csta.DeviceID) bool { return st.ls.isAddress(d.Number) }

// conn reports whether the connection or the device names this step's line device.
func (st *step) conn(c csta.ConnectionID, d csta.DeviceID) bool {
	return st.is(d) || st.is(c.DeviceID)
}

func (st *step) emit(e tapi.Event) {
	e.V = tapi.WireVersion
	e.Time = st.now
	e.PBX = st.s.PBX
	e.Line = st.ls.name
	e.Device = st.ls.deviceID
	st.res.Events = append(st.res.Events, e)
}

func (st *step) changed(c *tapi.Call) {
	if !slices.Contains(st.res.ChangedCalls, c.Handle) {
		st.res.ChangedCalls = append(st.res.ChangedCalls, c.Handle)
	}
}

func (st *step) lineChanged() {
	if !slices.Contains(st.res.ChangedLines, st.ls.Name) {
		st.res.ChangedLines = append(st.res.ChangedLines, st.ls.Name)
	}
}

// newCall creates a call on the line and announces it with LINE_NEWCALL and LINE_CALLSTATE.
func (st *step) newCall(callID string, status tapi.CallStatus, info tapi.CallInfo, parties []string) *tapi.Call {
	s := st.s
	c := allocCall(parties)
	c.Handle = s.handles.handle(s.PBX, s.nextHandle)
	c.Line = st.ls.name
	c.CallID = callID
	c.CallStatus = status
	c.Info = info
	c.Created, c.StateSince = st.now, st.now
	if status.State == tapi.LINECALLSTATE_CONNECTED || status.State == tapi.LINECALLSTATE_CONFERENCED {
		c.ConnectedAt = st.now
	}
	s.nextHandle++
	s.calls[c.Handle] = c
	s.index(st.ls, c)
	st.ls.forget(callID)
	st.emit(tapi.Event{Type: tapi.LineNewCall, Handle: c.Handle, Call: st.s.slabs.Call(c)})
	st.emit(tapi.Event{Type: tapi.LineCallState, Handle: c.Handle, CallState: st.s.slabs.CallStatus(status)})
	st.changed(c)
	return c
}

// setState moves c to status; a repeat of the current state and mode does nothing. IDLE is
// reached only through idle.
func (st *step) setState(c *tapi.Call, status tapi.CallStatus) {
	if c.CallStatus == status {
		return
	}
	c.CallStatus = status
	c.StateSince = st.now
	if (status.State == tapi.LINECALLSTATE_CONNECTED || status.State == tapi.LINECALLSTATE_CONFERENCED) &&
		c.ConnectedAt.IsZero() {
		c.ConnectedAt = st.now
	}
	st.emit(tapi.Event{Type: tapi.LineCallState, Handle: c.Handle, CallState: st.s.slabs.CallStatus(status)})
	st.changed(c)
}

// updateInfo applies fn to c's info and announces the changed fields with LINE_CALLINFO.
// extra adds bits the caller changed outside Info (LINECALLINFOSTATE_CALLID).
func (st *step) updateInfo(c *tapi.Call, extra tapi.CallInfoState, fn func(*tapi.CallInfo)) {
	old := c.Info
	if fn != nil {
		fn(&c.Info)
	}
	mask := extra | infoDiff(old, c.Info)
	if mask == 0 {
		return
	}
	ev := st.s.slabs.CallInfo(tapi.CallInfoEvent{Changed: mask, Info: c.Info})
	if mask&tapi.LINECALLINFOSTATE_CALLID != 0 {
		ev.CallID = c.CallID
	}
	st.emit(tapi.Event{Type: tapi.LineCallInfo, Handle: c.Handle, CallInfo: ev})
	st.changed(c)
}

func infoDiff(a, b tapi.CallInfo) tapi.CallInfoState {
	var m tapi.CallInfoState
	if a.Origin != b.Origin {
		m |= tapi.LINECALLINFOSTATE_ORIGIN
	}
	if a.Reason != b.Reason {
		m |= tapi.LINECALLINFOSTATE_REASON
	}
	if a.Caller != b.Caller {
		m |= tapi.LINECALLINFOSTATE_CALLERID
	}
	if a.Called != b.Called {
		m |= tapi.LINECALLINFOSTATE_CALLEDID
	}
	if a.Connected != b.Connected {
		m |= tapi.LINECALLINFOSTATE_CONNECTEDID
	}
	if a.Redirecting != b.Redirecting {
		m |= tapi.LINECALLINFOSTATE_REDIRECTINGID
	}
	if a.Redirection != b.Redirection {
		m |= tapi.LINECALLINFOSTATE_REDIRECTIONID
	}
	if a.RelatedCall != b.RelatedCall {
		m |= tapi.LINECALLINFOSTATE_RELATEDCALLID
	}
	if a.Trunk != b.Trunk {
		m |= tapi.LINECALLINFOSTATE_TRUNK
	}
	if a.UserData != b.UserData {
		m |= tapi.LINECALLINFOSTATE_CALLDATA
	}
	return m
}

// setCallID makes id the call's PBX call ID, keeping aliases as further IDs the PBX may use.
// It reports whether the primary ID changed.
// An ID another call of the line holds stays with that call.
func (st *step) setCallID(c *tapi.Call, id string, aliases []string) bool {
	taken := func(x string) bool {
		h := st.ls.byCallID.get(x)
		return h != nil && h != c
	}
	if taken(id) {
		id = c.CallID
	}
	st.s.unindex(st.ls, c)
	changed := id != c.CallID
	c.CallID = id
	c.OtherCallIDs = c.OtherCallIDs[:0:0]
	for _, a := range aliases {
		if a != "" && a != id && !taken(a) && !slices.Contains(c.OtherCallIDs, a) {
			c.OtherCallIDs = append(c.OtherCallIDs, a)
		}
	}
	sort.Strings(c.OtherCallIDs)
	st.s.index(st.ls, c)
	st.changed(c)
	return changed
}

// idle ends calls: LINE_CALLSTATE IDLE for each, then removal. A consultation partner that
// survives loses its related call (LINE_CALLINFO RELATEDCALLID).
func (st *step) idle(detail string, cs ...*tapi.Call) {
	for _, c := range cs {
		if c == nil || st.s.calls[c.Handle] != c {
			continue
		}
		st.emit(tapi.Event{Type: tapi.LineCallState, Handle: c.Handle, Detail: detail,
			CallState: st.s.slabs.CallStatus(tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE})})
		st.s.unindex(st.ls, c)
		st.ls.remember(c.CallID)
		for _, id := range c.OtherCallIDs {
			st.ls.remember(id)
		}
		delete(st.s.calls, c.Handle)
		st.res.ChangedCalls = slices.DeleteFunc(st.res.ChangedCalls,
			func(h tapi.CallHandle) bool { return h == c.Handle })
		st.res.RemovedCalls = append(st.res.RemovedCalls, c.Handle)
	}
	for _, c := range cs {
		if c == nil || c.Info.RelatedCall == "" {
			continue
		}
		if p := st.s.calls[c.Info.RelatedCall]; p != nil && p.Info.RelatedCall == c.Handle {
			st.updateInfo(p, 0, func(i *tapi.CallInfo) { i.RelatedCall = "" })
			if p.State == tapi.LINECALLSTATE_ONHOLDPENDTRANSFER || p.State == tapi.LINECALLSTATE_ONHOLDPENDCONF {
				st.setState(p, tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD})
			}
		}
	}
}

// party builds a PartyID from a CSTA device.
func party(d csta.DeviceID) tapi.PartyID {
	var p tapi.PartyID
	switch {
	case d.Known():
		p.Number, p.Name = d.Number, d.Name
		if p.Number != "" {
			p.Flags |= tapi.LINECALLPARTYID_ADDRESS
		}
		if p.Name != "" {
			p.Flags |= tapi.LINECALLPARTYID_NAME
		}
	case d.Absent == "restricted":
		p.Flags = tapi.LINECALLPARTYID_BLOCKED
	case d.Absent == "notKnown":
		p.Flags = tapi.LINECALLPARTYID_UNKNOWN
	case d.Absent != "":
		p.Flags = tapi.LINECALLPARTYID_UNAVAIL
	}
	return p
}

// partyOr is party(d), or fallback when d carries nothing.
func partyOr(d csta.DeviceID, fallback tapi.PartyID) tapi.PartyID {
	if d.IsZero() {
		return fallback
	}
	return party(d)
}

// ownParty is the line's own address as a party.
func (st *step) ownParty() tapi.PartyID {
	p := tapi.PartyID{Number: st.ls.Address, Flags: tapi.LINECALLPARTYID_ADDRESS}
	if st.ls.DisplayName != "" {
		p.Name = st.ls.DisplayName
		p.Flags |= tapi.LINECALLPARTYID_NAME
	}
	return p
}

// origin classifies a call that arrives at the line.
func (st *step) origin(calling, network csta.DeviceID) tapi.CallOrigin {
	switch {
	case network.Known() && network.Number != calling.Number:
		return tapi.LINECALLORIGIN_EXTERNAL
	case !calling.Known():
		return tapi.LINECALLORIGIN_INBOUND
	case st.s.isInternal(calling.Number):
		return tapi.LINECALLORIGIN_INTERNAL
	}
	return tapi.LINECALLORIGIN_EXTERNAL
}

func numbers(ds ...csta.DeviceID) []string {
	var out []string
	for _, d := range ds {
		if d.Number != "" && !slices.Contains(out, d.Number) {
			out = append(out, d.Number)
		}
	}
	return out
}

// partiesOr is numbers(d) for a call whose parties are cur: cur itself when it already holds
// just that number, as each later event of a call repeats it (no slice made per event).
func partiesOr(cur []string, d csta.DeviceID) []string {
	if d.Number != "" && len(cur) == 1 && cur[0] == d.Number {
		return cur
	}
	return numbers(d)
}

func inState(c *tapi.Call, states ...tapi.CallState) bool { return slices.Contains(states, c.State) }

var (
	statusConnected = tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE}
	statusOffering  = tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE}
	statusDialTone  = tapi.CallStatus{State: tapi.LINECALLSTATE_DIALTONE, DialToneMode: tapi.LINEDIALTONEMODE_UNAVAIL}
	statusDialing   = tapi.CallStatus{State: tapi.LINECALLSTATE_DIALING}
	statusProceed   = tapi.CallStatus{State: tapi.LINECALLSTATE_PROCEEDING}
	statusRingback  = tapi.CallStatus{State: tapi.LINECALLSTATE_RINGBACK}
	statusOnHold    = tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD}
	statusConf      = tapi.CallStatus{State: tapi.LINECALLSTATE_CONFERENCED}
)

// onHold lists the held states.
var onHold = []tapi.CallState{tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF}

// outgoing lists the states of a call the line placed and that is not yet answered.
var outgoing = []tapi.CallState{tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING,
	tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK}

// ringing lists the states of a call offered to the line.
var ringing = []tapi.CallState{tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED}

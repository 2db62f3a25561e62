package tapi

import (
	"slices"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// step is one reducer step on one line: it mutates the state and collects the result.
type step struct {
	s   *State
	ls  *lineState
	now time.Time
	res Result
}

func (st *step) ignore(why string) {
	if st.res.Ignored == "" && len(st.res.Events) == 0 {
		st.res.Ignored = why
	}
}

// is reports whether d names this step's line device.
func (st *step) is(d csta.DeviceID) bool { return d.Number != "" && d.Number == st.ls.Address }

// conn reports whether the connection or the device names this step's line device.
func (st *step) conn(c csta.ConnectionID, d csta.DeviceID) bool {
	return st.is(d) || st.is(c.DeviceID)
}

func (st *step) emit(e Event) {
	e.V = WireVersion
	e.Time = st.now
	e.PBX = st.s.PBX
	e.Line = st.ls.Name
	e.Device = st.ls.DeviceID
	st.res.Events = append(st.res.Events, e)
}

func (st *step) changed(c *Call) {
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
func (st *step) newCall(callID string, status CallStatus, info CallInfo, parties []string) *Call {
	s := st.s
	c := &Call{
		Handle:     makeHandle(s.PBX, s.nextHandle),
		Line:       st.ls.Name,
		CallID:     callID,
		CallStatus: status,
		Info:       info,
		Parties:    parties,
		Created:    st.now,
		StateSince: st.now,
	}
	if status.State == LINECALLSTATE_CONNECTED || status.State == LINECALLSTATE_CONFERENCED {
		c.ConnectedAt = st.now
	}
	s.nextHandle++
	s.calls[c.Handle] = c
	s.index(st.ls, c)
	st.ls.forget(callID)
	st.emit(Event{Type: LineNewCall, Handle: c.Handle, Call: c.clone()})
	st.emit(Event{Type: LineCallState, Handle: c.Handle, CallState: &status})
	st.changed(c)
	return c
}

// setState moves c to status; a repeat of the current state and mode does nothing. IDLE is
// reached only through idle.
func (st *step) setState(c *Call, status CallStatus) {
	if c.CallStatus == status {
		return
	}
	c.CallStatus = status
	c.StateSince = st.now
	if (status.State == LINECALLSTATE_CONNECTED || status.State == LINECALLSTATE_CONFERENCED) &&
		c.ConnectedAt.IsZero() {
		c.ConnectedAt = st.now
	}
	st.emit(Event{Type: LineCallState, Handle: c.Handle, CallState: &status})
	st.changed(c)
}

// updateInfo applies fn to c's info and announces the changed fields with LINE_CALLINFO.
// extra adds bits the caller changed outside Info (LINECALLINFOSTATE_CALLID).
func (st *step) updateInfo(c *Call, extra CallInfoState, fn func(*CallInfo)) {
	old := c.Info
	if fn != nil {
		fn(&c.Info)
	}
	mask := extra | infoDiff(old, c.Info)
	if mask == 0 {
		return
	}
	ev := &CallInfoEvent{Changed: mask, Info: c.Info}
	if mask&LINECALLINFOSTATE_CALLID != 0 {
		ev.CallID = c.CallID
	}
	st.emit(Event{Type: LineCallInfo, Handle: c.Handle, CallInfo: ev})
	st.changed(c)
}

func infoDiff(a, b CallInfo) CallInfoState {
	var m CallInfoState
	if a.Origin != b.Origin {
		m |= LINECALLINFOSTATE_ORIGIN
	}
	if a.Reason != b.Reason {
		m |= LINECALLINFOSTATE_REASON
	}
	if a.Caller != b.Caller {
		m |= LINECALLINFOSTATE_CALLERID
	}
	if a.Called != b.Called {
		m |= LINECALLINFOSTATE_CALLEDID
	}
	if a.Connected != b.Connected {
		m |= LINECALLINFOSTATE_CONNECTEDID
	}
	if a.Redirecting != b.Redirecting {
		m |= LINECALLINFOSTATE_REDIRECTINGID
	}
	if a.Redirection != b.Redirection {
		m |= LINECALLINFOSTATE_REDIRECTIONID
	}
	if a.RelatedCall != b.RelatedCall {
		m |= LINECALLINFOSTATE_RELATEDCALLID
	}
	if a.Trunk != b.Trunk {
		m |= LINECALLINFOSTATE_TRUNK
	}
	if a.UserData != b.UserData {
		m |= LINECALLINFOSTATE_CALLDATA
	}
	return m
}

// setCallID makes id the call's PBX call ID, keeping aliases as further IDs the PBX may use.
// It reports whether the primary ID changed.
// An ID another call of the line holds stays with that call.
func (st *step) setCallID(c *Call, id string, aliases []string) bool {
	taken := func(x string) bool {
		h, ok := st.ls.byCallID[x]
		return ok && h != c.Handle
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
func (st *step) idle(detail string, cs ...*Call) {
	for _, c := range cs {
		if c == nil || st.s.calls[c.Handle] != c {
			continue
		}
		st.emit(Event{Type: LineCallState, Handle: c.Handle, Detail: detail,
			CallState: &CallStatus{State: LINECALLSTATE_IDLE}})
		st.s.unindex(st.ls, c)
		st.ls.remember(c.CallID)
		for _, id := range c.OtherCallIDs {
			st.ls.remember(id)
		}
		delete(st.s.calls, c.Handle)
		st.res.ChangedCalls = slices.DeleteFunc(st.res.ChangedCalls,
			func(h CallHandle) bool { return h == c.Handle })
		st.res.RemovedCalls = append(st.res.RemovedCalls, c.Handle)
	}
	for _, c := range cs {
		if c == nil || c.Info.RelatedCall == "" {
			continue
		}
		if p := st.s.calls[c.Info.RelatedCall]; p != nil && p.Info.RelatedCall == c.Handle {
			st.updateInfo(p, 0, func(i *CallInfo) { i.RelatedCall = "" })
			if p.State == LINECALLSTATE_ONHOLDPENDTRANSFER || p.State == LINECALLSTATE_ONHOLDPENDCONF {
				st.setState(p, CallStatus{State: LINECALLSTATE_ONHOLD})
			}
		}
	}
}

// party builds a PartyID from a CSTA device.
func party(d csta.DeviceID) PartyID {
	var p PartyID
	switch {
	case d.Known():
		p.Number, p.Name = d.Number, d.Name
		if p.Number != "" {
			p.Flags |= LINECALLPARTYID_ADDRESS
		}
		if p.Name != "" {
			p.Flags |= LINECALLPARTYID_NAME
		}
	case d.Absent == "restricted":
		p.Flags = LINECALLPARTYID_BLOCKED
	case d.Absent == "notKnown":
		p.Flags = LINECALLPARTYID_UNKNOWN
	case d.Absent != "":
		p.Flags = LINECALLPARTYID_UNAVAIL
	}
	return p
}

// partyOr is party(d), or fallback when d carries nothing.
func partyOr(d csta.DeviceID, fallback PartyID) PartyID {
	if d.IsZero() {
		return fallback
	}
	return party(d)
}

// ownParty is the line's own address as a party.
func (st *step) ownParty() PartyID {
	p := PartyID{Number: st.ls.Address, Flags: LINECALLPARTYID_ADDRESS}
	if st.ls.DisplayName != "" {
		p.Name = st.ls.DisplayName
		p.Flags |= LINECALLPARTYID_NAME
	}
	return p
}

// origin classifies a call that arrives at the line.
func (st *step) origin(calling, network csta.DeviceID) CallOrigin {
	switch {
	case network.Known() && network.Number != calling.Number:
		return LINECALLORIGIN_EXTERNAL
	case !calling.Known():
		return LINECALLORIGIN_INBOUND
	case st.s.isInternal(calling.Number):
		return LINECALLORIGIN_INTERNAL
	}
	return LINECALLORIGIN_EXTERNAL
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

func inState(c *Call, states ...CallState) bool { return slices.Contains(states, c.State) }

var (
	statusConnected = CallStatus{State: LINECALLSTATE_CONNECTED, ConnectedMode: LINECONNECTEDMODE_ACTIVE}
	statusOffering  = CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE}
	statusDialTone  = CallStatus{State: LINECALLSTATE_DIALTONE, DialToneMode: LINEDIALTONEMODE_UNAVAIL}
	statusDialing   = CallStatus{State: LINECALLSTATE_DIALING}
	statusProceed   = CallStatus{State: LINECALLSTATE_PROCEEDING}
	statusRingback  = CallStatus{State: LINECALLSTATE_RINGBACK}
	statusOnHold    = CallStatus{State: LINECALLSTATE_ONHOLD}
	statusConf      = CallStatus{State: LINECALLSTATE_CONFERENCED}
)

// onHold lists the held states.
var onHold = []CallState{LINECALLSTATE_ONHOLD, LINECALLSTATE_ONHOLDPENDTRANSFER, LINECALLSTATE_ONHOLDPENDCONF}

// outgoing lists the states of a call the line placed and that is not yet answered.
var outgoing = []CallState{LINECALLSTATE_DIALTONE, LINECALLSTATE_DIALING,
	LINECALLSTATE_PROCEEDING, LINECALLSTATE_RINGBACK}

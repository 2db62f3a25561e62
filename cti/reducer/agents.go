package reducer

import (
	"slices"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Contact-centre state. An agent event at an agent's line sets the line's entry for the event's
// ACD group (LINE_AGENTSTATUS). A group's line (AddGroup) holds no calls: Queued adds the call to
// its queue, a diversion from the group or the call's end removes it (LINE_QUEUESTATUS); its
// agent counts are the monitored lines' agent states in the group, recounted whenever one
// changes. The group's copies of the agent events are not needed for that and are ignored.

// IgnoredAgentAtGroup is why an agent event at a group's line changes nothing.
const IgnoredAgentAtGroup = "agent event at a group's line (counted from the agent's line)"

// AddGroup starts tracking the line of an ACD or hunt group: its queue figures, no calls.
// Adding it again keeps its figures.
func (s *State) AddGroup(extension, displayName string) *tapi.Line {
	ls, ok := s.lines[extension]
	if ok {
		ls.DisplayName = displayName
	} else {
		s.AddLine(extension, displayName)
		ls = s.lines[extension]
	}
	if ls.Queue == nil {
		ls.Queue = &tapi.QueueStatus{}
		s.recount(ls)
	}
	return ls.Line.Clone()
}

// agentStates maps ECMA-269 agent states to LINEAGENTSTATE_* ("" -> 0: none).
var agentStates = map[csta.AgentState]tapi.AgentState{
	csta.AgentNull:             tapi.LINEAGENTSTATE_LOGGEDOFF,
	csta.AgentNotReady:         tapi.LINEAGENTSTATE_NOTREADY,
	csta.AgentReady:            tapi.LINEAGENTSTATE_READY,
	csta.AgentBusy:             tapi.LINEAGENTSTATE_BUSYACD,
	csta.AgentWorkingAfterCall: tapi.LINEAGENTSTATE_WORKINGAFTERCALL,
}

// AgentState returns the LINEAGENTSTATE_* value of an ECMA-269 agent state: 0 for "",
// LINEAGENTSTATE_UNKNOWN for a value ECMA-269 does not define.
func AgentState(s csta.AgentState) tapi.AgentState {
	if s == "" {
		return 0
	}
	if v, ok := agentStates[s]; ok {
		return v
	}
	return tapi.LINEAGENTSTATE_UNKNOWN
}

// agentEvent: AgentLoggedOn, AgentReady, ... at the agent's line -> LINE_AGENTSTATUS.
func (st *step) agentEvent(e *csta.AgentStateEvent) {
	state := AgentState(csta.AgentEventState(e.Kind))
	switch {
	case state == 0:
		st.ignore(IgnoredUnsupported)
		return
	case st.ls.Queue != nil:
		st.ignore(IgnoredAgentAtGroup)
		return
	case !st.aboutLine(e.AgentDevice) || e.ACDGroup.Number == "":
		st.ignore(IgnoredNotOurs)
		return
	}
	old, known := st.ls.Agent(e.ACDGroup.Number)
	a := old
	a.Group = e.ACDGroup.Number
	a.State = state
	a.NextState = AgentState(e.PendingAgentState)
	a.ReasonCode = e.ReasonCode
	switch {
	case state == tapi.LINEAGENTSTATE_LOGGEDOFF:
		a.AgentID = ""
	case e.AgentID != "":
		a.AgentID = e.AgentID
	}
	st.putAgent(old, known, a)
}

// putAgent stores a line's new entry for a group, announces it unless nothing changed, and
// recounts the group.
func (st *step) putAgent(old tapi.AgentStatus, known bool, a tapi.AgentStatus) {
	var changed []string
	if !known {
		changed = append(changed, tapi.AgentChangedGroup)
	}
	if !known || old.State != a.State || old.ReasonCode != a.ReasonCode || old.AgentID != a.AgentID {
		changed = append(changed, tapi.AgentChangedState)
	}
	if known && old.NextState != a.NextState {
		changed = append(changed, tapi.AgentChangedNextState)
	}
	if len(changed) == 0 {
		st.ignore(IgnoredUnchanged)
		return
	}
	if !known || old.State != a.State {
		a.Since = st.now
	}
	st.ls.SetAgent(a)
	st.emit(tapi.Event{Type: tapi.LineAgentStatus, AgentStatus: &tapi.AgentStatusEvent{Changed: changed, Agent: a}})
	st.lineChanged()
	if g := st.s.lines[a.Group]; g != nil && g.Queue != nil && (!known || old.State != a.State) {
		gst := &step{s: st.s, ls: g, now: st.now}
		gst.queueChanged(func(*tapi.QueueStatus) {})
		st.res.merge(gst.res)
	}
}

// SetAgents makes a line's agent entries what a GetAgentStateResponse says (after a resync:
// events may have been missed). An entry whose state is unchanged keeps its reason code and
// since-time (the response carries no reason); a changed one loses its reason.
func (s *State) SetAgents(extension string, r *csta.GetAgentStateResponse, now time.Time) Result {
	ls, ok := s.lines[extension]
	if !ok || ls.Queue != nil || r == nil {
		return Result{}
	}
	var res Result
	for _, e := range r.Agents {
		for _, in := range e.Info {
			group := in.ACDGroup.Number
			state := AgentState(in.State)
			if group == "" || state == 0 {
				continue
			}
			st := &step{s: s, ls: ls, now: now}
			old, known := ls.Agent(group)
			if !known && state == tapi.LINEAGENTSTATE_LOGGEDOFF {
				continue // never logged on as far as the bridge knows: nothing to say
			}
			a := old
			a.Group, a.State, a.NextState = group, state, AgentState(in.Pending)
			a.AgentID = e.AgentID
			if state == tapi.LINEAGENTSTATE_LOGGEDOFF {
				a.AgentID = ""
			} else if a.AgentID == "" {
				a.AgentID = old.AgentID
			}
			if known && old.State != state {
				a.ReasonCode = ""
			}
			st.putAgent(old, known, a)
			res.merge(st.res)
		}
	}
	return res
}

// queueEvent applies a call event at a group's line to its queue; other call events are not
// about the group (its line has no calls).
func (st *step) queueEvent(ev csta.Event) {
	switch e := ev.(type) {
	case *csta.QueuedEvent:
		id := e.QueuedConnection.CallID
		if id == "" || st.waiting(id) >= 0 {
			st.ignore(IgnoredDuplicate)
			return
		}
		since := e.Timestamp // the switch's time, when it stamps its events
		if since.IsZero() {
			since = st.now
		}
		st.queueChanged(func(q *tapi.QueueStatus) {
			q.Waiting = append(q.Waiting, tapi.QueuedCall{CallID: id, Since: since})
		})
	case *csta.DivertedEvent:
		st.unqueue(e.Connection.CallID)
	case *csta.ConnectionClearedEvent:
		if st.is(e.DroppedConnection.DeviceID) {
			st.unqueue(e.DroppedConnection.CallID)
		} else {
			st.ignore(IgnoredNotOurs)
		}
	case *csta.CallClearedEvent:
		st.unqueue(e.ClearedCall.CallID)
	case *csta.FailedEvent:
		if st.is(e.FailedConnection.DeviceID) {
			st.unqueue(e.FailedConnection.CallID)
		} else {
			st.ignore(IgnoredNotOurs)
		}
	default:
		st.ignore(IgnoredNotOurs) // a group's line has no calls
	}
}

// waiting returns the index of call id in the group's queue, or -1.
func (st *step) waiting(id string) int {
	return slices.IndexFunc(st.ls.Queue.Waiting, func(c tapi.QueuedCall) bool { return c.CallID == id })
}

func (st *step) unqueue(id string) {
	i := st.waiting(id)
	if id == "" || i < 0 {
		st.ignore(IgnoredUnknownCall)
		return
	}
	st.queueChanged(func(q *tapi.QueueStatus) { q.Waiting = slices.Delete(q.Waiting, i, i+1) })
}

// queueChanged applies change to a copy of the group's figures, recounts, and announces the
// result unless it equals what was there.
func (st *step) queueChanged(change func(*tapi.QueueStatus)) {
	old := st.ls.Queue
	st.ls.Queue = old.Clone()
	change(st.ls.Queue)
	st.s.recount(st.ls)
	if st.ls.Queue.Equal(old) {
		st.ignore(IgnoredUnchanged)
		return
	}
	st.emit(tapi.Event{Type: tapi.LineQueueStatus, QueueStatus: st.ls.Queue.Clone()})
	st.lineChanged()
}

// recount sets a group line's longest wait and agent counts from its queue and the lines.
func (s *State) recount(g *lineState) {
	q := g.Queue
	slices.SortStableFunc(q.Waiting, func(a, b tapi.QueuedCall) int { return a.Since.Compare(b.Since) })
	if len(q.Waiting) == 0 {
		q.Waiting = nil
	}
	q.LongestWaitStart = time.Time{}
	if len(q.Waiting) > 0 {
		q.LongestWaitStart = q.Waiting[0].Since
	}
	q.LoggedOn, q.Ready, q.Busy, q.NotReady, q.WrapUp = 0, 0, 0, 0, 0
	for _, ls := range s.lines {
		a, ok := ls.Agent(g.Address)
		if !ok || a.State == tapi.LINEAGENTSTATE_LOGGEDOFF {
			continue
		}
		q.LoggedOn++
		switch a.State {
		case tapi.LINEAGENTSTATE_READY:
			q.Ready++
		case tapi.LINEAGENTSTATE_BUSYACD:
			q.Busy++
		case tapi.LINEAGENTSTATE_NOTREADY:
			q.NotReady++
		case tapi.LINEAGENTSTATE_WORKINGAFTERCALL:
			q.WrapUp++
		}
	}
}

// reconcileQueue makes a group's queue the calls its snapshot shows: a call still waiting
// keeps the time it started to wait; a call the bridge did not see queue waits since now.
func (st *step) reconcileQueue(items []csta.SnapshotDeviceItem) {
	st.queueChanged(func(q *tapi.QueueStatus) {
		var w []tapi.QueuedCall
		for _, it := range items {
			id := it.Connection.CallID
			if id == "" || slices.ContainsFunc(w, func(c tapi.QueuedCall) bool { return c.CallID == id }) {
				continue
			}
			since := st.now
			if i := st.waiting(id); i >= 0 {
				since = q.Waiting[i].Since
			}
			w = append(w, tapi.QueuedCall{CallID: id, Since: since})
		}
		q.Waiting = w
	})
}

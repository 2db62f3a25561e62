package tapi

import (
	"sort"
)

// ReadModel is a set of lines and their calls kept up to date by applying events: the one
// implementation of "apply a TAPI event to lines and calls" that the engine's read view
// (cti), the Go SDK's mirror (clients/go, and through it the TSP core) use, and that the
// browser SDK's ReadModel (clients/js/ctibridge.js) follows. The cases of
// testdata/readmodel/cases.json pin its behaviour for both languages.
//
// The rules, decided once for every user:
//
//   - LINE_NEWCALL creates the call, or replaces it when the handle is known (a call
//     re-announced after a resync). The event's handle is the key; a call without a line
//     takes the event's.
//   - LINE_CALLSTATE sets the state and its mode; StateSince becomes the event's time. A
//     state and mode the call already has change nothing (the reducer does not report a
//     repeat, so the time of a repeat is not a state change). IDLE removes the call.
//   - ConnectedAt is set, to the event's time, when the call first reaches CONNECTED or
//     CONFERENCED (a call conferenced straight from a held or offered state was answered
//     too), and never changed after; a LINE_NEWCALL whose call is CONNECTED or CONFERENCED
//     without ConnectedAt gets the event's time. This is what the reducer stores, so a
//     follower's view equals the owner's.
//   - LINE_CALLINFO replaces the call's info; a callId in it (LINECALLINFOSTATE_CALLID)
//     becomes the call's CallID and leaves OtherCallIDs, which never hold the CallID.
//   - LINE_CONFERENCE sets the call's conference, or clears it when the payload is null.
//   - LINE_LINEDEVSTATE and LINE_ADDRESSSTATE replace the line named in the payload with the
//     payload's line, creating it if it is new.
//   - LINE_AGENTSTATUS puts the payload's agent entry into the event's line (replacing the
//     entry of the same group); LINE_QUEUESTATUS replaces the line's queue figures. An event
//     for a line the model does not hold, or without its payload, is ignored and counted.
//   - An event about a call the model does not hold (LINE_CALLSTATE, including IDLE,
//     LINE_CALLINFO, LINE_CONFERENCE) is ignored and counted (Ignored): only LINE_NEWCALL
//     creates a call, so a call is never made up from a state without its record. The events
//     of a call that started before a snapshot that did not list it are lost that way; the
//     next resync brings it.
//   - An event whose payload is missing (a LINE_NEWCALL without call or without any handle or
//     line, a LINE_CALLSTATE without callState, a line event without lineState or whose line
//     has no name, ...) or a nil event is ignored and counted; Apply never panics.
//   - LINE_REPLY and the BRIDGE_* events change nothing (BRIDGE_RESYNC carries counts, not
//     the snapshot: the snapshot comes with the protocol's resync message, see Reset), and
//     neither do event types this release does not know; they are not counted.
//
// Lines are listed by name; calls oldest first: by Created, then by handle number (the
// per-PBX counter, creation order), then by handle.
//
// Everything the model hands out is a copy, and it keeps copies of what it is given. A
// ReadModel is not safe for concurrent use: its users hold it behind their own lock.
type ReadModel struct {
	// lines and calls hold the model's own copies by reference: a change is made in place,
	// one map lookup, instead of a lookup and an assignment of a value of hundreds of bytes.
	// Nothing the model hands out points into them (see Peek for the exception).
	lines   map[string]*Line
	calls   map[CallHandle]*modelCall
	byLine  map[string]*lineCalls
	ignored uint64
	// spare holds calls DropCall removed, for PutCall to reuse (arrays included).
	spare []*modelCall
}

// maxSpareCalls bounds the calls kept for reuse.
const maxSpareCalls = 256

// modelCall is a call of the model with the index of its line's calls, so that removing it
// looks nothing up by line name.
type modelCall struct {
	Call
	on *lineCalls // byLine[Call.Line]
	at int        // its place in on.calls
}

// lineCalls are a line's calls, in no order. An array and not a set by handle: a line has a
// few calls, and adding and removing one (at its place, at) hashed nothing and touched no
// table, where the set's were a good part of the engine's view's cost per call.
type lineCalls struct {
	calls []*modelCall
	// held says the model holds the line: its index stays while it has no calls (a call a
	// minute per line made and dropped a map each time); a line the model does not hold
	// gives it up.
	held bool
	// first is calls' array while the line has a few calls (most have one or two): putting
	// and dropping a call then reads one cache line, where an array of its own was a
	// second miss each time over the PBX's thousands of lines. 64 bytes in all.
	first [4]*modelCall
}

// newLineCalls returns the empty index of a line's calls.
func newLineCalls(held bool) *lineCalls {
	lc := &lineCalls{held: held}
	lc.calls = lc.first[:0]
	return lc
}

// Snapshot is what Reset puts in place of some or all of a model's lines and calls.
type Snapshot struct {
	// PBX limits the replacement to the lines and calls of one PBX (lines named "PBX/..."):
	// "" replaces everything the model holds.
	PBX string `json:"pbx,omitempty"`
	// ListedOnly limits it further to the lines in Lines and their calls: the PBX's other
	// lines stay (a resync for lines added to a subscription, "lines_added").
	ListedOnly bool   `json:"listedOnly,omitempty"`
	Lines      []Line `json:"lines"`
	Calls      []Call `json:"calls"`
}

// NewReadModel returns an empty model.
func NewReadModel() *ReadModel {
	m := &ReadModel{}
	m.clear()
	return m
}

func (m *ReadModel) clear() {
	m.lines = map[string]*Line{}
	m.calls = map[CallHandle]*modelCall{}
	m.byLine = map[string]*lineCalls{}
}

// Reset replaces the lines and calls that s covers with those of s: every line and call of
// the covered lines goes, then s's lines and calls are put in.
func (m *ReadModel) Reset(s Snapshot) {
	if s.PBX == "" && !s.ListedOnly {
		m.clear()
	} else {
		listed := make(map[string]bool, len(s.Lines))
		for _, l := range s.Lines {
			listed[l.Name] = true
		}
		covered := func(line string) bool {
			return listed[line] || (!s.ListedOnly && pbxOfLine(line) == s.PBX)
		}
		for name := range m.lines {
			if covered(name) {
				delete(m.lines, name)
			}
		}
		for line, lc := range m.byLine {
			if covered(line) {
				for _, c := range lc.calls {
					delete(m.calls, c.Handle)
				}
				delete(m.byLine, line)
			}
		}
	}
	for _, l := range s.Lines {
		m.PutLine(l)
	}
	for _, c := range s.Calls {
		m.PutCall(c)
	}
}

// PutLine adds or replaces a line (a copy of l).
func (m *ReadModel) PutLine(l Line) {
	if _, known := m.lines[l.Name]; !known {
		if lc := m.byLine[l.Name]; lc != nil {
			lc.held = true
		}
	}
	m.lines[l.Name] = l.Clone()
}

// PutCall adds or replaces a call (a copy of c), by its handle.
func (m *ReadModel) PutCall(c Call) { m.PutCallFrom(&c) }

// PutCallFrom is PutCall for the call *c, which the model copies and does not keep: for a
// caller that holds its calls in an array (a call is several hundred bytes to pass).
func (m *ReadModel) PutCallFrom(c *Call) {
	old := m.calls[c.Handle]
	switch {
	case old == nil:
		if n := len(m.spare); n > 0 {
			old, m.spare[n-1] = m.spare[n-1], nil
			m.spare = m.spare[:n-1]
		} else {
			old = &modelCall{}
		}
		m.calls[c.Handle] = old
	case old.Line == c.Line:
		c.CloneInto(&old.Call) // indexed under its line already
		return
	default:
		m.unindex(old)
	}
	c.CloneInto(&old.Call) // the model's own arrays: Call and Calls return clones
	lc := m.byLine[c.Line]
	if lc == nil {
		_, held := m.lines[c.Line]
		lc = newLineCalls(held)
		m.byLine[c.Line] = lc
	}
	old.on, old.at = lc, len(lc.calls)
	lc.calls = append(lc.calls, old)
}

// RemoveCall removes a call, returning its last version; ok is false if there was none.
func (m *ReadModel) RemoveCall(h CallHandle) (c Call, ok bool) {
	p := m.calls[h]
	if p == nil {
		return c, false
	}
	delete(m.calls, h)
	m.unindex(p)
	return p.Call, true // no one else holds p now
}

// DropCall removes a call as RemoveCall does, for a caller that does not want its last
// version: the model reuses its memory for a call it is given later (a call made for each
// call and dropped was the engine's view's most frequent allocation). It reports whether
// there was a call.
func (m *ReadModel) DropCall(h CallHandle) bool {
	p := m.calls[h]
	if p == nil {
		return false
	}
	delete(m.calls, h)
	m.unindex(p)
	if len(m.spare) < maxSpareCalls {
		m.spare = append(m.spare, p)
	}
	return true
}

func (m *ReadModel) unindex(c *modelCall) {
	lc := c.on
	c.on = nil
	last := len(lc.calls) - 1
	moved := lc.calls[last] // takes c's place
	lc.calls[c.at], moved.at = moved, c.at
	lc.calls[last] = nil
	lc.calls = lc.calls[:last]
	if len(lc.calls) == 0 && !lc.held && m.byLine[c.Line] == lc {
		delete(m.byLine, c.Line)
	}
}

// Apply applies one event by the rules in the type's comment. It reports whether the event
// was applied; false for an ignored event (counted by Ignored) and for events that change
// nothing by their nature (LINE_REPLY, BRIDGE_*, unknown types).
func (m *ReadModel) Apply(ev *Event) bool {
	if ev == nil {
		m.ignored++
		return false
	}
	switch ev.Type {
	case LineNewCall:
		return m.newCall(ev)
	case LineCallState:
		return m.callState(ev)
	case LineCallInfo:
		if ev.CallInfo == nil {
			break
		}
		c := m.calls[ev.Handle]
		if c == nil {
			break
		}
		c.Info = ev.CallInfo.Info
		if id := ev.CallInfo.CallID; id != "" {
			c.CallID = id
			if i := indexOf(c.OtherCallIDs, id); i >= 0 {
				c.OtherCallIDs = append(c.OtherCallIDs[:i:i], c.OtherCallIDs[i+1:]...)
			}
		}
		return true
	case LineConference:
		c := m.calls[ev.Handle]
		if c == nil {
			break
		}
		c.Conference = ev.Conference.Clone() // nil: a two-party call again
		return true
	case LineLineDevState, LineAddressState:
		if ev.LineState == nil || ev.LineState.Line.Name == "" {
			break
		}
		m.PutLine(ev.LineState.Line)
		return true
	case LineAgentStatus, LineQueueStatus:
		return m.agentEvent(ev)
	default:
		return false
	}
	m.ignored++
	return false
}

func (m *ReadModel) agentEvent(ev *Event) bool {
	l := m.lines[ev.Line]
	switch {
	case l == nil:
	case ev.Type == LineAgentStatus && ev.AgentStatus != nil:
		*l = *l.Clone() // SetAgent may write to the array a PeekLine result shares
		l.SetAgent(ev.AgentStatus.Agent)
		return true
	case ev.Type == LineQueueStatus && ev.QueueStatus != nil:
		l.Queue = ev.QueueStatus.Clone()
		return true
	}
	m.ignored++
	return false
}

func (m *ReadModel) newCall(ev *Event) bool {
	if ev.Call == nil {
		m.ignored++
		return false
	}
	c := *ev.Call
	if ev.Handle != "" {
		c.Handle = ev.Handle
	}
	if c.Line == "" {
		c.Line = ev.Line
	}
	if c.Handle == "" || c.Line == "" {
		m.ignored++
		return false
	}
	if answered(c.State) && c.ConnectedAt.IsZero() {
		c.ConnectedAt = ev.Time
	}
	m.PutCall(c)
	return true
}

func (m *ReadModel) callState(ev *Event) bool {
	c := m.calls[ev.Handle]
	if ev.CallState == nil || c == nil {
		m.ignored++
		return false
	}
	if ev.CallState.State == LINECALLSTATE_IDLE {
		m.DropCall(ev.Handle)
		return true
	}
	if c.CallStatus == *ev.CallState {
		return true
	}
	c.CallStatus = *ev.CallState
	c.StateSince = ev.Time
	if answered(c.State) && c.ConnectedAt.IsZero() {
		c.ConnectedAt = ev.Time
	}
	return true
}

// answered reports whether a call in state s has been answered (ConnectedAt is due).
func answered(s CallState) bool {
	return s == LINECALLSTATE_CONNECTED || s == LINECALLSTATE_CONFERENCED
}

// Ignored returns how many events Apply ignored: events for calls the model does not hold
// and events without their payload.
func (m *ReadModel) Ignored() uint64 { return m.ignored }

// Line returns a line by name.
func (m *ReadModel) Line(name string) (Line, bool) {
	l := m.lines[name]
	if l == nil {
		return Line{}, false
	}
	return *l.Clone(), true
}

// Lines returns every line, by name. The names are sorted, not the lines: moving 100,000
// line values around in a sort cost seconds.
func (m *ReadModel) Lines() []Line {
	names := make([]string, 0, len(m.lines))
	for name := range m.lines {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]Line, len(names))
	for i, name := range names {
		l := m.lines[name]
		out[i] = *l.Clone()
	}
	return out
}

// Call returns a call by handle.
func (m *ReadModel) Call(h CallHandle) (Call, bool) {
	c := m.calls[h]
	if c == nil {
		return Call{}, false
	}
	return *c.Clone(), true
}

// PeekCall is Call without the deep copy, and PeekLine is Line by PBX and extension without
// making the name: what they return shares its slices with the model, must not be changed,
// and is valid only until the model next changes. For a reader holding the model's lock
// across many lookups that copies what it keeps (the engine's call records).
func (m *ReadModel) PeekCall(h CallHandle) (Call, bool) {
	if c := m.calls[h]; c != nil {
		return c.Call, true
	}
	return Call{}, false
}

// PeekCallRef is PeekCall without the copy of the call (nil: none), on PeekCall's terms, for
// a reader that copies it itself (a call is several hundred bytes).
func (m *ReadModel) PeekCallRef(h CallHandle) *Call {
	if c := m.calls[h]; c != nil {
		return &c.Call
	}
	return nil
}

// PeekLine: see PeekCall.
func (m *ReadModel) PeekLine(pbx, extension string) (Line, bool) {
	if l := m.PeekLineRef(pbx, extension); l != nil {
		return *l, true
	}
	return Line{}, false
}

// PeekLineRef is PeekLine without the copy of the line (nil: none), on PeekCall's terms, for
// a reader of a field or two of many lines (a line is a few hundred bytes).
func (m *ReadModel) PeekLineRef(pbx, extension string) *Line {
	var buf [64]byte
	name := append(append(append(buf[:0], pbx...), '/'), extension...)
	return m.lines[string(name)] // no string made for the lookup
}

// Calls returns the calls of line ("" for every line), oldest first.
func (m *ReadModel) Calls(line string) []Call {
	var out []Call
	if line == "" {
		out = make([]Call, 0, len(m.calls))
		for _, c := range m.calls {
			out = append(out, *c.Clone())
		}
	} else {
		var cs []*modelCall
		if lc := m.byLine[line]; lc != nil {
			cs = lc.calls
		}
		out = make([]Call, 0, len(cs))
		for _, c := range cs {
			out = append(out, *c.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return callBefore(&out[i], &out[j]) })
	return out
}

// callBefore orders calls oldest first: by Created, then handle number, then handle.
func callBefore(a, b *Call) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	if na, nb := HandleNumber(a.Handle), HandleNumber(b.Handle); na != nb {
		return na < nb
	}
	return a.Handle < b.Handle
}

// HasCalls reports whether line has calls, without copying them.
func (m *ReadModel) HasCalls(line string) bool {
	lc := m.byLine[line]
	return lc != nil && len(lc.calls) > 0
}

// LinesWithCalls returns the names of the lines that have calls.
func (m *ReadModel) LinesWithCalls() map[string]bool {
	out := make(map[string]bool, len(m.byLine))
	for l, lc := range m.byLine {
		if len(lc.calls) > 0 {
			out[l] = true
		}
	}
	return out
}

// pbxOfLine returns the PBX part of a line name "pbx/extension".
func pbxOfLine(name string) string {
	return LinePBX(name)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

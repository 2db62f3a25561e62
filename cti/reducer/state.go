package reducer

import (
	"fmt"
	"sort"

	"github.com/ctibridge/ctibridge/tapi"
)

// State is the reducer state of one PBX: its monitored lines and their calls. It is not safe
// for concurrent use; the engine applies one PBX's events in order from one goroutine.
type State struct {
	PBX string
	// IsInternal classifies a number as an internal extension (LINECALLORIGIN_INTERNAL) or an
	// external party. Nil uses the default: monitored lines and numbers of at most six digits
	// without a leading '+' are internal.
	IsInternal func(number string) bool

	lines      map[string]*lineState // by extension
	calls      map[tapi.CallHandle]*tapi.Call
	nextHandle uint64
	slabs      tapi.Slabs // the events' Call, CallState and CallInfo values (Recycle)
	handles    handleRun  // the text of the next handles
	// lineGen changes whenever a line's lineState goes (RemoveLine, Restore): a LineRef
	// found before then is stale.
	lineGen uint64
}

// lineState is a line with the index of its calls.
//
// Most events read the line's Queue, address, name and device ID and its call index's first
// entry: over thousands of lines each cache line of a lineState an event reads is a miss.
// The members after Line (whose Queue is its last, at byte 128) keep all that in the 128
// bytes from Queue on, with copies of Line's members that never change (addr, Address's
// bytes; name; deviceID). The tags of the cleared IDs, which a new call reads, follow.
type lineState struct {
	tapi.Line
	addrLen  uint8    // len(Address) when addr holds it, else 0
	addr     [15]byte // Address's bytes, when at most 15
	name     string   // Line.Name
	deviceID uint32   // Line.DeviceID
	// byCallID points at the calls themselves, not their handles: finding an event's call is
	// one lookup in this small index instead of a second one in the PBX's calls.
	byCallID callIndex
	cleared  clearedRing // PBX call IDs that went IDLE here lately
}

// newLineState returns the state of line l, which it keeps (l's slices included).
func newLineState(l tapi.Line) *lineState {
	ls := &lineState{Line: l, name: l.Name, deviceID: l.DeviceID}
	if n := len(l.Address); n <= len(ls.addr) {
		ls.addrLen = uint8(n)
		copy(ls.addr[:], l.Address)
	}
	return ls
}

// isAddress reports whether number is the line's address ("" is not): against the copy of
// its bytes in the lineState when the address fits there, not reading the address itself
// (elsewhere in memory). Numbers of one length mostly differ at the end: compared from it.
func (ls *lineState) isAddress(number string) bool {
	if ls.addrLen == 0 {
		return number != "" && number == ls.Address
	}
	if len(number) != int(ls.addrLen) {
		return false
	}
	for i := len(number) - 1; i >= 0; i-- {
		if number[i] != ls.addr[i] {
			return false
		}
	}
	return true
}

// Result is what one reducer step did: the events to publish, and exactly which calls and
// lines to persist or delete.
type Result struct {
	Events       []tapi.Event
	ChangedCalls []tapi.CallHandle
	RemovedCalls []tapi.CallHandle
	ChangedLines []string // line names
	// Repair says why the event could not be placed on the line's calls (RepairAmbiguous,
	// RepairUnknownCall, RepairImpossible): the engine should snapshot the line's device and
	// reconcile. "" when the event was placed.
	Repair string
	// Ignored says why an event changed nothing ("" when it did, or when it was simply not
	// about a call or line the state tracks in a way that needs explaining).
	Ignored string
}

// NewState returns an empty state for the PBX.
func NewState(pbx string) *State {
	s := &State{PBX: pbx, lines: map[string]*lineState{}, calls: map[tapi.CallHandle]*tapi.Call{},
		nextHandle: 1}
	s.slabs.Reuse() // the pipeline recycles the events' values once a batch is stored (Recycle)
	return s
}

// AddLine starts tracking a monitored line. Adding a known extension again replaces its
// display name only (and makes a group's line a plain line).
func (s *State) AddLine(extension, displayName string) *tapi.Line {
	if ls, ok := s.lines[extension]; ok {
		ls.DisplayName = displayName
		ls.Queue = nil // a device now, no longer a group (AddGroup)
		return ls.Line.Clone()
	}
	ls := newLineState(tapi.NewLine(s.PBX, extension, displayName))
	s.lines[extension] = ls
	return ls.Line.Clone()
}

// RemoveLine stops tracking a line and drops its calls (no events: the line is gone).
func (s *State) RemoveLine(extension string) []tapi.CallHandle {
	ls, ok := s.lines[extension]
	if !ok {
		return nil
	}
	var removed []tapi.CallHandle
	for _, h := range s.lineHandles(ls) {
		delete(s.calls, h)
		removed = append(removed, h)
	}
	delete(s.lines, extension)
	s.lineGen++
	return removed
}

// Restore rebuilds a state from persisted lines and calls (e.g. after an instance takeover).
// nextHandle is the persisted counter; it is raised above every restored handle so handles are
// never reused.
func (s *State) Restore(lines []tapi.Line, calls []tapi.Call, nextHandle uint64) error {
	s.lines = map[string]*lineState{}
	s.calls = map[tapi.CallHandle]*tapi.Call{}
	s.lineGen++
	byName := map[string]*lineState{}
	for _, l := range lines {
		if l.PBX != s.PBX {
			return fmt.Errorf("tapi: restore: line %q belongs to PBX %q, not %q", l.Name, l.PBX, s.PBX)
		}
		ls := newLineState(*l.Clone())
		s.lines[l.Address] = ls
		byName[l.Name] = ls
	}
	s.nextHandle = max(nextHandle, 1)
	for i := range calls {
		c := calls[i].Clone()
		ls, ok := byName[c.Line]
		if !ok {
			return fmt.Errorf("tapi: restore: call %q is on unknown line %q", c.Handle, c.Line)
		}
		if c.State == 0 || c.State == tapi.LINECALLSTATE_IDLE {
			return fmt.Errorf("tapi: restore: call %q has state %v", c.Handle, c.State)
		}
		if _, dup := s.calls[c.Handle]; dup {
			return fmt.Errorf("tapi: restore: duplicate call handle %q", c.Handle)
		}
		s.calls[c.Handle] = c
		s.index(ls, c)
		s.nextHandle = max(s.nextHandle, tapi.HandleNumber(c.Handle)+1)
	}
	return nil
}

// NextHandle returns the handle counter to persist with the state.
func (s *State) NextHandle() uint64 { return s.nextHandle }

// Line returns a copy of the line for extension.
func (s *State) Line(extension string) (tapi.Line, bool) {
	ls, ok := s.lines[extension]
	if !ok {
		return tapi.Line{}, false
	}
	return *ls.Line.Clone(), true
}

// Lines returns copies of all lines, sorted by name (the lines sorted by reference and copied
// once: sorting 100,000 line values moves megabytes per swap round).
func (s *State) Lines() []tapi.Line {
	ls := make([]*lineState, 0, len(s.lines))
	for _, l := range s.lines {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Line.Name < ls[j].Line.Name })
	out := make([]tapi.Line, len(ls))
	for i, l := range ls {
		out[i] = *l.Line.Clone()
	}
	return out
}

// Call returns a copy of the call with handle h.
func (s *State) Call(h tapi.CallHandle) (tapi.Call, bool) {
	c, ok := s.calls[h]
	if !ok {
		return tapi.Call{}, false
	}
	return *c.Clone(), true
}

// PeekLine is Line without the copy: the line shares its slices (forwarding, agents) with
// the state, so it is valid only until the state next changes and must not be changed. For
// a batch written to the store (which keeps copies of its own) before the next event.
func (s *State) PeekLine(extension string) (tapi.Line, bool) {
	ls, ok := s.lines[extension]
	if !ok {
		return tapi.Line{}, false
	}
	return ls.Line, true
}

// PeekCall is Call without the copy, on PeekLine's terms: the state's own call (nil: none),
// which must not be changed.
func (s *State) PeekCall(h tapi.CallHandle) *tapi.Call {
	return s.calls[h]
}

// Calls returns copies of the calls of extension ("" for all lines), in handle order.
func (s *State) Calls(extension string) []tapi.Call {
	var out []tapi.Call
	for _, c := range s.calls {
		if extension == "" || c.Line == tapi.LineName(s.PBX, extension) {
			out = append(out, *c.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return handleLess(out[i].Handle, out[j].Handle) })
	return out
}

func handleLess(a, b tapi.CallHandle) bool {
	na, nb := tapi.HandleNumber(a), tapi.HandleNumber(b)
	if na != nb {
		return na < nb
	}
	return a < b
}

// lineHandles returns the handles of the line's calls in handle order (deterministic).
func (s *State) lineHandles(ls *lineState) []tapi.CallHandle {
	var hs []tapi.CallHandle
	seen := map[tapi.CallHandle]bool{}
	ls.byCallID.each(func(_ string, c *tapi.Call) {
		if h := c.Handle; !seen[h] {
			seen[h] = true
			hs = append(hs, h)
		}
	})
	sort.Slice(hs, func(i, j int) bool { return handleLess(hs[i], hs[j]) })
	return hs
}

// indexKey is the key of a call in its line's index: its PBX call ID, or, for a call the
// switch reports without one (ECMA-269 makes callID optional), a key of its own that no
// call ID can take, so that several such calls on one line stay apart.
func indexKey(c *tapi.Call) string {
	if c.CallID == "" {
		return noCallIDKey + string(c.Handle)
	}
	return c.CallID
}

// noCallIDKey prefixes the index keys of calls without a PBX call ID.
const noCallIDKey = "\x00"

func (s *State) index(ls *lineState, c *tapi.Call) {
	ls.byCallID.put(indexKey(c), c)
	for _, id := range c.OtherCallIDs {
		ls.byCallID.put(id, c)
	}
}

func (s *State) unindex(ls *lineState, c *tapi.Call) {
	ls.byCallID.drop(indexKey(c), c)
	for _, id := range c.OtherCallIDs {
		ls.byCallID.drop(id, c)
	}
}

// callAt returns the line's call with PBX call ID id ("" finds none: see find).
func (s *State) callAt(ls *lineState, id string) *tapi.Call {
	if id == "" {
		return nil
	}
	return ls.byCallID.get(id) // the index holds live calls only (invariants_test)
}

func (ls *lineState) wasCleared(id string) bool { return ls.cleared.has(id) }

func (ls *lineState) remember(id string) { ls.cleared.add(id) }

func (ls *lineState) forget(id string) { ls.cleared.drop(id) }

// isInternal classifies a number for LINECALLORIGIN.
func (s *State) isInternal(number string) bool {
	if number == "" {
		return false
	}
	if s.IsInternal == nil && shortNumber(number) {
		// Internal by the default rule whether or not it is a monitored line: no lookup of
		// the line (a cache miss over thousands of lines).
		return true
	}
	if _, ok := s.lines[number]; ok {
		return true
	}
	if s.IsInternal != nil {
		return s.IsInternal(number)
	}
	return false
}

// shortNumber is the default rule of isInternal: at most six digits, no leading '+'.
func shortNumber(number string) bool {
	if number == "" || number[0] == '+' || len(number) > 6 {
		return false
	}
	for _, r := range number {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

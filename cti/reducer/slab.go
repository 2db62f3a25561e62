package reducer

import "github.com/ctibridge/ctibridge/tapi"

// slabs hand out the values that events point to (tapi.Event.CallState, .CallInfo, and
// LINE_NEWCALL's .Call with the arrays of its parties and call IDs) from blocks of slabSize
// instead of one allocation each: most CSTA events make one or two such values. A value is
// written once, when it is handed out, and never again by the reducer; a block lives as
// long as any event that points into it (events are short-lived: the stores and the web hub
// keep encoded copies or copies of their own).
type slabs struct {
	statuses []tapi.CallStatus
	infos    []tapi.CallInfoEvent
	calls    []tapi.Call
	strs     []string // the arrays of the calls' OtherCallIDs and Parties
}

// slabSize is how many values one block holds (a block of CallInfoEvents is 18 KB, of
// Calls 29 KB, of CallStatuses 1.5 KB).
const slabSize = 64

// status returns a pointer to a copy of v.
func (s *slabs) status(v tapi.CallStatus) *tapi.CallStatus {
	if len(s.statuses) == cap(s.statuses) {
		s.statuses = make([]tapi.CallStatus, 0, slabSize)
	}
	s.statuses = append(s.statuses, v)
	return &s.statuses[len(s.statuses)-1]
}

// callInfo returns a pointer to a copy of v.
func (s *slabs) callInfo(v tapi.CallInfoEvent) *tapi.CallInfoEvent {
	if len(s.infos) == cap(s.infos) {
		s.infos = make([]tapi.CallInfoEvent, 0, slabSize)
	}
	s.infos = append(s.infos, v)
	return &s.infos[len(s.infos)-1]
}

// call returns a deep copy of c, as c.Clone() does.
func (s *slabs) call(c *tapi.Call) *tapi.Call {
	if len(s.calls) == cap(s.calls) {
		s.calls = make([]tapi.Call, 0, slabSize)
	}
	s.calls = append(s.calls, *c)
	d := &s.calls[len(s.calls)-1]
	d.OtherCallIDs = s.strings(c.OtherCallIDs)
	d.Parties = s.strings(c.Parties)
	d.Conference = c.Conference.Clone()
	return d
}

// strings returns a copy of v (nil when empty, as Clone's are) whose capacity is its length,
// so that appending to it never writes over another value of the block.
func (s *slabs) strings(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	if len(v) > cap(s.strs)-len(s.strs) {
		if len(v) > slabSize/4 {
			return append([]string(nil), v...)
		}
		s.strs = make([]string, 0, slabSize)
	}
	n := len(s.strs)
	s.strs = append(s.strs, v...)
	return s.strs[n:len(s.strs):len(s.strs)]
}

package reducer

import "github.com/ctibridge/ctibridge/tapi"

// slabs hand out the values that events point to (tapi.Event.CallState, .CallInfo) from
// blocks of slabSize instead of one allocation each: most CSTA events make one or two such
// values. A value is written once, when it is handed out, and never again by the reducer; a
// block lives as long as any event that points into it (events are short-lived: the stores
// and the web hub keep encoded copies or copies of their own).
type slabs struct {
	statuses []tapi.CallStatus
	infos    []tapi.CallInfoEvent
}

// slabSize is how many values one block holds (a block of CallInfoEvents is 18 KB, of
// CallStatuses 1.5 KB).
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

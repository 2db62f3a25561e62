package memory

import (
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The store keeps its own copies of everything: callers may mutate what they passed to Apply
// and what reads returned. These copy every slice and pointer of the tapi types (with tapi's
// Clone methods), for the lines the store holds as values and the events it hands to
// subscribers (calls, events and records it keeps encoded); clone_test.go checks that nothing
// is shared.

func cloneLine(l tapi.Line) tapi.Line { return *l.Clone() }

func cloneEvent(e *tapi.Event) tapi.Event {
	var none payloadSlabs
	return none.clone(e)
}

// payloadSlabs holds the copies of a batch's most frequent payloads (call states, call infos,
// new calls), one array per kind, for fanOut: a malloc per kind and batch instead of one per
// event. A subscriber that keeps an event keeps its batch's array of that kind.
type payloadSlabs struct {
	states []tapi.CallStatus
	infos  []tapi.CallInfoEvent
	calls  []tapi.Call
	strs   []string // the calls' OtherCallIDs and Parties
}

// newPayloadSlabs makes room for the payloads of entries.
func newPayloadSlabs(entries []store.Entry) payloadSlabs {
	var states, infos, calls, strs int
	for i := range entries {
		e := &entries[i].Event
		if e.CallState != nil {
			states++
		}
		if e.CallInfo != nil {
			infos++
		}
		if e.Call != nil {
			calls++
			strs += len(e.Call.OtherCallIDs) + len(e.Call.Parties)
		}
	}
	return payloadSlabs{states: make([]tapi.CallStatus, 0, states), infos: make([]tapi.CallInfoEvent, 0, infos),
		calls: make([]tapi.Call, 0, calls), strs: make([]string, 0, strs)}
}

// clone is tapi's Event.Clone with those payloads taken from the slabs.
func (s *payloadSlabs) clone(e *tapi.Event) tapi.Event {
	rest := *e
	rest.CallState, rest.CallInfo, rest.Call = nil, nil, nil
	c := rest.Clone()
	if e.CallState != nil {
		c.CallState = take(&s.states)
		*c.CallState = *e.CallState
	}
	if e.CallInfo != nil {
		c.CallInfo = take(&s.infos)
		*c.CallInfo = *e.CallInfo
	}
	if e.Call != nil { // as tapi's Call.Clone does
		c.Call = take(&s.calls)
		*c.Call = *e.Call
		c.Call.OtherCallIDs = s.strings(e.Call.OtherCallIDs)
		c.Call.Parties = s.strings(e.Call.Parties)
		c.Call.Conference = e.Call.Conference.Clone()
	}
	return c
}

// strings returns a copy of v from the slab (nil when v is empty, as Clone makes it).
func (s *payloadSlabs) strings(v []string) []string {
	n, k := len(s.strs), len(v)
	switch {
	case k == 0:
		return nil
	case cap(s.strs)-n < k:
		return append([]string(nil), v...)
	}
	s.strs = append(s.strs, v...)
	return s.strs[n : n+k : n+k]
}

// take returns the next element of the slab, or a new value when it is full (its elements
// never move: they are handed out).
func take[T any](slab *[]T) *T {
	n := len(*slab)
	if n == cap(*slab) {
		return new(T)
	}
	*slab = (*slab)[:n+1]
	return &(*slab)[n]
}

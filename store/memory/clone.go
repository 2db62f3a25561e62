package memory

import "github.com/ctibridge/ctibridge/tapi"

// The store keeps its own copies of everything: callers may mutate what they passed to Apply
// and what reads returned. These copy every slice and pointer of the tapi types (with tapi's
// Clone methods and, for the events it hands to subscribers, tapi.Slabs; see fanOut), for
// the lines the store holds as values (calls, events and records it keeps encoded);
// tapi/event_clone_test.go checks that the copies share nothing.

func cloneLine(l tapi.Line) tapi.Line { return *l.Clone() }

// cloneEventInto sets *dst to what slabs.CloneEvent(src) returns. An event of a call (the
// common one: no payload but Call, CallState or CallInfo) is copied once, straight into dst,
// and its call payloads from the slabs; CloneEvent's value went through two more copies of
// the event's 280 bytes on its way to dst. Any other payload takes CloneEvent's path.
// TestCloneEventIntoMatches keeps the list of payloads in step with tapi.Event's fields.
func cloneEventInto(dst, src *tapi.Event, slabs *tapi.Slabs) {
	if src.LineState != nil || src.Reply != nil || src.Link != nil || src.Switch != nil || src.Resync != nil ||
		src.AgentStatus != nil || src.QueueStatus != nil || src.Conference != nil {
		*dst = slabs.CloneEvent(src)
		return
	}
	*dst = *src
	if src.Call != nil {
		dst.Call = slabs.Call(src.Call)
	}
	if src.CallState != nil {
		dst.CallState = slabs.CallStatus(*src.CallState)
	}
	if src.CallInfo != nil {
		dst.CallInfo = slabs.CallInfo(*src.CallInfo)
	}
}

package memory

import (
	"slices"

	"github.com/ctibridge/ctibridge/tapi"
)

// The store keeps its own copies of everything: callers may mutate what they passed to Apply
// and what reads returned. These copy every slice and pointer of the tapi types, for the lines
// and calls the store holds as values and the events it hands to subscribers.

func cloneLine(l tapi.Line) tapi.Line { return *l.Clone() }

func cloneCall(c tapi.Call) tapi.Call {
	c.OtherCallIDs = slices.Clone(c.OtherCallIDs)
	c.Parties = slices.Clone(c.Parties)
	c.Conference = c.Conference.Clone()
	return c
}

func cloneEvent(e tapi.Event) tapi.Event {
	if e.Call != nil {
		c := cloneCall(*e.Call)
		e.Call = &c
	}
	if e.CallState != nil {
		v := *e.CallState
		e.CallState = &v
	}
	if e.CallInfo != nil {
		v := *e.CallInfo
		e.CallInfo = &v
	}
	if e.LineState != nil {
		v := *e.LineState
		v.Line = cloneLine(v.Line)
		e.LineState = &v
	}
	if e.Reply != nil {
		v := *e.Reply
		e.Reply = &v
	}
	if e.Link != nil {
		v := *e.Link
		e.Link = &v
	}
	if e.Switch != nil {
		v := *e.Switch
		e.Switch = &v
	}
	if e.Resync != nil {
		v := *e.Resync
		e.Resync = &v
	}
	if e.AgentStatus != nil {
		v := *e.AgentStatus
		v.Changed = slices.Clone(v.Changed)
		e.AgentStatus = &v
	}
	e.QueueStatus = e.QueueStatus.Clone()
	e.Conference = e.Conference.Clone()
	return e
}

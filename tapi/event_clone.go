package tapi

import "slices"

// Clone returns a deep copy of e: its payloads and their slices are the copy's own, so that a
// store can hand out an event it keeps without sharing it.
func (e *Event) Clone() Event {
	c := e.cloneRest()
	if e.Call != nil {
		c.Call = e.Call.Clone()
	}
	if e.CallState != nil {
		v := *e.CallState
		c.CallState = &v
	}
	if e.CallInfo != nil {
		v := *e.CallInfo
		c.CallInfo = &v
	}
	return c
}

// cloneRest returns a copy of e with deep copies of every payload but the call ones (Call,
// CallState, CallInfo), which still point to e's: Clone and Slabs.CloneEvent copy those.
func (e *Event) cloneRest() Event {
	var c Event
	e.cloneRestInto(&c)
	return c
}

// cloneRestInto is cloneRest writing the copy into c.
func (e *Event) cloneRestInto(c *Event) {
	*c = *e
	if e.LineState != nil {
		v := *e.LineState
		v.Line = *e.LineState.Line.Clone()
		c.LineState = &v
	}
	if e.Reply != nil {
		v := *e.Reply
		c.Reply = &v
	}
	if e.Link != nil {
		v := *e.Link
		c.Link = &v
	}
	if e.Switch != nil {
		v := *e.Switch
		c.Switch = &v
	}
	if e.Resync != nil {
		v := *e.Resync
		c.Resync = &v
	}
	if e.AgentStatus != nil {
		v := *e.AgentStatus
		v.Changed = slices.Clone(v.Changed)
		c.AgentStatus = &v
	}
	c.QueueStatus = e.QueueStatus.Clone()
	c.Conference = e.Conference.Clone()
}

package tapi

import (
	"slices"
	"time"
)

// Contact-centre state: an agent's state per ACD group on its line (LINE_AGENTSTATUS) and a
// group's queue figures on the group's line (LINE_QUEUESTATUS).

// AgentState is a LINEAGENTSTATE_* value: an agent's state in one ACD group.
type AgentState uint32

// The LINEAGENTSTATE_* values of tapi.h. The bridge reports LOGGEDOFF, NOTREADY, READY,
// BUSYACD (the agent has an ACD call) and WORKINGAFTERCALL.
const (
	LINEAGENTSTATE_LOGGEDOFF        AgentState = 0x00000001
	LINEAGENTSTATE_NOTREADY         AgentState = 0x00000002
	LINEAGENTSTATE_READY            AgentState = 0x00000004
	LINEAGENTSTATE_BUSYACD          AgentState = 0x00000008
	LINEAGENTSTATE_BUSYINCOMING     AgentState = 0x00000010
	LINEAGENTSTATE_BUSYOUTBOUND     AgentState = 0x00000020
	LINEAGENTSTATE_BUSYOTHER        AgentState = 0x00000040
	LINEAGENTSTATE_WORKINGAFTERCALL AgentState = 0x00000080
	LINEAGENTSTATE_UNKNOWN          AgentState = 0x00000100
	LINEAGENTSTATE_UNAVAIL          AgentState = 0x00000200
)

var agentStateNames = newNameTable("LINEAGENTSTATE_", []nameEntry{
	{uint32(LINEAGENTSTATE_LOGGEDOFF), "LINEAGENTSTATE_LOGGEDOFF"},
	{uint32(LINEAGENTSTATE_NOTREADY), "LINEAGENTSTATE_NOTREADY"},
	{uint32(LINEAGENTSTATE_READY), "LINEAGENTSTATE_READY"},
	{uint32(LINEAGENTSTATE_BUSYACD), "LINEAGENTSTATE_BUSYACD"},
	{uint32(LINEAGENTSTATE_BUSYINCOMING), "LINEAGENTSTATE_BUSYINCOMING"},
	{uint32(LINEAGENTSTATE_BUSYOUTBOUND), "LINEAGENTSTATE_BUSYOUTBOUND"},
	{uint32(LINEAGENTSTATE_BUSYOTHER), "LINEAGENTSTATE_BUSYOTHER"},
	{uint32(LINEAGENTSTATE_WORKINGAFTERCALL), "LINEAGENTSTATE_WORKINGAFTERCALL"},
	{uint32(LINEAGENTSTATE_UNKNOWN), "LINEAGENTSTATE_UNKNOWN"},
	{uint32(LINEAGENTSTATE_UNAVAIL), "LINEAGENTSTATE_UNAVAIL"},
})

// String returns the tapi.h name.
func (v AgentState) String() string { return agentStateNames.name(uint32(v)) }

// MarshalText encodes the value as its tapi.h name.
func (v AgentState) MarshalText() ([]byte, error) { return agentStateNames.marshal(uint32(v)) }

// UnmarshalText accepts a tapi.h name of the family.
func (v *AgentState) UnmarshalText(b []byte) error {
	x, err := agentStateNames.unmarshal(b)
	*v = AgentState(x)
	return err
}

// AgentStatus is a line's agent in one ACD group (LINEAGENTSTATUS: group, state, next state).
type AgentStatus struct {
	Group   string     `json:"group"` // the ACD group's number
	AgentID string     `json:"agentId,omitempty"`
	State   AgentState `json:"state"`
	// NextState is the state the agent asked for while busy or in wrap-up, entered when the
	// call or wrap-up ends (LINEAGENTSTATUS's dwNextState); 0 when none is pending.
	NextState AgentState `json:"nextState,omitempty"`
	// ReasonCode is the switch's not-ready or log-off reason (kept from the events: a
	// GetAgentState after a resync does not carry it).
	ReasonCode string    `json:"reasonCode,omitempty"`
	Since      time.Time `json:"since"` // when State was entered, as far as the bridge knows
}

// QueuedCall is one call waiting in a group's queue.
type QueuedCall struct {
	CallID string    `json:"callId"`
	Since  time.Time `json:"since"` // when it started to wait (the switch's time when stamped)
}

// QueueStatus is an ACD or hunt group's queue figures, kept on the group's line.
type QueueStatus struct {
	// Waiting lists the calls waiting, longest waiting first.
	Waiting []QueuedCall `json:"waiting,omitempty"`
	// LongestWaitStart is when the call waiting longest started to wait (absent: none waits).
	LongestWaitStart time.Time `json:"longestWaitStart,omitzero"`
	// Agents of the group among the PBX's monitored lines, by state.
	LoggedOn int `json:"loggedOn"`
	Ready    int `json:"ready"`
	Busy     int `json:"busy"`
	NotReady int `json:"notReady"`
	WrapUp   int `json:"wrapUp"`
}

// Calls returns how many calls wait.
func (q *QueueStatus) Calls() int { return len(q.Waiting) }

// Clone returns a deep copy (nil for nil).
func (q *QueueStatus) Clone() *QueueStatus {
	if q == nil {
		return nil
	}
	d := *q
	d.Waiting = slices.Clone(q.Waiting)
	return &d
}

// Equal reports whether two queue figures (either may be nil) are the same; times compare
// with time.Equal.
func (q *QueueStatus) Equal(o *QueueStatus) bool {
	if q == nil || o == nil {
		return q == o
	}
	if !q.LongestWaitStart.Equal(o.LongestWaitStart) || q.LoggedOn != o.LoggedOn || q.Ready != o.Ready ||
		q.Busy != o.Busy || q.NotReady != o.NotReady || q.WrapUp != o.WrapUp {
		return false
	}
	return slices.EqualFunc(q.Waiting, o.Waiting, func(a, b QueuedCall) bool {
		return a.CallID == b.CallID && a.Since.Equal(b.Since)
	})
}

// AgentStatusEvent is the payload of LINE_AGENTSTATUS: what changed (LINEAGENTSTATUS_*
// names: GROUP for a new group entry, STATE, NEXTSTATE) and the line's entry for that group
// after the change.
type AgentStatusEvent struct {
	Changed []string    `json:"changed"`
	Agent   AgentStatus `json:"agent"`
}

// The LINEAGENTSTATUS_* names AgentStatusEvent.Changed uses.
const (
	AgentChangedGroup     = "LINEAGENTSTATUS_GROUP"
	AgentChangedState     = "LINEAGENTSTATUS_STATE"
	AgentChangedNextState = "LINEAGENTSTATUS_NEXTSTATE"
)

// Agent returns the line's agent status in group; ok is false when the line has none.
func (l *Line) Agent(group string) (AgentStatus, bool) {
	for _, a := range l.Agents {
		if a.Group == group {
			return a, true
		}
	}
	return AgentStatus{}, false
}

// SetAgent puts a into the line's agent list (by group, sorted by group).
func (l *Line) SetAgent(a AgentStatus) {
	for i := range l.Agents {
		if l.Agents[i].Group == a.Group {
			l.Agents[i] = a
			return
		}
	}
	l.Agents = append(l.Agents, a)
	slices.SortFunc(l.Agents, func(x, y AgentStatus) int {
		switch {
		case x.Group < y.Group:
			return -1
		case x.Group > y.Group:
			return 1
		}
		return 0
	})
}

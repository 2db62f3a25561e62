package webhook

import (
	"slices"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Agent state webhooks (kind agent.state): a CRM or workforce management system learns when an
// agent logs on or off, goes ready, not ready (with the reason code), busy or into wrap-up,
// and how long the previous state lasted. Queue figures (LINE_QUEUESTATUS) have no kind: they
// change with every call that queues or leaves the queue and every agent change, which is a
// request per event to a receiver that wants a figure; GET /api/v1/groups/{pbx}/{ext} or the
// WebSocket's LINE_QUEUESTATUS serve that better (docs/webhooks.md).

// Agent is an agent.state delivery's agent: the line's entry for one ACD group after the
// change, the LINEAGENTSTATUS_* names of what changed, and the state before it.
type Agent struct {
	tapi.AgentStatus
	Changed []string `json:"changed"`
	// PreviousState and PreviousSince are the agent's state in the group before this change
	// and since when it held it; absent when the deliverer did not know it (the first change
	// of the group entry, or one delivered right after the deliverer started behind the
	// log's end).
	PreviousState tapi.AgentState `json:"previousState,omitempty"`
	PreviousSince time.Time       `json:"previousSince,omitzero"`
}

// agentKind is KindAgentState for a LINE_AGENTSTATUS whose state changed (a new group entry
// is one too); a change of the pending next state alone is no state change.
func agentKind(e *tapi.Event) string {
	if a := e.AgentStatus; a != nil && slices.Contains(a.Changed, tapi.AgentChangedState) {
		return KindAgentState
	}
	return ""
}

// agents is a deliverer's view of the agent entries of a PBX's lines, by line and group,
// kept from the log it follows so that a delivery can say what the state was before.
type agents map[agentKey]tapi.AgentStatus

type agentKey struct{ line, group string }

// maxAgents bounds the view as maxCalls does the calls'.
const maxAgents = 100000

// seed starts the view from the stored lines; only right when the cursor is at the stored
// state's position (otherwise the entries replayed would be compared with later states).
func (as agents) seed(snap store.Snapshot) {
	for _, l := range snap.Lines {
		for _, a := range l.Agents {
			if len(as) < maxAgents {
				as[agentKey{l.Name, a.Group}] = a
			}
		}
	}
}

// track applies a LINE_AGENTSTATUS to the view.
func (as agents) track(e *tapi.Event) {
	if e.Type != tapi.LineAgentStatus || e.AgentStatus == nil {
		return
	}
	k := agentKey{e.Line, e.AgentStatus.Agent.Group}
	if _, ok := as[k]; ok || len(as) < maxAgents {
		as[k] = e.AgentStatus.Agent
	}
}

// change is the delivery's agent member for event e (before track applies it).
func (as agents) change(e *tapi.Event) *Agent {
	a := &Agent{AgentStatus: e.AgentStatus.Agent, Changed: e.AgentStatus.Changed}
	if old, ok := as[agentKey{e.Line, a.Group}]; ok && !slices.Contains(a.Changed, tapi.AgentChangedGroup) {
		a.PreviousState, a.PreviousSince = old.State, old.Since
	}
	return a
}

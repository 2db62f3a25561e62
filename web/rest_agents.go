package web

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
)

// agentView is one line's agent state in one ACD group (GET /api/v1/agents).
type agentView struct {
	Line        string `json:"line"`
	DisplayName string `json:"displayName,omitempty"`
	tapi.AgentStatus
}

// groupView is an ACD or hunt group's queue figures (GET /api/v1/groups/{pbx}/{ext}).
type groupView struct {
	Line  string           `json:"line"` // the group's line, "pbx/number"
	PBX   string           `json:"pbx"`
	Group string           `json:"group"` // the group's number
	Queue tapi.QueueStatus `json:"queue"`
}

// listAgents answers the agent states of the lines the caller may see, by line then group.
func (s *Server) listAgents(c *gin.Context) {
	p := principalOf(c)
	lines := p.visibleLines(s.svc.Lines(""))
	sort.Slice(lines, func(i, j int) bool { return lines[i].Name < lines[j].Name })
	out := []agentView{}
	for _, l := range lines {
		for _, a := range l.Agents {
			out = append(out, agentView{Line: l.Name, DisplayName: l.DisplayName, AgentStatus: a})
		}
	}
	c.JSON(http.StatusOK, gin.H{"agents": out})
}

// getGroup answers a monitored group's queue figures. A group the caller may not see, or a
// line that is no group, is answered as a missing line, as lineACL does.
func (s *Server) getGroup(c *gin.Context) {
	name := lineParam(c)
	l, ok := s.svc.Line(name)
	if !ok || l.Queue == nil || !principalOf(c).canSee(name) {
		problem(c, probUnknownLine, "group", "group "+name+" is not monitored (pbxs[].groups)")
		return
	}
	c.JSON(http.StatusOK, groupView{Line: l.Name, PBX: l.PBX, Group: l.Address, Queue: *l.Queue})
}

// agentBody is the body of PUT /api/v1/lines/{pbx}/{ext}/agent (setAgentState).
type agentBody struct {
	AgentState string `json:"agentState"` // wire.AgentStates
	Group      string `json:"group,omitempty"`
	ReasonCode string `json:"reasonCode,omitempty"`
	AgentID    string `json:"agentId,omitempty"`
}

// setAgentState asks the PBX to change the agent state at a line the token controls (an agent
// sets its own state); the result shows in GET /api/v1/agents and LINE_AGENTSTATUS.
func (s *Server) setAgentState(c *gin.Context) {
	var b agentBody
	if !s.bindJSON(c, &b) {
		return
	}
	s.runREST(c, cti.Request{Op: cti.OpSetAgentState, Line: lineParam(c), AgentState: b.AgentState,
		Group: b.Group, ReasonCode: b.ReasonCode, AgentID: b.AgentID})
}

package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Line statuses of the REST line view and the dashboard grid.
const (
	StatusIdle         = "idle"
	StatusRinging      = "ringing"
	StatusBusy         = "busy"
	StatusHeld         = "held"
	StatusDND          = "dnd"
	StatusForwarded    = "forwarded"
	StatusOutOfService = "out_of_service"
)

// lineView is a line with a one-word status and its calls, numbers in E.164.
type lineView struct {
	tapi.Line
	Status  string      `json:"status"`
	Control bool        `json:"control"` // the caller may send requests for this line
	Calls   []tapi.Call `json:"calls"`
}

// lineStatus summarises a line for people: what its phone is doing.
func lineStatus(l tapi.Line, calls []tapi.Call) string {
	if !l.InService {
		return StatusOutOfService
	}
	ringing, active, held := false, false, false
	for _, c := range calls {
		switch c.State {
		case tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED:
			ringing = true
		case tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDCONF, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER:
			held = true
		case tapi.LINECALLSTATE_IDLE, tapi.LINECALLSTATE_DISCONNECTED:
		default:
			active = true
		}
	}
	switch {
	case active:
		return StatusBusy
	case ringing:
		return StatusRinging
	case held:
		return StatusHeld
	case l.DND:
		return StatusDND
	case len(l.Forwarding) > 0:
		return StatusForwarded
	}
	return StatusIdle
}

func (s *Server) view(p *principal, l tapi.Line, calls []tapi.Call) lineView {
	num := s.numbering(l.PBX).ToE164
	v := lineView{Line: l.WithNumbers(num), Status: lineStatus(l, calls), Control: p.canControl(l.Name), Calls: make([]tapi.Call, 0, len(calls))}
	for _, c := range calls {
		v.Calls = append(v.Calls, c.WithNumbers(num))
	}
	return v
}

func (s *Server) getMe(c *gin.Context) {
	p := principalOf(c)
	c.JSON(http.StatusOK, gin.H{"user": p.Name, "role": p.Role, "lines": p.lines,
		"instance": s.svc.InstanceID()})
}

// callsByLine groups every call by line.
func (s *Server) callsByLine() map[string][]tapi.Call {
	m := map[string][]tapi.Call{}
	for _, c := range s.svc.Calls("") {
		m[c.Line] = append(m[c.Line], c)
	}
	return m
}

func (s *Server) listLines(c *gin.Context) {
	p := principalOf(c)
	pbx := c.Query("pbx")
	if pbx != "" {
		if _, ok := s.hubs[pbx]; !ok {
			problem(c, probUnknownPBX, "pbx", "PBX "+pbx+" is not configured")
			return
		}
	}
	calls := s.callsByLine()
	lines := p.visibleLines(s.svc.Lines(pbx))
	sort.Slice(lines, func(i, j int) bool { return lines[i].Name < lines[j].Name })
	out := make([]lineView, 0, len(lines))
	for _, l := range lines {
		out = append(out, s.view(p, l, calls[l.Name]))
	}
	c.JSON(http.StatusOK, gin.H{"lines": out})
}

func (s *Server) getLine(c *gin.Context) {
	l, _ := s.svc.Line(lineParam(c))
	c.JSON(http.StatusOK, s.view(principalOf(c), l, s.svc.Calls(l.Name)))
}

func (s *Server) lineCalls(c *gin.Context) {
	name := lineParam(c)
	num := s.numbering(c.Param("pbx"))
	calls := s.svc.Calls(name)
	out := make([]tapi.Call, 0, len(calls))
	for _, cl := range calls {
		out = append(out, cl.WithNumbers(num.ToE164))
	}
	c.JSON(http.StatusOK, gin.H{"calls": out})
}

func (s *Server) listCalls(c *gin.Context) {
	p := principalOf(c)
	calls := p.visibleCalls(s.svc.Calls(""))
	out := make([]tapi.Call, 0, len(calls))
	for _, cl := range calls {
		pbx := cl.Line
		if l, ok := s.svc.Line(cl.Line); ok {
			pbx = l.PBX
		}
		out = append(out, cl.WithNumbers(s.numbering(pbx).ToE164))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	c.JSON(http.StatusOK, gin.H{"calls": out})
}

// maxJournalPage bounds one journal page.
const maxJournalPage = 500

func (s *Server) lineJournal(c *gin.Context) {
	skip, ok := queryInt(c, "skip", 0, 1_000_000)
	if !ok {
		return
	}
	limit, ok := queryInt(c, "limit", 50, maxJournalPage)
	if !ok {
		return
	}
	if limit == 0 {
		problem(c, probBadParameter, "limit", "limit must be at least 1")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 10*time.Second)
	defer cancel()
	// One more than asked tells whether a next page exists.
	entries, err := s.svc.Journal(ctx, lineParam(c), skip, limit+1)
	if err != nil {
		problem(c, probStoreUnavailable, "", "journal: "+err.Error())
		return
	}
	more := len(entries) > limit
	if more {
		entries = entries[:limit]
	}
	num := s.numbering(c.Param("pbx"))
	out := make([]store.JournalEntry, len(entries))
	for i, e := range entries {
		out[i] = e.WithNumbers(num.ToE164)
	}
	resp := gin.H{"entries": out, "skip": skip, "limit": limit}
	if more {
		resp["next"] = c.Request.URL.Path + "?skip=" + itoa(skip+limit) + "&limit=" + itoa(limit)
	}
	c.JSON(http.StatusOK, resp)
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
)

// restRequestIDs numbers REST requests for the engine (REST clients do not pick IDs). The high
// bit keeps them apart from the IDs WebSocket clients choose.
var restRequestIDs atomic.Uint32

func nextRESTRequestID() uint32 { return restRequestIDs.Add(1) | 0x80000000 }

// callAction is one POST /lines/{pbx}/{ext}/calls/{handle}/<path> endpoint.
type callAction struct {
	path string
	op   cti.Op
	// body: "" none, "to" a destination number, "consult" a second handle, "digits" DTMF.
	body string
}

var callActions = []callAction{
	{"answer", cti.OpAnswer, ""},
	{"hold", cti.OpHold, ""},
	{"retrieve", cti.OpUnhold, ""},
	{"drop", cti.OpDrop, ""},
	{"transfer", cti.OpBlindTransfer, "to"},
	{"consult", cti.OpSetupTransfer, "to"},
	{"complete-transfer", cti.OpCompleteTransfer, "consult"},
	{"conference", cti.OpConference, "consult"},
	{"deflect", cti.OpRedirect, "to"},
	{"dtmf", cti.OpGenerateDigits, "digits"},
}

// actionBody is the body of call actions; which member is required depends on the action.
type actionBody struct {
	To            string          `json:"to,omitempty"`
	ConsultHandle tapi.CallHandle `json:"consultHandle,omitempty"`
	Digits        string          `json:"digits,omitempty"`
}

func (s *Server) callAction(a callAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		var b actionBody
		if !s.bindJSON(c, &b) {
			return
		}
		req := cti.Request{Op: a.op, Line: lineParam(c), Handle: tapi.CallHandle(c.Param("handle"))}
		switch a.body {
		case "to":
			if b.To == "" {
				problem(c, probMissingField, "to", a.path+" needs \"to\": the destination number")
				return
			}
			req.Number = b.To
		case "consult":
			if b.ConsultHandle == "" {
				problem(c, probMissingField, "consultHandle", a.path+" needs \"consultHandle\": the consultation call")
				return
			}
			req.Handle2 = b.ConsultHandle
		case "digits":
			if b.Digits == "" {
				problem(c, probMissingField, "digits", "dtmf needs \"digits\"")
				return
			}
			req.Number = b.Digits
		}
		if extra := unexpectedMember(a.body, b); extra != "" {
			problem(c, probUnexpectedField, extra, a.path+" takes no \""+extra+"\"")
			return
		}
		s.runREST(c, req)
	}
}

// unexpectedMember names a body member the action does not take.
func unexpectedMember(kind string, b actionBody) string {
	switch {
	case b.To != "" && kind != "to":
		return "to"
	case b.ConsultHandle != "" && kind != "consult":
		return "consultHandle"
	case b.Digits != "" && kind != "digits":
		return "digits"
	}
	return ""
}

// dialBody is the click-to-dial request.
type dialBody struct {
	To string `json:"to"`
	// RingFirst rings the user's own phone first and dials when it is picked up (CSTA
	// MakeCall with autoOriginate prompt). Default true: that is what click-to-dial from a
	// desk phone means. false dials at once (the phone goes off-hook on speaker, if it can).
	RingFirst *bool `json:"ringFirst,omitempty"`
}

func (s *Server) dial(c *gin.Context) {
	var b dialBody
	if !s.bindJSON(c, &b) {
		return
	}
	if b.To == "" {
		problem(c, probMissingField, "to", "dial needs \"to\": the number to call, E.164 (\"+49301234567\") or an extension")
		return
	}
	prompt := b.RingFirst == nil || *b.RingFirst
	s.runREST(c, cti.Request{Op: cti.OpMakeCall, Line: lineParam(c), Number: b.To, Prompt: prompt})
}

type forwardingBody struct {
	Mode      string `json:"mode"` // LINEFORWARDMODE_* name
	To        string `json:"to,omitempty"`
	Enable    bool   `json:"enable"`
	RingCount int    `json:"ringCount,omitempty"`
}

func (s *Server) setForwarding(c *gin.Context) {
	var b forwardingBody
	if !s.bindJSON(c, &b) {
		return
	}
	if b.Mode == "" && b.Enable {
		problem(c, probMissingField, "mode", "give \"mode\", e.g. \"LINEFORWARDMODE_UNCOND\"")
		return
	}
	if b.RingCount < 0 || b.RingCount > 20 {
		problem(c, probBadValue, "ringCount", "ringCount must be 0 to 20")
		return
	}
	s.runREST(c, cti.Request{Op: cti.OpForward, Line: lineParam(c), ForwardMode: b.Mode,
		Number: b.To, Enable: b.Enable, RingCount: b.RingCount})
}

type dndBody struct {
	Enable *bool `json:"enable"`
}

func (s *Server) setDND(c *gin.Context) {
	var b dndBody
	if !s.bindJSON(c, &b) {
		return
	}
	if b.Enable == nil {
		problem(c, probMissingField, "enable", "give \"enable\": true or false")
		return
	}
	s.runREST(c, cti.Request{Op: cti.OpDND, Line: lineParam(c), Enable: *b.Enable})
}

// commandResult is the REST answer to a successful request.
type commandResult struct {
	RequestID uint32          `json:"requestId"`
	Handle    tapi.CallHandle `json:"handle,omitempty"`
}

// runREST checks and executes a request and answers with its result or a problem.
func (s *Server) runREST(c *gin.Context, req cti.Request) {
	p := principalOf(c)
	req.ID = nextRESTRequestID()
	req.User = p.Name
	if r := s.checkRequest(p, &req); r != nil {
		if r.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(retryAfter(r.RetryAfter)))
		}
		writeProblem(c.Writer, c.Request, r.Problem, Problem{Detail: r.Why, Field: restField(req.Op, r.Field), Result: r.Result})
		c.Abort()
		return
	}
	// The engine may take up to commandTimeout: the response's write deadline starts after it.
	extendWriteDeadline(c, commandTimeout+s.cfg.HTTPWriteTimeout)
	ctx, cancel := context.WithTimeout(c.Request.Context(), commandTimeout)
	defer cancel()
	rep := s.do(ctx, req)
	if rep.Result != 0 {
		writeProblem(c.Writer, c.Request, resultProblem(rep.Result), Problem{Detail: rep.Error, Result: rep.Result,
			CSTACategory: rep.CSTACategory, CSTAValue: rep.CSTAValue})
		c.Abort()
		return
	}
	c.JSON(http.StatusOK, commandResult{RequestID: rep.RequestID, Handle: rep.Handle})
}

// restField names a refused request's member as the REST body or path names it.
func restField(op cti.Op, f string) string {
	switch f {
	case "number":
		switch op {
		case cti.OpGenerateDigits:
			return "digits"
		}
		return "to"
	case "handle2":
		return "consultHandle"
	case "forwardMode":
		return "mode"
	}
	return f
}

// listLinks shows every PBX link. Node addresses and errors (which name hosts) are for
// admins only: other roles see the roles and states of the nodes.
func (s *Server) listLinks(c *gin.Context) {
	links := s.svc.Links()
	if !principalOf(c).isAdmin() {
		for i := range links {
			nodes := make([]cti.NodeInfo, len(links[i].Nodes))
			for j, n := range links[i].Nodes {
				n.Address, n.LastError = "", ""
				nodes[j] = n
			}
			links[i].Nodes = nodes
		}
	}
	c.JSON(http.StatusOK, gin.H{"instance": s.svc.InstanceID(), "links": links})
}

type adminBody struct {
	Reason string `json:"reason"`
}

func (s *Server) switchover(c *gin.Context) {
	s.linkAction(c, "switchover", probSwitchover, s.svc.Switchover)
}
func (s *Server) failback(c *gin.Context) { s.linkAction(c, "failback", probFailback, s.svc.Failback) }

func (s *Server) linkAction(c *gin.Context, action string, failed ProblemType, fn func(context.Context, string, string) error) {
	p := principalOf(c)
	pbx := c.Param("pbx")
	entry := AuditEntry{User: p.Name, Role: p.Role, Remote: c.ClientIP(), Action: action, Target: pbx}
	var b adminBody
	if !s.bindJSON(c, &b) {
		entry.Result = "bad request body"
		s.audit.record(entry)
		return
	}
	if b.Reason == "" {
		b.Reason = action + " requested by " + p.Name
	}
	entry.Reason = b.Reason
	if _, ok := s.hubs[pbx]; !ok {
		entry.Result = "unknown PBX"
		s.audit.record(entry)
		problem(c, probUnknownPBX, "pbx", "PBX "+pbx+" is not configured")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 60*time.Second)
	defer cancel()
	extendWriteDeadline(c, 60*time.Second+s.cfg.HTTPWriteTimeout)
	if err := fn(ctx, pbx, b.Reason); err != nil {
		entry.Result = err.Error()
		s.audit.record(entry)
		problem(c, failed, "", err.Error())
		return
	}
	entry.Result = "ok"
	s.audit.record(entry)
	c.JSON(http.StatusOK, gin.H{"pbx": pbx, "action": action, "reason": b.Reason})
}

func (s *Server) listClients(c *gin.Context) {
	p := principalOf(c)
	s.audit.record(AuditEntry{User: p.Name, Role: p.Role, Remote: c.ClientIP(), Action: "list_clients", Result: "ok"})
	c.JSON(http.StatusOK, gin.H{"clients": s.Clients()})
}

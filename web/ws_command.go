package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// commandTimeout bounds one request to the engine.
const commandTimeout = 30 * time.Second

// command validates a client request and runs it; every command with an id gets exactly one
// LINE_REPLY, also when it is refused here.
func (c *wsConn) command(m commandMsg) {
	if m.ID == 0 {
		c.sendError("bad_field", "id", "a command needs a non-zero id (the TAPI request ID)", 0)
		return
	}
	req := cti.Request{ID: m.ID, Op: m.Op, Line: m.Line, Handle: m.Handle, Handle2: m.Handle2,
		Number: m.Number, ForwardMode: m.ForwardMode, Enable: m.Enable, RingCount: m.RingCount,
		Prompt: m.Prompt, AgentState: m.AgentState, Group: m.Group, ReasonCode: m.ReasonCode, AgentID: m.AgentID,
		User: c.p.Name}
	if r := c.s.checkRequest(c.p, &req); r != nil {
		c.sendReply(req.Line, tapi.Reply{RequestID: m.ID, Result: r.Result, Error: r.Why})
		return
	}
	c.runCommand(func() {
		ctx, cancel := context.WithTimeout(c.ctx, commandTimeout)
		defer cancel()
		rep := c.s.do(ctx, req)
		c.sendReply(req.Line, rep)
	})
}

func (c *wsConn) sendReply(line string, rep tapi.Reply) {
	ev := tapi.Event{V: tapi.WireVersion, Type: tapi.LineReply, Time: time.Now().UTC(),
		Line: line, Reply: &rep}
	if pbx, _, ok := tapi.SplitLine(line); ok {
		ev.PBX = pbx
		ev.Device = tapi.LineDeviceID(line)
	}
	c.send(eventMsg{Type: msgEvent, Event: &ev})
}

// refusal is a request refused before it reached the engine: the LINEERR_* and why for the
// LINE_REPLY, the HTTP status, the request member at fault (WebSocket names) and, for a rate
// limit, how long until a retry can succeed.
type refusal struct {
	Result     tapi.LineErr
	Why        string
	Problem    ProblemType // the REST answer
	Field      string
	RetryAfter time.Duration
}

func refused(res tapi.LineErr, pt ProblemType, field, format string, a ...any) *refusal {
	return &refusal{Result: res, Problem: pt, Field: field, Why: fmt.Sprintf(format, a...)}
}

// notALine is the answer for a line that does not exist and for one the principal may not
// see: the two are indistinguishable, so that a token cannot probe which lines exist.
func notALine(line string) *refusal {
	return refused(tapi.LINEERR_BADDEVICEID, probUnknownLine, "line", "line %q does not exist", line)
}

// checkRequest is the one check of every request, REST and WebSocket alike: the ACL of the
// acting line and of every line and call the request touches, the numbers (validated and
// converted before the PBX sees them), and the per-user, per-line and dial rate limits. nil:
// the request may go to the engine.
func (s *Server) checkRequest(p *principal, req *cti.Request) *refusal {
	spec, ok := wire.Lookup(req.Op)
	if !ok {
		return refused(tapi.LINEERR_OPERATIONUNAVAIL, probUnknownOp, "op", "op %q is not known (known: %v)", req.Op, allOps)
	}
	pbx, _, ok := tapi.SplitLine(req.Line)
	if !ok {
		return refused(tapi.LINEERR_BADDEVICEID, probUnknownLine, "line", "line %q is not \"pbx/extension\"", req.Line)
	}
	if _, ok := s.svc.Line(req.Line); !ok || !p.canSee(req.Line) {
		return notALine(req.Line)
	}
	if !p.canControl(req.Line) && !s.supervisesAgent(p, req, pbx) {
		return refused(tapi.LINEERR_OPERATIONUNAVAIL, probLineControl, "line", "%s (%s) may not control line %s", p.Name, p.Role, req.Line)
	}
	if r := s.checkHandles(spec, req, pbx); r != nil {
		return r
	}
	if r := s.checkNumber(p, spec, req, pbx); r != nil {
		return r
	}
	if r := checkAgent(spec, req); r != nil {
		return r
	}
	return s.checkRates(p, req)
}

// checkHandles requires the handles an op needs (the op table, wire.Ops) and refuses a
// handle of a call on another line, with the answer a missing call gets (the engine would
// name the other line).
func (s *Server) checkHandles(spec wire.Spec, req *cti.Request, pbx string) *refusal {
	switch {
	case spec.Handle2 == wire.Required && (req.Handle == "" || req.Handle2 == ""):
		return refused(tapi.LINEERR_INVALCONSULTCALLHANDLE, probMissingField, "handle2", "%s needs handle (held call) and handle2 (consultation call)", req.Op)
	case spec.Handle == wire.Required && req.Handle == "":
		return refused(tapi.LINEERR_INVALCALLHANDLE, probMissingField, "handle", "%s needs the call's handle", req.Op)
	case spec.Handle == wire.Refused && (req.Handle != "" || req.Handle2 != ""):
		return refused(tapi.LINEERR_INVALPARAM, probUnexpectedField, "handle", "%s takes no call handle", req.Op)
	case spec.Handle2 == wire.Refused && req.Handle2 != "":
		return refused(tapi.LINEERR_INVALPARAM, probUnexpectedField, "handle2", "%s takes no handle2", req.Op)
	}
	var elsewhere map[tapi.CallHandle]bool
	for _, f := range []struct {
		h     tapi.CallHandle
		field string
		code  tapi.LineErr
	}{{req.Handle, "handle", tapi.LINEERR_INVALCALLHANDLE}, {req.Handle2, "handle2", tapi.LINEERR_INVALCONSULTCALLHANDLE}} {
		if f.h == "" {
			continue
		}
		if len(f.h) > 128 || !strings.HasPrefix(string(f.h), pbx+":") {
			return refused(f.code, probUnknownCall, f.field, "no call %.128s on line %s", f.h, req.Line)
		}
		if elsewhere == nil {
			elsewhere = s.callsElsewhere(req.Line)
		}
		if elsewhere[f.h] {
			return refused(f.code, probUnknownCall, f.field, "no call %s on line %s", f.h, req.Line)
		}
	}
	return nil
}

// callsElsewhere returns the handles of calls on other lines than line, and not on it. A
// handle the view does not know at all is left to the engine (it may be brand new).
func (s *Server) callsElsewhere(line string) map[tapi.CallHandle]bool {
	out := map[tapi.CallHandle]bool{}
	here := map[tapi.CallHandle]bool{}
	for _, c := range s.svc.Calls("") {
		if c.Line == line {
			here[c.Handle] = true
		} else {
			out[c.Handle] = true
		}
	}
	for h := range here {
		delete(out, h)
	}
	return out
}

// checkNumber validates and converts the number member by its kind in the op table: a
// destination is any number the numbering accepts, the device of a pickup is a line of the
// bridge the principal may see, digits are DTMF digits, and ops that take no number refuse
// one. It checks forward's ring count too.
func (s *Server) checkNumber(p *principal, spec wire.Spec, req *cti.Request, pbx string) *refusal {
	var r *refusal
	switch spec.Number {
	case wire.Destination:
		if req.Number == "" {
			return refused(tapi.LINEERR_INVALADDRESS, probMissingField, "number", "%s needs a number", req.Op)
		}
		r = s.toDial(pbx, req, "number")
	case wire.ForwardTo:
		r = s.checkForward(pbx, req)
	case wire.Digits:
		d, err := wire.CleanDigits(req.Number)
		if err != nil {
			return refused(tapi.LINEERR_INVALDIGITS, probBadValue, "number", "digits %s: use 1 to %d of 0-9, *, #, A-D", quoteCapped(req.Number), wire.MaxDigits)
		}
		req.Number = d
	case wire.RingingLine, wire.PickupGroup:
		r = s.checkPickupNumber(p, spec, req, pbx)
	default:
		if req.Number != "" {
			return refused(tapi.LINEERR_INVALPARAM, probUnexpectedField, "number", "%s takes no number", req.Op)
		}
	}
	if r != nil {
		return r
	}
	if spec.Takes(wire.FieldRingCount) {
		if err := wire.CheckRingCount(req.RingCount); err != nil {
			return refused(tapi.LINEERR_INVALPARAM, probBadValue, "ringCount", "%v", err)
		}
	}
	return nil
}

// toDial converts req.Number by the PBX's numbering into what the PBX dials.
func (s *Server) toDial(pbx string, req *cti.Request, what string) *refusal {
	d, err := s.numbering(pbx).ToDial(req.Number)
	if err != nil {
		return refused(tapi.LINEERR_INVALADDRESS, probBadNumber, "number", "%s %s: %v", what, quoteCapped(req.Number), err)
	}
	req.Number = d
	return nil
}

// checkForward checks a forwarding request: its destination, mode and that enabling names one.
func (s *Server) checkForward(pbx string, req *cti.Request) *refusal {
	if req.Number != "" {
		if r := s.toDial(pbx, req, "forward destination"); r != nil {
			return r
		}
	}
	if req.Enable || req.ForwardMode != "" {
		var fm tapi.ForwardMode
		if err := fm.UnmarshalText([]byte(req.ForwardMode)); err != nil {
			return refused(tapi.LINEERR_INVALPARAM, probBadValue, "forwardMode", "forwardMode: %v", err)
		}
	}
	if req.Enable && req.Number == "" {
		return refused(tapi.LINEERR_INVALADDRESS, probMissingField, "number", "enabling forwarding needs a destination number")
	}
	return nil
}

// checkPickupNumber checks the number of a pickup: a line the principal may see (pickup takes
// the call ringing there), or for a group pickup a pickup group or a line of the group.
func (s *Server) checkPickupNumber(p *principal, spec wire.Spec, req *cti.Request, pbx string) *refusal {
	if req.Number == "" {
		if spec.Number.Need() == wire.Required {
			return refused(tapi.LINEERR_INVALADDRESS, probMissingField, "number", "%s needs the number of the ringing line", req.Op)
		}
		return nil
	}
	d, err := cleanNumber(req.Number)
	if err != nil {
		return refused(tapi.LINEERR_INVALADDRESS, probBadNumber, "number", "%s number %s: %v", req.Op, quoteCapped(req.Number), err)
	}
	target := pbx + "/" + d
	_, isLine := s.svc.Line(target)
	if (spec.Number == wire.RingingLine || isLine) && (!isLine || !p.canSee(target)) {
		return refused(tapi.LINEERR_INVALADDRESS, probUnknownLine, "number", "%s: line %q does not exist", req.Op, target)
	}
	req.Number = d
	return nil
}

// quoteCapped quotes a client's string for an error message, cut to 40 bytes.
func quoteCapped(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// checkRates takes a token from the user's, the line's and, for makeCall, the dial bucket.
func (s *Server) checkRates(p *principal, req *cti.Request) *refusal {
	limit := func(l *rateLimiter, key, what string, perMinute int, label string) (grant, *refusal) {
		g, ok, wait := l.allow(key)
		if ok {
			return g, nil
		}
		s.metrics.limited.WithLabelValues(label).Inc()
		s.rateLog.warn(logrus.Fields{"user": p.Name, "line": req.Line, "op": req.Op, "limit": what}, "command rate limited")
		r := refused(tapi.LINEERR_RESOURCEUNAVAIL, probRateLimited, "",
			"%s rate limit of %d per minute reached; retry in %ds", what, perMinute, retryAfter(wait))
		r.RetryAfter = wait
		return grant{}, r
	}
	// A request refused by one limit takes no token from the others.
	user, r := limit(s.userCmdLimit, p.Name, "command (user "+p.Name+")", s.cfg.UserCommandRate, limitUserCommand)
	if r != nil {
		return r
	}
	line, r := limit(s.lineCmdLimit, req.Line, "command (line "+req.Line+")", s.cfg.LineCommandRate, limitLineCommand)
	if r != nil {
		user.refund()
		return r
	}
	if req.Op == cti.OpMakeCall {
		if _, r := limit(s.dialLimit, p.Name, "dial", s.cfg.DialRatePerMinute, limitDial); r != nil {
			s.metrics.rateLimited.Inc()
			user.refund()
			line.refund()
			return r
		}
	}
	return nil
}

// do runs a checked request on the engine and records its latency.
func (s *Server) do(ctx context.Context, req cti.Request) tapi.Reply {
	start := time.Now()
	rep := s.svc.Do(ctx, req)
	result := "ok"
	if rep.Result != 0 {
		result = rep.Result.String()
	}
	s.metrics.commandLatency.WithLabelValues(string(req.Op), result).Observe(time.Since(start).Seconds())
	if rep.RequestID == 0 {
		rep.RequestID = req.ID
	}
	return rep
}

func (s *Server) numbering(pbx string) Numbering { return s.cfg.Numbering[pbx] }

// checkAgent checks setAgentState's members: a known requested state, and group, reason code
// and agent ID of at most wire.MaxAgentField bytes; other ops take none of them.
func checkAgent(spec wire.Spec, req *cti.Request) *refusal {
	members := []struct{ field, v string }{{wire.FieldAgentState, req.AgentState}, {wire.FieldGroup, req.Group},
		{wire.FieldReasonCode, req.ReasonCode}, {wire.FieldAgentID, req.AgentID}}
	for _, m := range members {
		switch {
		case m.v != "" && !spec.Takes(m.field):
			return refused(tapi.LINEERR_INVALPARAM, probUnexpectedField, m.field, "%s takes no %s", req.Op, m.field)
		case len(m.v) > wire.MaxAgentField:
			return refused(tapi.LINEERR_INVALPARAM, probBadValue, m.field, "%s is longer than %d bytes", m.field, wire.MaxAgentField)
		}
	}
	if !spec.Takes(wire.FieldAgentState) {
		return nil
	}
	if req.AgentState == "" {
		return refused(tapi.LINEERR_INVALAGENTSTATE, probMissingField, wire.FieldAgentState, "%s needs agentState, one of %v", req.Op, wire.AgentStates)
	}
	if !slices.Contains(wire.AgentStates, req.AgentState) {
		return refused(tapi.LINEERR_INVALAGENTSTATE, probBadValue, wire.FieldAgentState, "agentState %s: want one of %v", quoteCapped(req.AgentState), wire.AgentStates)
	}
	return nil
}

// supervisesAgent reports whether a supervisor may set the agent state at a line it does not
// control: the request names an ACD group whose line the supervisor controls (pbxs[].groups,
// the supervisor's lines), and the line is an agent position of that group.
func (s *Server) supervisesAgent(p *principal, req *cti.Request, pbx string) bool {
	if p.Role != RoleSupervisor || req.Op != cti.OpSetAgentState || req.Group == "" {
		return false
	}
	group := pbx + "/" + req.Group
	g, ok := s.svc.Line(group)
	if !ok || g.Queue == nil || !p.owns(group) {
		return false
	}
	l, _ := s.svc.Line(req.Line)
	_, member := l.Agent(req.Group)
	return member
}

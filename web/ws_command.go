package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
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
		Prompt: m.Prompt, User: c.p.Name}
	if res, why := c.s.checkRequest(c.p, &req); res != 0 {
		c.sendReply(req.Line, tapi.Reply{RequestID: m.ID, Result: res, Error: why})
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
	if pbx, _, ok := strings.Cut(line, "/"); ok {
		ev.PBX = pbx
		ev.Device = tapi.LineDeviceID(line)
	}
	c.send(eventMsg{Type: msgEvent, Event: &ev})
}

// checkRequest applies the ACL, the dial rate limit and number normalisation shared by REST
// and WebSocket. It returns 0 when the request may go to the engine, else the LINEERR_* and why.
func (s *Server) checkRequest(p *principal, req *cti.Request) (tapi.LineErr, string) {
	if !knownOp(req.Op) {
		return tapi.LINEERR_OPERATIONUNAVAIL, fmt.Sprintf("op %q is not known (known: %v)", req.Op, allOps)
	}
	pbx, ext, ok := strings.Cut(req.Line, "/")
	if !ok || pbx == "" || ext == "" {
		return tapi.LINEERR_BADDEVICEID, fmt.Sprintf("line %q is not \"pbx/extension\"", req.Line)
	}
	if _, ok := s.svc.Line(req.Line); !ok {
		return tapi.LINEERR_BADDEVICEID, fmt.Sprintf("line %q does not exist", req.Line)
	}
	if !p.canControl(req.Line) {
		return tapi.LINEERR_OPERATIONUNAVAIL, fmt.Sprintf("%s (%s) may not control line %s", p.Name, p.Role, req.Line)
	}
	for _, h := range []tapi.CallHandle{req.Handle, req.Handle2} {
		if h != "" && !strings.HasPrefix(string(h), pbx+":") {
			return tapi.LINEERR_INVALCALLHANDLE, fmt.Sprintf("call handle %q does not belong to PBX %s", h, pbx)
		}
	}
	switch req.Op {
	case cti.OpAnswer, cti.OpDrop, cti.OpHold, cti.OpUnhold, cti.OpBlindTransfer,
		cti.OpSetupTransfer, cti.OpRedirect, cti.OpGenerateDigits:
		if req.Handle == "" {
			return tapi.LINEERR_INVALCALLHANDLE, fmt.Sprintf("%s needs the call's handle", req.Op)
		}
	case cti.OpCompleteTransfer, cti.OpConference:
		if req.Handle == "" || req.Handle2 == "" {
			return tapi.LINEERR_INVALCONSULTCALLHANDLE, fmt.Sprintf("%s needs handle (held call) and handle2 (consultation call)", req.Op)
		}
	}
	switch req.Op {
	case cti.OpMakeCall, cti.OpBlindTransfer, cti.OpSetupTransfer, cti.OpRedirect:
		if req.Number == "" {
			return tapi.LINEERR_INVALADDRESS, fmt.Sprintf("%s needs a number", req.Op)
		}
		d, err := s.numbering(pbx).ToDial(req.Number)
		if err != nil {
			return tapi.LINEERR_INVALADDRESS, fmt.Sprintf("number %q: %v", req.Number, err)
		}
		req.Number = d
	case cti.OpForward:
		if req.Enable && req.Number != "" {
			d, err := s.numbering(pbx).ToDial(req.Number)
			if err != nil {
				return tapi.LINEERR_INVALADDRESS, fmt.Sprintf("forward destination %q: %v", req.Number, err)
			}
			req.Number = d
		}
		if req.Enable || req.ForwardMode != "" {
			var fm tapi.ForwardMode
			if err := fm.UnmarshalText([]byte(req.ForwardMode)); err != nil {
				return tapi.LINEERR_INVALPARAM, fmt.Sprintf("forwardMode: %v", err)
			}
		}
		if req.Enable && req.Number == "" {
			return tapi.LINEERR_INVALADDRESS, "enabling forwarding needs a destination number"
		}
	case cti.OpGenerateDigits:
		if req.Number == "" || strings.Trim(req.Number, "0123456789*#ABCDabcd") != "" {
			return tapi.LINEERR_INVALDIGITS, fmt.Sprintf("digits %q: use 0-9, *, #, A-D", req.Number)
		}
	}
	if req.Op == cti.OpMakeCall {
		if ok, wait := s.dialLimit.allow(p.Name); !ok {
			s.metrics.rateLimited.Inc()
			return tapi.LINEERR_RESOURCEUNAVAIL, fmt.Sprintf("dial rate limit of %d per minute reached; retry in %s", s.cfg.DialRatePerMinute, wait.Round(time.Second))
		}
	}
	return 0, ""
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

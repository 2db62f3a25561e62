package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/cti"
)

// traceBody is the body of PUT /api/v1/links/{pbx}/trace.
type traceBody struct {
	Enabled *bool `json:"enabled"`
}

// traceControl returns the engine's trace switch for the :pbx of the request, or answers
// with a problem and returns nil.
func (s *Server) traceControl(c *gin.Context) cti.TraceControl {
	tc, ok := s.svc.(cti.TraceControl)
	if !ok {
		problem(c, probNotImplemented, "", "this engine has no wire trace")
		return nil
	}
	if _, ok := s.hubs[c.Param("pbx")]; !ok {
		problem(c, probUnknownPBX, "pbx", "PBX "+c.Param("pbx")+" is not configured")
		return nil
	}
	return tc
}

// getTrace answers GET /api/v1/links/{pbx}/trace (admin): whether the CSTA wire trace is on,
// its file and what was written.
func (s *Server) getTrace(c *gin.Context) {
	tc := s.traceControl(c)
	if tc == nil {
		return
	}
	st, err := tc.Trace(c.Param("pbx"))
	if err != nil {
		problem(c, probUnknownPBX, "pbx", err.Error())
		return
	}
	c.JSON(http.StatusOK, st)
}

// putTrace answers PUT /api/v1/links/{pbx}/trace (admin) with {"enabled": true|false}: the
// trace switches at once on the live link, without reconnecting.
func (s *Server) putTrace(c *gin.Context) {
	p := principalOf(c)
	pbx := c.Param("pbx")
	entry := AuditEntry{User: p.Name, Role: p.Role, Remote: c.ClientIP(), Action: "trace", Target: pbx}
	tc := s.traceControl(c)
	if tc == nil {
		entry.Result = "refused"
		s.audit.record(entry)
		return
	}
	var b traceBody
	if !s.bindJSON(c, &b) {
		entry.Result = "bad request body"
		s.audit.record(entry)
		return
	}
	if b.Enabled == nil {
		entry.Result = "bad request body"
		s.audit.record(entry)
		problem(c, probMissingField, "enabled", "give \"enabled\": true to switch the wire trace on, false to switch it off")
		return
	}
	entry.Reason = "enabled=" + strconv.FormatBool(*b.Enabled)
	st, err := tc.SetTrace(pbx, *b.Enabled)
	if err != nil {
		entry.Result = err.Error()
		s.audit.record(entry)
		problem(c, probTraceFailed, "", err.Error())
		return
	}
	entry.Result = "ok"
	s.audit.record(entry)
	c.JSON(http.StatusOK, st)
}

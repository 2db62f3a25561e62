package web

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/tapi"
)

// Problem is an RFC 9457 problem details document, extended with the offending field and, for
// failed TAPI requests, the LINEERR_* result and, when the PBX refused the request, its
// CSTAErrorCode. Type, Title and Status are those of a catalogue entry (ProblemType).
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Field    string       `json:"field,omitempty"` // JSON member or parameter at fault
	Result   tapi.LineErr `json:"result,omitempty"`
	// CSTACategory and CSTAValue: the PBX's CSTAErrorCode (ECMA-269 §9.3) as it came;
	// Detail then says in words what it means for the request.
	CSTACategory string `json:"cstaCategory,omitempty"`
	CSTAValue    string `json:"cstaValue,omitempty"`
}

const problemBase = "https://ctibridge.github.io/problems/"

// problem writes a problem+json response of a catalogue entry and aborts the gin chain.
func problem(c *gin.Context, pt ProblemType, field, detail string) {
	writeProblem(c.Writer, c.Request, pt, Problem{Detail: detail, Field: field})
	c.Abort()
}

// writeProblem writes a problem+json response: p with the type, title and status of pt.
func writeProblem(w http.ResponseWriter, r *http.Request, pt ProblemType, p Problem) {
	p.Type, p.Title, p.Status = pt.URI(), pt.Title, pt.Status
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

package web

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/tapi"
)

// Problem is an RFC 9457 problem details document, extended with the offending field and, for
// failed TAPI requests, the LINEERR_* result.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Field    string       `json:"field,omitempty"` // JSON member or parameter at fault
	Result   tapi.LineErr `json:"result,omitempty"`
}

const problemBase = "https://ctibridge.github.io/problems/"

// problem writes a problem+json response and aborts the gin chain.
func problem(c *gin.Context, status int, kind, field, detail string) {
	writeProblem(c.Writer, c.Request, Problem{
		Type: problemBase + kind, Title: http.StatusText(status), Status: status,
		Detail: detail, Field: field,
	})
	c.Abort()
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// replyStatus maps a LINEERR_* result to the HTTP status a REST client can act on.
func replyStatus(r tapi.LineErr) int {
	switch r {
	case 0:
		return http.StatusOK
	case tapi.LINEERR_INVALCALLHANDLE, tapi.LINEERR_BADDEVICEID, tapi.LINEERR_INVALLINEHANDLE:
		return http.StatusNotFound
	case tapi.LINEERR_INVALCALLSTATE, tapi.LINEERR_INUSE:
		return http.StatusConflict
	case tapi.LINEERR_INVALADDRESS, tapi.LINEERR_INVALPARAM, tapi.LINEERR_INVALDIGITS:
		return http.StatusUnprocessableEntity
	case tapi.LINEERR_RESOURCEUNAVAIL:
		return http.StatusServiceUnavailable
	case tapi.LINEERR_OPERATIONUNAVAIL:
		return http.StatusNotImplemented
	default:
		return http.StatusBadGateway
	}
}

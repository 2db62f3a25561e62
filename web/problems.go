package web

import (
	"net/http"

	"github.com/ctibridge/ctibridge/tapi"
)

// ProblemType is one entry of the problem type catalogue: every problem+json response is
// made from an entry, so its type, title and status always agree. docs/errors.md and the
// Problem schema of openapi.json list the catalogue; tests hold them in step.
type ProblemType struct {
	Slug   string // the type URI's last segment
	Title  string
	Status int
	Doc    string // when it happens and what to do, for docs/errors.md
}

// URI is the problem's type.
func (p ProblemType) URI() string { return problemBase + p.Slug }

// The catalogue. Requests and bodies.
var (
	probBadJSON         = ProblemType{"bad-json", "Malformed JSON body", http.StatusBadRequest, "The body is not JSON, or a member has the wrong type (`field` names it)."}
	probBadBody         = ProblemType{"bad-body", "Body could not be read", http.StatusBadRequest, "The connection failed while the body was read."}
	probMissingField    = ProblemType{"missing-field", "Required member missing", http.StatusBadRequest, "The request lacks a member it needs (`field`); `detail` says what to give."}
	probUnexpectedField = ProblemType{"unexpected-field", "Member not taken", http.StatusBadRequest, "The request carries a member this endpoint or op does not take (`field`)."}
	probBadParameter    = ProblemType{"bad-parameter", "Invalid query parameter", http.StatusBadRequest, "A query parameter (`field`) is out of range."}
	probUnknownOp       = ProblemType{"unknown-op", "Unknown operation", http.StatusBadRequest, "The op is not one the bridge knows (WebSocket clients; REST routes name the op)."}
	probBadValue        = ProblemType{"bad-value", "Invalid value", http.StatusUnprocessableEntity, "A member (`field`) has a value the bridge does not accept: a forward mode, ring count, DTMF digits, or an agent state, group or agent ID."}
	probBadNumber       = ProblemType{"bad-number", "Number cannot be dialled", http.StatusUnprocessableEntity, "The number is not a dial string (digits, `*`, `#`, a leading `+`, at most 32 digits), or the PBX says it cannot be reached."}
	probBadContentType  = ProblemType{"bad-content-type", "Unsupported content type", http.StatusUnsupportedMediaType, "Send `Content-Type: application/json`."}
	probTooLarge        = ProblemType{"too-large", "Body too large", http.StatusRequestEntityTooLarge, "The body is larger than `web.max_message_bytes`."}
	probBodyTimeout     = ProblemType{"body-timeout", "Body not received in time", http.StatusRequestTimeout, "The body did not arrive within `web.http_read_timeout`."}
	probNotFound        = ProblemType{"not-found", "No such endpoint or file", http.StatusNotFound, "No route or file has this path."}
	probMethod          = ProblemType{"method-not-allowed", "Method not allowed", http.StatusMethodNotAllowed, "The path exists, but not with this method."}
)

// Access.
var (
	probUnauthorized = ProblemType{"unauthorized", "Missing or invalid token", http.StatusUnauthorized, "Send `Authorization: Bearer <token>` with a configured token."}
	probForbidden    = ProblemType{"forbidden", "Admin role required", http.StatusForbidden, "The endpoint is for tokens with the admin role."}
	probLineControl  = ProblemType{"line-not-controlled", "Line not controlled by this user", http.StatusForbidden, "The token may see the line but not control it (a supervisor's colleague)."}
	probOrigin       = ProblemType{"origin-not-allowed", "Origin not allowed", http.StatusForbidden, "A browser page from an origin not in `web.allowed_origins` tried to open a WebSocket or call the REST API (its CORS preflight, or the request itself, is refused)."}
	probRateLimited  = ProblemType{"rate-limited", "Rate limit reached", http.StatusTooManyRequests, "Too many requests or commands; retry after `Retry-After` seconds."}
	probTooMany      = ProblemType{"too-many-sessions", "Too many WebSocket sessions", http.StatusTooManyRequests, "The user has `web.max_sessions_per_user` sessions open; close one first."}
	probUpgrade      = ProblemType{"websocket-upgrade", "WebSocket upgrade failed", http.StatusBadRequest, "The request to /ws is not a valid WebSocket upgrade."}
)

// Lines, calls and PBXs.
var (
	probUnknownLine = ProblemType{"unknown-line", "No such line", http.StatusNotFound, "The line does not exist or the token may not see it (both get this answer)."}
	probUnknownCall = ProblemType{"unknown-call", "No such call", http.StatusNotFound, "No call with this handle on the line: it may have ended, or it is on another line."}
	probUnknownPBX  = ProblemType{"unknown-pbx", "No such PBX", http.StatusNotFound, "The PBX is not configured."}
	probCallState   = ProblemType{"wrong-call-state", "Call not in a state for this", http.StatusConflict, "The call (or line) is not in a state the request works in: `detail` says what is wrong, e.g. \"the call is not ringing at this line any more\"."}
	probLineInUse   = ProblemType{"line-in-use", "Line in use", http.StatusConflict, "The line is busy with another call or request."}
	probUnsupported = ProblemType{"operation-unavailable", "Operation not available", http.StatusNotImplemented, "The PBX does not offer the request, or refused it as not allowed: `detail` says which."}
	probPBXFailed   = ProblemType{"pbx-failed", "PBX request failed", http.StatusBadGateway, "The PBX did not carry out the request, or the link failed while it was sent (it is not retried: it may have been executed)."}
	probUnavailable = ProblemType{"pbx-unavailable", "PBX unavailable", http.StatusServiceUnavailable, "The PBX link is down or busy, or no bridge instance owns it right now; try again."}
)

// Server and administration.
var (
	probNotReady         = ProblemType{"not-ready", "Not ready", http.StatusServiceUnavailable, "The bridge (or the PBX's event feed) is not up yet; try again."}
	probStoreUnavailable = ProblemType{"store-unavailable", "Store unavailable", http.StatusServiceUnavailable, "The journal or the call history could not be read from the store."}
	probSwitchover       = ProblemType{"switchover-failed", "Switchover failed", http.StatusConflict, "The link could not be switched to the other PBX node: `detail` says why."}
	probFailback         = ProblemType{"failback-failed", "Failback failed", http.StatusConflict, "The link could not be switched back to the primary PBX node: `detail` says why."}
	probTraceFailed      = ProblemType{"trace-failed", "Trace could not be switched", http.StatusConflict, "The wire trace could not be switched on or off: `detail` says why."}
	probNotImplemented   = ProblemType{"not-implemented", "Not implemented", http.StatusNotImplemented, "This engine does not have the feature (e.g. a wire trace)."}
	probUnknownWebhook   = ProblemType{"unknown-webhook", "No such webhook subscription or delivery", http.StatusNotFound, "No call webhook subscription (or failed delivery of it) has this ID."}
	probWebhookExists    = ProblemType{"webhook-exists", "Webhook subscription exists", http.StatusConflict, "A call webhook subscription with this `id` exists already (in the configuration or made through the API)."}
	probWebhookReadOnly  = ProblemType{"webhook-read-only", "Webhook subscription from the configuration", http.StatusConflict, "The subscription is in the configuration file (`webhooks.subscriptions`); change it there."}
	probWebhookStore     = ProblemType{"webhook-store-unavailable", "Webhook state unavailable", http.StatusServiceUnavailable, "The call webhook subscriptions or deliveries could not be read or written in the store; try again."}
	probInternal         = ProblemType{"internal", "Internal error", http.StatusInternalServerError, "A bug: the bridge logged it. Please report it."}
)

// ProblemTypes is the catalogue, in the order docs/errors.md lists it.
var ProblemTypes = []ProblemType{
	probBadJSON, probBadBody, probMissingField, probUnexpectedField, probBadParameter, probUnknownOp,
	probBadValue, probBadNumber, probBadContentType, probTooLarge, probBodyTimeout, probNotFound, probMethod,
	probUnauthorized, probForbidden, probLineControl, probOrigin, probRateLimited, probTooMany, probUpgrade,
	probUnknownLine, probUnknownCall, probUnknownPBX, probCallState, probLineInUse, probUnsupported,
	probPBXFailed, probUnavailable,
	probNotReady, probStoreUnavailable, probSwitchover, probFailback, probTraceFailed, probNotImplemented,
	probUnknownWebhook, probWebhookExists, probWebhookReadOnly, probWebhookStore,
	probInternal,
}

// resultProblem is the problem type of a request that failed with a LINEERR_* result. A
// result says what went wrong, so it picks the type, and the type the HTTP status.
func resultProblem(r tapi.LineErr) ProblemType {
	switch r {
	case tapi.LINEERR_INVALCALLHANDLE, tapi.LINEERR_INVALCONSULTCALLHANDLE, tapi.LINEERR_INVALCONFCALLHANDLE:
		return probUnknownCall
	case tapi.LINEERR_BADDEVICEID, tapi.LINEERR_INVALLINEHANDLE:
		return probUnknownLine
	case tapi.LINEERR_INVALCALLSTATE, tapi.LINEERR_INVALAGENTSTATE:
		return probCallState
	case tapi.LINEERR_INUSE:
		return probLineInUse
	case tapi.LINEERR_INVALADDRESS:
		return probBadNumber
	case tapi.LINEERR_INVALPARAM, tapi.LINEERR_INVALDIGITS, tapi.LINEERR_INVALAGENTGROUP, tapi.LINEERR_INVALAGENTID:
		return probBadValue
	case tapi.LINEERR_RESOURCEUNAVAIL:
		return probUnavailable
	case tapi.LINEERR_OPERATIONUNAVAIL:
		return probUnsupported
	}
	return probPBXFailed
}

// upgradeProblem is the problem type of a failed WebSocket upgrade, by the status the
// WebSocket library chose.
func upgradeProblem(status int) ProblemType {
	switch status {
	case http.StatusMethodNotAllowed:
		return probMethod
	case http.StatusForbidden:
		return probOrigin
	case http.StatusBadRequest:
		return probUpgrade
	}
	return probInternal
}

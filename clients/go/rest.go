package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// REST is a small client of the bridge's REST API (/api/v1) for one-shot requests and for
// what has no WebSocket form: link status and switchover.
type REST struct {
	base  string
	token string
	hc    *http.Client
}

// NewREST returns a REST client for a bridge URL (any of the forms Config.URLs takes). hc nil
// means a client with a 30s timeout.
func NewREST(bridgeURL, token string, hc *http.Client) (*REST, error) {
	base, err := HTTPURL(bridgeURL)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &REST{base: base, token: token, hc: hc}, nil
}

// APIError is a problem document (RFC 9457) the bridge answered with.
type APIError struct {
	Status int          `json:"status"`
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Field  string       `json:"field"`
	Result tapi.LineErr `json:"result"`
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.Status, e.Title)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Result != 0 {
		s += " (" + e.Result.String() + ")"
	}
	return s
}

// LineView is a line as GET /api/v1/lines returns it: the line, a one-word status and its
// calls (numbers in E.164).
type LineView struct {
	tapi.Line
	Status  string      `json:"status"`
	Control bool        `json:"control"`
	Calls   []tapi.Call `json:"calls"`
}

// LinkInfo is one PBX link as GET /api/v1/links returns it.
type LinkInfo struct {
	PBX       string     `json:"pbx"`
	Owner     string     `json:"owner"`
	OwnedHere bool       `json:"ownedHere"`
	Active    string     `json:"active"`
	Nodes     []NodeInfo `json:"nodes"`
	Failback  string     `json:"failback"`
	Resync    string     `json:"resync"`
}

// NodeInfo is one node of a PBX link.
type NodeInfo struct {
	Role      string    `json:"role"`
	Address   string    `json:"address"`
	Status    string    `json:"status"`
	Since     time.Time `json:"since"`
	LastError string    `json:"lastError,omitempty"`
}

// Lines returns the lines the token may see.
func (r *REST) Lines(ctx context.Context) ([]LineView, error) {
	var out struct {
		Lines []LineView `json:"lines"`
	}
	return out.Lines, r.do(ctx, http.MethodGet, "/api/v1/lines", nil, &out)
}

// Line returns one line.
func (r *REST) Line(ctx context.Context, line string) (LineView, error) {
	var out LineView
	p, err := linePath(line)
	if err != nil {
		return out, err
	}
	return out, r.do(ctx, http.MethodGet, p, nil, &out)
}

// Calls returns the calls on lines the token may see, oldest first.
func (r *REST) Calls(ctx context.Context) ([]tapi.Call, error) {
	var out struct {
		Calls []tapi.Call `json:"calls"`
	}
	return out.Calls, r.do(ctx, http.MethodGet, "/api/v1/calls", nil, &out)
}

// Links returns the PBX links and their nodes.
func (r *REST) Links(ctx context.Context) ([]LinkInfo, error) {
	var out struct {
		Links []LinkInfo `json:"links"`
	}
	return out.Links, r.do(ctx, http.MethodGet, "/api/v1/links", nil, &out)
}

// Switchover makes a PBX's link move to its other node (admin tokens only).
func (r *REST) Switchover(ctx context.Context, pbx, reason string) error {
	return r.do(ctx, http.MethodPost, "/api/v1/links/"+url.PathEscape(pbx)+"/switchover",
		map[string]string{"reason": reason}, nil)
}

// AgentView is one line's agent state in one ACD group (GET /api/v1/agents).
type AgentView struct {
	Line        string `json:"line"`
	DisplayName string `json:"displayName,omitempty"`
	tapi.AgentStatus
}

// GroupView is a monitored ACD or hunt group's queue figures (GET /api/v1/groups/{pbx}/{ext}).
type GroupView struct {
	Line  string           `json:"line"` // the group's line, "pbx/number"
	PBX   string           `json:"pbx"`
	Group string           `json:"group"`
	Queue tapi.QueueStatus `json:"queue"`
}

// AgentRequest is the body of SetAgentState: State one of wire.AgentStates ("loggedOn",
// "loggedOff", "ready", "notReady", "workingAfterCall"), Group "" for every group of the
// line, ReasonCode with notReady or loggedOff, AgentID with loggedOn.
type AgentRequest struct {
	State      string `json:"agentState"`
	Group      string `json:"group,omitempty"`
	ReasonCode string `json:"reasonCode,omitempty"`
	AgentID    string `json:"agentId,omitempty"`
}

// Agents returns the agent states of the lines the token may see, by line then group.
func (r *REST) Agents(ctx context.Context) ([]AgentView, error) {
	var out struct {
		Agents []AgentView `json:"agents"`
	}
	return out.Agents, r.do(ctx, http.MethodGet, "/api/v1/agents", nil, &out)
}

// Group returns a monitored group's queue figures; groupLine is "pbx/number".
func (r *REST) Group(ctx context.Context, groupLine string) (GroupView, error) {
	var out GroupView
	p, err := linePath(groupLine)
	if err != nil {
		return out, err
	}
	return out, r.do(ctx, http.MethodGet, "/api/v1/groups"+strings.TrimPrefix(p, "/api/v1/lines"), nil, &out)
}

// SetAgentState asks the PBX for an agent state at a line the token controls (or, for a
// supervisor, at an agent of a group it sees, naming the group).
func (r *REST) SetAgentState(ctx context.Context, line string, req AgentRequest) error {
	p, err := linePath(line)
	if err != nil {
		return err
	}
	return r.do(ctx, http.MethodPut, p+"/agent", req, nil)
}

func linePath(line string) (string, error) {
	pbx, ext, ok := tapi.SplitLine(line)
	if !ok || strings.Contains(ext, "/") {
		return "", fmt.Errorf("line %q is not \"pbx/extension\"", line)
	}
	return "/api/v1/lines/" + url.PathEscape(pbx) + "/" + url.PathEscape(ext), nil
}

func (r *REST) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, r.base+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, r.base+path, err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
		if json.Unmarshal(data, e) != nil || e.Status == 0 {
			e.Status, e.Detail = resp.StatusCode, strings.TrimSpace(string(data))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: answer is not the expected JSON: %w", method, r.base+path, err)
	}
	return nil
}

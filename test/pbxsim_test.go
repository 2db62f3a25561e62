package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// simProc is cmd/pbxsim as a process: a duplex pair of CSTA nodes and its HTTP control API.
type simProc struct {
	*proc
	primary, standby string // CSTA node addresses
	control          string // base URL of the control API
	http             *http.Client
}

var simBanner = regexp.MustCompile(`(?s)primary CSTA node: (\S+)\nstandby CSTA node: (\S+)\ncontrol API:\s+http://(\S+)`)

func startSim(t testing.TB, ctx context.Context, dialect, profile, extensions string) *simProc {
	t.Helper()
	p := startProc(t, "pbxsim", pbxsimBin, "-extensions", extensions, "-dialect", dialect, "-profile", profile,
		"-primary", "127.0.0.1:0", "-standby", "127.0.0.1:0", "-control", "127.0.0.1:0",
		// Calls must stay as the test left them until it compares them with the truth.
		"-noanswer", "1h")
	m, err := p.waitOutput(ctx, simBanner)
	if err != nil {
		t.Fatal(err)
	}
	return &simProc{proc: p, primary: m[1], standby: m[2], control: "http://" + m[3],
		http: &http.Client{Timeout: 10 * time.Second}}
}

// controlError is a refused or failed control request.
type controlError struct {
	Path   string
	Status int
	Msg    string
}

func (e *controlError) Error() string {
	return fmt.Sprintf("pbxsim %s: %d %s", e.Path, e.Status, e.Msg)
}

// post sends a control request; out, if not nil, receives the JSON answer.
func (s *simProc) post(ctx context.Context, path string, body, out any) error {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.control+path, rd)
	if err != nil {
		return err
	}
	return s.do(req, path, out)
}

func (s *simProc) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.control+path, nil)
	if err != nil {
		return err
	}
	return s.do(req, path, out)
}

func (s *simProc) do(req *http.Request, path string, out any) error {
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &controlError{Path: path, Status: resp.StatusCode, Msg: e.Error}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (s *simProc) truth(ctx context.Context) (pbxsim.Truth, error) {
	var tr pbxsim.Truth
	err := s.get(ctx, "/truth", &tr)
	return tr, err
}

// fault applies a node fault: kill, restart, freeze (with {"on": bool}) ...
func (s *simProc) fault(ctx context.Context, node, fault string, body any) error {
	return s.post(ctx, "/nodes/"+node+"/"+fault, body, nil)
}

// action runs a device action and returns the call ID it reports, if any.
func (s *simProc) action(ctx context.Context, dev, action string, body any) (string, error) {
	var out struct {
		CallID string `json:"callID"`
	}
	err := s.post(ctx, "/devices/"+dev+"/"+action, body, &out)
	return out.CallID, err
}

func (s *simProc) incoming(ctx context.Context, from, to string) (string, error) {
	var out struct {
		CallID string `json:"callID"`
	}
	err := s.post(ctx, "/incoming", map[string]string{"from": from, "to": to}, &out)
	return out.CallID, err
}

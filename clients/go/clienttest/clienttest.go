// Package clienttest runs ctibridge and pbxsim as processes for tests of programs built on
// the SDK: the real binaries, on free loopback ports, stopped when the test ends. It drives
// the simulator through its HTTP control API only.
package clienttest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// Demo tokens of the bridge's embedded default.
const (
	AliceToken = "alice-demo-token" // user, line demo/201
	SamToken   = "sam-demo-token"   // supervisor
	AdminToken = "admin-demo-token" // admin
)

// startTimeout bounds how long a process may take to come up.
const startTimeout = 60 * time.Second

var bin struct {
	bridge, pbxsim string
}

// Main builds the ctibridge and pbxsim binaries (testkit.Binary: once for all packages of the
// run) and runs the tests. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	if bin.bridge, err = testkit.Binary("./cmd/ctibridge"); err == nil {
		bin.pbxsim, err = testkit.Binary("./cmd/pbxsim")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clienttest:", err)
		return 1
	}
	defer examples.tb.cleanup()
	return m.Run()
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return testkit.FreeAddr(t)
}

// TokenSHA256 is the hex SHA-256 of a token, as users[].token_sha256 wants it.
func TokenSHA256(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// WriteFile writes content into the test's temp dir and returns the path.
func WriteFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Process is a started binary whose stdout lines can be awaited.
type Process struct {
	t    testing.TB
	cmd  *exec.Cmd
	log  *testkit.Buffer
	exit chan struct{}
	once sync.Once
}

// start runs path with args and returns the process and the stdout lines matched by the
// patterns, in order, waiting for each.
func start(t testing.TB, path string, args []string, patterns ...*regexp.Regexp) (*Process, [][]string) {
	t.Helper()
	cmd := exec.Command(path, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{t: t, cmd: cmd, log: &testkit.Buffer{}, exit: make(chan struct{})}
	cmd.Stderr = p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(p.Stop)
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			_, _ = p.log.Write([]byte(sc.Text() + "\n"))
			select {
			case lines <- sc.Text():
			default: // nobody waits any more; the log keeps it
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(p.exit) }()
	var found [][]string
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	for _, re := range patterns {
		for m := []string(nil); m == nil; {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("%s exited before printing %q; output:\n%s", filepath.Base(path), re, p.log)
				}
				m = re.FindStringSubmatch(l)
			case <-deadline.C:
				t.Fatalf("%s did not print %q in time; output:\n%s", filepath.Base(path), re, p.log)
			}
			if m != nil {
				found = append(found, m)
			}
		}
	}
	return p, found
}

// Kill ends the process with SIGKILL (a crash) and waits for it.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exit
}

// Stop ends the process with SIGTERM (SIGKILL after 10s) and waits for it; on a failed test
// it logs the output.
func (p *Process) Stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exit:
		case <-time.After(10 * time.Second):
			p.Kill()
		}
		if p.t.Failed() {
			out := p.log.String()
			if len(out) > 8000 {
				out = "..." + out[len(out)-8000:]
			}
			p.t.Logf("%s output:\n%s", filepath.Base(p.cmd.Path), out)
		}
	})
}

// Bridge is a running ctibridge.
type Bridge struct {
	*Process
	URL     string   // http://127.0.0.1:PORT
	WSURL   string   // ws://127.0.0.1:PORT/ws
	Control *Control // the embedded simulator, nil when the configuration has none
}

var (
	listenRE  = regexp.MustCompile(`listening on (https?)://(\S+?)/`)
	controlRE = regexp.MustCompile(`control API http://(\S+?)/`)
)

// StartBridge runs ctibridge's embedded default (simulator, memory store, demo users) with
// args added (e.g. "-traffic", "0") on a free port and waits until it is ready.
func StartBridge(t testing.TB, args ...string) *Bridge {
	t.Helper()
	return StartBridgeWith(t, BridgeOptions{Args: args, Simulator: true})
}

// BridgeOptions says how to run a bridge.
type BridgeOptions struct {
	Config    string   // YAML configuration; empty runs the embedded default
	Simulator bool     // the configuration starts the built-in simulator (its control API is used)
	Args      []string // more flags
}

// StartBridgeWith runs ctibridge as o says on a free port and waits until it is ready.
func StartBridgeWith(t testing.TB, o BridgeOptions) *Bridge {
	t.Helper()
	addr := FreeAddr(t)
	args := []string{"-listen", addr}
	if o.Config != "" {
		args = append(args, "-config", WriteFile(t, "ctibridge.yaml", o.Config))
	}
	pats := []*regexp.Regexp{listenRE}
	if o.Simulator {
		pats = append(pats, controlRE)
	}
	p, m := start(t, bin.bridge, append(args, o.Args...), pats...)
	b := &Bridge{Process: p, URL: "http://" + addr, WSURL: "ws://" + addr + "/ws"}
	if o.Simulator {
		b.Control = &Control{URL: "http://" + m[1][1]}
	}
	WaitReady(t, b.URL)
	if o.Simulator {
		WaitInService(t, b.URL)
	}
	return b
}

// WaitInService waits until every line the admin sees is in service: the PBX link is up
// and its first resync done. Before that a client is told the lines are out of service and
// then gets LINEDEVSTATE_INSERVICE, which tests of exact event sequences do not expect.
func WaitInService(t testing.TB, base string) {
	t.Helper()
	if err := AwaitInService(base, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// AwaitInService is WaitInService for callers without a test (a TestMain).
func AwaitInService(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !linesInService(base) {
		if time.Now().After(deadline) {
			return fmt.Errorf("lines of bridge %s not in service after %v", base, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func linesInService(base string) bool {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/lines", nil)
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct {
		Lines []struct {
			InService bool `json:"inService"`
		} `json:"lines"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil || len(body.Lines) == 0 {
		return false
	}
	for _, l := range body.Lines {
		if !l.InService {
			return false
		}
	}
	return true
}

// WaitReady waits until GET /readyz answers 200.
func WaitReady(t testing.TB, base string) {
	t.Helper()
	Eventually(t, "bridge "+base+" ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// PBXSim is a running pbxsim.
type PBXSim struct {
	*Process
	Primary, Standby string
	Control          *Control
}

// StartPBXSim runs pbxsim with the generic dialect on free ports; args are added.
func StartPBXSim(t testing.TB, args ...string) *PBXSim {
	t.Helper()
	all := append([]string{"-dialect", "generic", "-primary", "127.0.0.1:0", "-standby", "127.0.0.1:0",
		"-control", "127.0.0.1:0"}, args...)
	p, m := start(t, bin.pbxsim, all,
		regexp.MustCompile(`primary CSTA node: (\S+)`),
		regexp.MustCompile(`standby CSTA node: (\S+)`),
		regexp.MustCompile(`control API: +http://(\S+)`))
	return &PBXSim{Process: p, Primary: m[0][1], Standby: m[1][1], Control: &Control{URL: "http://" + m[2][1]}}
}

// Eventually waits until f holds, failing the test after testkit.WaitTimeout; f runs on
// another goroutine (see testkit.Eventually).
func Eventually(t testing.TB, what string, f func() bool) {
	t.Helper()
	testkit.Eventually(t, what, f)
}

// Control drives a simulator through its HTTP control API.
type Control struct {
	URL string
}

// Incoming rings an external call from from into extension to; it returns the PBX call ID.
func (c *Control) Incoming(ctx context.Context, from, to string) (string, error) {
	var out struct {
		CallID string `json:"callID"`
	}
	err := c.post(ctx, "/incoming", map[string]any{"from": from, "to": to}, &out)
	return out.CallID, err
}

// Device runs an action on a device: offhook, dial {"to"}, answer, hangup, hold, retrieve...
func (c *Control) Device(ctx context.Context, number, action string, body map[string]any) error {
	return c.post(ctx, "/devices/"+number+"/"+action, body, nil)
}

func (c *Control) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if body == nil {
		b = nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("simulator %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// DemoConfig is a bridge configuration for PBX "demo" on the given nodes (or the built-in
// simulator when primary is empty), with the demo users; extra is appended verbatim.
func DemoConfig(primary, standby, extra string) string {
	var b strings.Builder
	b.WriteString("pbxs:\n  - name: demo\n    dialect: generic\n    heartbeat: 200ms\n    failback: manual\n    devices: [\"200-219\"]\n    numbering: {country: \"49\", area: \"30\", outside_prefix: \"0\", extension_digits: 3}\n")
	if primary != "" {
		fmt.Fprintf(&b, "    primary: %q\n    standby: %q\n", primary, standby)
	} else {
		b.WriteString("simulator:\n  enabled: true\n  extensions: \"200-219\"\n  control_addr: \"127.0.0.1:0\"\n")
	}
	b.WriteString("users:\n")
	for _, u := range []struct{ name, token, role, lines string }{
		{"alice", AliceToken, "user", `["demo/201"]`},
		{"sam", SamToken, "supervisor", `["demo/202", "demo/203"]`},
		{"admin", AdminToken, "admin", `[]`},
	} {
		fmt.Fprintf(&b, "  - name: %s\n    token_sha256: %s\n    role: %s\n    lines: %s\n", u.name, TokenSHA256(u.token), u.role, u.lines)
	}
	b.WriteString(extra)
	return b.String()
}

// ACDConfig is DemoConfig with the PBX monitoring ACD group 600 (pbxs[].groups), for a
// pbxsim started as StartACD does.
func ACDConfig(primary, standby, extra string) string {
	const devices = "    devices: [\"200-219\"]\n"
	return strings.Replace(DemoConfig(primary, standby, extra), devices, devices+"    groups: [\"600\"]\n", 1)
}

// StartACD runs pbxsim with ACD group 600 (agent positions 201-203, no wrap-up) and a bridge
// on it that monitors the group, and waits until its lines are in service.
func StartACD(t testing.TB, simArgs ...string) (*PBXSim, *Bridge) {
	t.Helper()
	sim := StartPBXSim(t, append([]string{"-acd", "600=201,202,203"}, simArgs...)...)
	b := StartBridgeWith(t, BridgeOptions{Config: ACDConfig(sim.Primary, sim.Standby, "")})
	WaitInService(t, b.URL)
	return sim, b
}

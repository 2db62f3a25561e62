//go:build linux

package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// proc is a bridge or pbxsim process whose output lines can be awaited.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	line chan string
	done chan struct{}
}

// startProc runs one of the built binaries; the test's cleanup kills it.
func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(env.bins[name], args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, line: make(chan string, 100), done: make(chan struct{})}
	cmd.Stderr = procWriter{p}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			_, _ = procWriter{p}.Write([]byte(sc.Text() + "\n"))
			select {
			case p.line <- sc.Text():
			default: // nobody waits: the log keeps it
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.mu.Lock()
			s := p.out.String()
			p.mu.Unlock()
			if len(s) > 4000 {
				s = "..." + s[len(s)-4000:]
			}
			t.Logf("%s output (tail):\n%s", name, s)
		}
	})
	return p
}

type procWriter struct{ p *proc }

func (w procWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// waitLine returns the first submatch of the first stdout line matching re.
func (p *proc) waitLine(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(waitTimeout)
	for {
		select {
		case l := <-p.line:
			if m := rx.FindStringSubmatch(l); m != nil {
				return m[len(m)-1]
			}
		case <-p.done:
			t.Fatalf("%s exited before printing %q", p.cmd.Path, re)
		case <-deadline:
			t.Fatalf("%s printed no line matching %q within %v", p.cmd.Path, re, waitTimeout)
		}
	}
}

// kill ends the process as a crash would.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// bridge is a running ctibridge.
type bridge struct {
	*proc
	addr    string // host:port
	ws      string // WebSocket URL
	control string // the embedded simulator's control API, if any
}

// startBridge runs ctibridge's embedded default (simulator, memory store, demo users) on a
// free port, with alice's line in service.
func startBridge(t *testing.T) *bridge {
	t.Helper()
	addr := testkit.FreeAddr(t)
	p := startProc(t, "ctibridge", "-listen", addr, "-traffic", "0", "-log-level", "warn")
	b := &bridge{proc: p, addr: addr, ws: "ws://" + addr + "/ws"}
	b.control = p.waitLine(t, `control API (http://[0-9.:]+)`)
	if err := clienttest.AwaitInService("http://"+addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return b
}

// sim sends a request to a simulator's control API.
func sim(t *testing.T, base, path string, body any) {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("simulator %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("simulator %s: %s %s", path, resp.Status, b)
	}
}

// sessions counts the WebSocket sessions of user at the bridge (admin API).
func sessions(t *testing.T, addr, user string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/clients", nil)
	req.Header.Set("Authorization", "Bearer "+clienttest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/clients: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Clients []struct {
			User string `json:"user"`
		} `json:"clients"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /api/v1/clients: %v", err)
	}
	n := 0
	for _, c := range body.Clients {
		if c.User == user {
			n++
		}
	}
	return n
}

// eventually waits until f holds, failing after waitTimeout (f runs on another goroutine).
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	testkit.EventuallyWithin(t, waitTimeout, what, f)
}

package tspcore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// The scenario tests run the real bridge (cmd/ctibridge, embedded simulator) and, for
// failover, cmd/pbxsim with two bridges on a real Redis, as processes on free ports.

var (
	bins   = map[string]string{} // the paths of ctibridge and pbxsim
	shared *bridge               // the bridge of the scenario tests (failover tests start their own)
)

func TestMain(m *testing.M) {
	code := func() int {
		for _, name := range []string{"ctibridge", "pbxsim"} {
			var err error
			if d := os.Getenv("TSPCORE_BIN_DIR"); d != "" {
				// Prebuilt binaries (e.g. from a clean checkout while the tree is mid-edit).
				bins[name] = filepath.Join(d, name)
			} else if bins[name], err = testkit.Binary("./cmd/" + name); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		b, stop, err := launchBridge()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
		shared = b
		return m.Run()
	}()
	os.Exit(code)
}

// proc is a child process whose stdout lines the test can wait for.
type proc struct {
	cmd  *exec.Cmd
	out  testkit.Buffer // stderr, the newest 4000 bytes
	line chan string
	done chan struct{}
}

func launch(name string, args ...string) (*proc, error) {
	cmd := exec.Command(bins[name], args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, out: testkit.Buffer{Keep: 4000}, line: make(chan string, 100), done: make(chan struct{})}
	cmd.Stderr = &p.out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.line <- sc.Text():
			default:
			}
		}
		_ = cmd.Wait()
	}()
	return p, nil
}

func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p, err := launch(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s stderr (tail):\n%s", name, p.tail())
		}
	})
	return p
}

func (p *proc) tail() string { return p.out.String() }

// waitLine returns the first submatch of the first stdout line matching re.
func (p *proc) waitLine(re string) (string, error) {
	rx := regexp.MustCompile(re)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-p.line:
			if m := rx.FindStringSubmatch(l); m != nil {
				if len(m) > 1 {
					return m[1], nil
				}
				return l, nil
			}
		case <-p.done:
			return "", fmt.Errorf("%s exited before printing %q:\n%s", p.cmd.Path, re, p.tail())
		case <-timeout:
			return "", fmt.Errorf("%s printed no line matching %q within 30s", p.cmd.Path, re)
		}
	}
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// bridge is a running ctibridge with the embedded simulator.
type bridge struct {
	url     string // WebSocket URL
	control string // simulator control API base URL
}

// launchBridge starts ctibridge with its embedded default (simulator, memory store, demo
// tokens) on a free port, without generated traffic.
func launchBridge() (*bridge, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := launch("ctibridge", "-listen", addr, "-traffic", "0", "-log-level", "warn")
	if err != nil {
		return nil, nil, err
	}
	ctl, err := p.waitLine(`control API (http://[0-9.:]+)`)
	if err != nil {
		p.kill()
		return nil, nil, err
	}
	// The scenarios expect exact event sequences: start them once alice's line is in
	// service, not while the bridge still brings the PBX link up (a line opened then gets
	// LINEDEVSTATE_INSERVICE first).
	if err := clienttest.AwaitInService("http://"+addr, 30*time.Second); err != nil {
		p.kill()
		return nil, nil, err
	}
	return &bridge{url: "ws://" + addr + "/ws", control: ctl}, p.kill, nil
}

// sim sends a control API request to the simulator.
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

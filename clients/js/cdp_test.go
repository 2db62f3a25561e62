package js

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// chromiumPath is the browser the tests drive.
const chromiumPath = "/usr/bin/chromium"

// chrome is a headless Chromium driven over the DevTools protocol.
type chrome struct {
	base string // http://127.0.0.1:PORT of the DevTools endpoint
}

func startChrome(t *testing.T) *chrome {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not available (%v): apt-get install chromium", chromiumPath, err)
	}
	// Not t.TempDir: its removal would fail the test if it raced a helper process; the
	// cleanup kills the browser's process group first (see below).
	profile, err := os.MkdirTemp("", "ctibridge-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group, killed whole
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(profile)
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// The whole process group: the helpers that write the profile end with the browser.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		_ = os.RemoveAll(profile)
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`DevTools listening on ws://([^/]+)/`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr := <-found:
		return &chrome{base: "http://" + addr}
	case <-exited:
		t.Fatal("chromium exited before its DevTools endpoint came up")
	case <-time.After(30 * time.Second):
		t.Fatal("chromium printed no DevTools address")
	}
	return nil
}

// page is one tab, driven through its DevTools websocket.
type page struct {
	t    *testing.T
	ws   *websocket.Conn
	wmu  sync.Mutex
	mu   sync.Mutex
	next int
	wait map[int]chan cdpReply
	logs []string
	done chan struct{}
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// open opens a tab on u.
func (c *chrome) open(t *testing.T, u string) *page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, c.base+"/json/new?"+url.QueryEscape(u), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var target struct {
		WS string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&target); err != nil || target.WS == "" {
		t.Fatalf("open tab: %v (%s)", err, resp.Status)
	}
	ws, _, err := websocket.DefaultDialer.Dial(target.WS, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ws: ws, wait: map[int]chan cdpReply{}, done: make(chan struct{})}
	go p.read()
	t.Cleanup(func() {
		_ = ws.Close()
		<-p.done
		if t.Failed() {
			t.Logf("browser console of %s:\n%s", u, p.console())
		}
	})
	p.call("Runtime.enable", nil)
	return p
}

func (p *page) read() {
	defer close(p.done)
	for {
		var m struct {
			ID     int             `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			cdpReply
		}
		if err := p.ws.ReadJSON(&m); err != nil {
			p.mu.Lock()
			for id, ch := range p.wait {
				ch <- cdpReply{Error: &struct {
					Message string `json:"message"`
				}{"devtools connection closed: " + err.Error()}}
				delete(p.wait, id)
			}
			p.mu.Unlock()
			return
		}
		if m.Method == "Runtime.consoleAPICalled" || m.Method == "Runtime.exceptionThrown" {
			p.mu.Lock()
			p.logs = append(p.logs, string(m.Params))
			p.mu.Unlock()
			continue
		}
		p.mu.Lock()
		ch := p.wait[m.ID]
		delete(p.wait, m.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

func (p *page) console() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := ""
	for _, l := range p.logs {
		s += l + "\n"
	}
	return s
}

func (p *page) call(method string, params any) json.RawMessage {
	p.t.Helper()
	p.mu.Lock()
	p.next++
	id := p.next
	ch := make(chan cdpReply, 1)
	p.wait[id] = ch
	p.mu.Unlock()
	p.wmu.Lock()
	err := p.ws.WriteJSON(map[string]any{"id": id, "method": method, "params": params})
	p.wmu.Unlock()
	if err != nil {
		p.t.Fatal(err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			p.t.Fatalf("%s: %s", method, r.Error.Message)
		}
		return r.Result
	case <-time.After(60 * time.Second):
		p.t.Fatalf("%s: no answer", method)
	}
	return nil
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its JSON value
// into out; it returns the exception text when the expression threw.
func (p *page) eval(expr string, out any) error {
	p.t.Helper()
	raw := p.call("Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		p.t.Fatal(err)
	}
	if r.Exception != nil {
		return fmt.Errorf("%s %s", r.Exception.Text, r.Exception.Exception.Description)
	}
	if out != nil && len(r.Result.Value) > 0 {
		return json.Unmarshal(r.Result.Value, out)
	}
	return nil
}

// must evaluates expr and fails the test on an exception.
func (p *page) must(expr string, out any) {
	p.t.Helper()
	if err := p.eval(expr, out); err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
}

// until polls a boolean expression.
func (p *page) until(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var ok bool
		if err := p.eval(expr, &ok); err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("timed out waiting for %s (%s)", what, expr)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

package testkit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// callTimeout bounds one DevTools command; Chromium on a loaded machine can take seconds.
const callTimeout = 60 * time.Second

// FindChromium returns the browser binary: $CHROMIUM, else the first of the usual names on
// PATH; "" when there is none.
func FindChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Browser is a headless Chromium driven over the Chrome DevTools protocol: one WebSocket to
// the browser, pages attached to it as flat sessions.
type Browser struct {
	t  testing.TB
	ws *websocket.Conn

	wmu     sync.Mutex // orders writes to ws
	mu      sync.Mutex // guards the fields below
	next    int
	waiters map[int]chan reply
	pages   map[string]*Page // by session ID, for their console events
	done    chan struct{}    // closed when the read loop ends
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// StartBrowser starts headless Chromium (FindChromium) in its own process group with a fresh
// profile, and skips the test when there is no browser. The test's cleanup kills the whole
// group (the helpers that write the profile end with it) and then removes the profile.
func StartBrowser(t testing.TB) *Browser {
	t.Helper()
	bin := FindChromium()
	if bin == "" {
		t.Skip("chromium not found: run `make deps` (Debian packages chromium, chromium-driver) or set CHROMIUM")
	}
	// Not t.TempDir: its removal fails the test when it races a helper process still writing.
	profile, err := os.MkdirTemp("", "ctibridge-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	ownProcessGroup(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(profile)
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		killProcessGroup(cmd)
		<-exited
		_ = os.RemoveAll(profile)
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`DevTools listening on (ws://\S+)`)
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
	var url string
	select {
	case url = <-found:
	case <-exited:
		t.Fatal("chromium exited before its DevTools endpoint came up")
	case <-time.After(callTimeout):
		t.Fatal("chromium did not print its DevTools address")
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t, ws: ws, waiters: map[int]chan reply{}, pages: map[string]*Page{}, done: make(chan struct{})}
	go b.read()
	t.Cleanup(func() { _ = ws.Close(); <-b.done })
	return b
}

// read hands replies to their callers and console messages to their pages until the
// connection ends; then it fails the calls still waiting.
func (b *Browser) read() {
	defer close(b.done)
	for {
		var m struct {
			ID        int             `json:"id"`
			Method    string          `json:"method"`
			Params    json.RawMessage `json:"params"`
			SessionID string          `json:"sessionId"`
			reply
		}
		if err := b.ws.ReadJSON(&m); err != nil {
			b.mu.Lock()
			for id, ch := range b.waiters {
				ch <- reply{Error: &struct {
					Message string `json:"message"`
				}{"devtools connection closed: " + err.Error()}}
				delete(b.waiters, id)
			}
			b.mu.Unlock()
			return
		}
		b.mu.Lock()
		if m.Method == "Runtime.consoleAPICalled" || m.Method == "Runtime.exceptionThrown" {
			if p := b.pages[m.SessionID]; p != nil {
				p.logs = append(p.logs, string(m.Params))
			}
		}
		ch := b.waiters[m.ID]
		delete(b.waiters, m.ID)
		b.mu.Unlock()
		if ch != nil && m.Method == "" {
			ch <- m.reply
		}
	}
}

// send sends a command to session ("": the browser itself) and waits for its answer.
func (b *Browser) send(session, method string, params any) (json.RawMessage, error) {
	if params == nil {
		params = map[string]any{}
	}
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan reply, 1)
	b.waiters[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b.wmu.Lock()
	err := b.ws.WriteJSON(msg)
	b.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		return r.Result, nil
	case <-time.After(callTimeout):
		return nil, fmt.Errorf("%s: no answer from chromium in %v", method, callTimeout)
	}
}

// Call sends a command to the browser itself (Browser.*, Target.*) and decodes its result
// into out (nil: ignored), failing the test on an error.
func (b *Browser) Call(method string, params, out any) {
	b.t.Helper()
	decode(b.t, method, out)(b.send("", method, params))
}

// decode returns a function that fails t on err and otherwise decodes raw into out.
func decode(t testing.TB, method string, out any) func(json.RawMessage, error) {
	return func(raw json.RawMessage, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s result %s: %v", method, raw, err)
			}
		}
	}
}

// Open opens a new tab on url and attaches to it; Runtime events are on, so that the page's
// console is kept and shown when the test fails.
func (b *Browser) Open(t testing.TB, url string) *Page {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.Call("Target.createTarget", map[string]any{"url": url}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.Call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	p := &Page{t: t, b: b, session: att.SessionID}
	b.mu.Lock()
	b.pages[p.session] = p
	b.mu.Unlock()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browser console of %s:\n%s", url, p.Console())
		}
	})
	p.Call("Runtime.enable", nil, nil)
	return p
}

// Console is what the page logged and threw so far, one JSON event a line.
func (p *Page) Console() string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

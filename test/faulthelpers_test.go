package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
)

// Helpers of the fault suite (faults_test.go): the bridge process's memory, its status as
// /readyz, /api/v1/links and /metrics tell it, its log, and a raw WebSocket client.

// rssBound is how much a bridge's resident memory may grow over one fault. Generous: the
// probes that found the leaks saw +70 MB for 3,000 stalled connections, and a healthy
// process's heap moves by a few MB.
const rssBound = 100 << 20

// rss returns the process's resident set size in bytes, from /proc/<pid>/status.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb << 10, err
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// memWatch holds the bridges' memory before a fault.
type memWatch map[*bridgeProc]int64

func watchMemory(t testing.TB, bs ...*bridgeProc) memWatch {
	t.Helper()
	m := memWatch{}
	for _, b := range bs {
		n, err := rss(b.pid())
		if err != nil {
			t.Fatalf("%s: %v", b.id, err)
		}
		m[b] = n
	}
	return m
}

// check asserts that every watched bridge still runs, answers /healthz, and grew by less
// than rssBound; it logs the figures.
func (m memWatch) check(ctx context.Context, t testing.TB, what string) {
	t.Helper()
	for b, before := range m {
		if b.exited() {
			t.Errorf("%s: %s exited", what, b.id)
			continue
		}
		if st, _, err := get(ctx, b.url+"/healthz", ""); err != nil || st != http.StatusOK {
			t.Errorf("%s: %s /healthz: %d %v", what, b.id, st, err)
		}
		after, err := rss(b.pid())
		if err != nil {
			t.Errorf("%s: %s: %v", what, b.id, err)
			continue
		}
		t.Logf("%s: %s RSS %.1f MB -> %.1f MB", what, b.id, mb(before), mb(after))
		if after-before > rssBound {
			t.Errorf("%s: %s RSS grew by %.1f MB (bound %.0f MB)", what, b.id, mb(after-before), mb(rssBound))
		}
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// statusClient bounds every status request: a bridge that cannot answer its status within
// this is itself a finding.
var statusClient = &http.Client{Timeout: 3 * time.Second}

// get fetches url with token (if any) and returns the status and body.
func get(ctx context.Context, url, token string) (int, []byte, error) {
	return do(ctx, http.MethodGet, url, token, nil)
}

func do(ctx context.Context, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := statusClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// readyz returns /readyz's status and body.
func (b *bridgeProc) readyz(ctx context.Context) (int, string) {
	st, body, err := get(ctx, b.url+"/readyz", "")
	if err != nil {
		return 0, err.Error()
	}
	return st, string(body)
}

// link returns the instance's view of the PBX link (GET /api/v1/links as admin).
func (b *bridgeProc) link(ctx context.Context) (cti.LinkInfo, error) {
	st, body, err := get(ctx, b.url+"/api/v1/links", adminToken)
	if err != nil {
		return cti.LinkInfo{}, err
	}
	if st != http.StatusOK {
		return cti.LinkInfo{}, fmt.Errorf("%s /api/v1/links: %d %s", b.id, st, body)
	}
	var out struct {
		Links []cti.LinkInfo `json:"links"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return cti.LinkInfo{}, err
	}
	for _, li := range out.Links {
		if li.PBX == pbxName {
			return li, nil
		}
	}
	return cti.LinkInfo{}, fmt.Errorf("%s /api/v1/links has no PBX %s", b.id, pbxName)
}

// serving reports whether b owns the link, is not degraded, has an active node up and
// answers /readyz 200: the link is served.
func (b *bridgeProc) serving(ctx context.Context) error {
	li, err := b.link(ctx)
	if err != nil {
		return err
	}
	if !li.OwnedHere || li.Degraded != "" || li.Active == "" {
		return fmt.Errorf("%s: owned here %v, degraded %q, active node %q", b.id, li.OwnedHere, li.Degraded, li.Active)
	}
	for _, n := range li.Nodes {
		if n.Role == li.Active && n.Status != "up" {
			return fmt.Errorf("%s: active node %s is %s", b.id, n.Role, n.Status)
		}
	}
	if st, body := b.readyz(ctx); st != http.StatusOK {
		return fmt.Errorf("%s /readyz: %d %s", b.id, st, body)
	}
	return nil
}

// waitServed waits until some bridge serves the link and returns it.
func (c *cluster) waitServed(within time.Duration) (*bridgeProc, time.Time) {
	c.t.Helper()
	var by *bridgeProc
	err := poll(c.ctx, within, func() error {
		var errs []string
		for _, b := range c.bridges {
			if b.exited() {
				continue
			}
			err := b.serving(c.ctx)
			if err == nil {
				by = b
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("no instance serves the link: %s", strings.Join(errs, "; "))
	})
	if err != nil {
		c.t.Fatalf("%v (waited %v)", err, within)
	}
	return by, time.Now()
}

// metric sums the samples of a metric family on b's /metrics.
func (b *bridgeProc) metric(ctx context.Context, name string) (float64, error) {
	st, body, err := get(ctx, b.url+"/metrics", "")
	if err != nil {
		return 0, err
	}
	if st != http.StatusOK {
		return 0, fmt.Errorf("%s /metrics: %d", b.id, st)
	}
	sum := 0.0
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q: %v", name, line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

// logLines counts the lines of b's log (stderr and stdout) that contain s.
func (b *bridgeProc) logLines(s string) int {
	n := 0
	for _, path := range []string{b.errf, b.out} {
		data, _ := os.ReadFile(path)
		n += bytes.Count(data, []byte(s))
	}
	return n
}

// wsProbe is a raw WebSocket session, for sending what the SDK would not.
type wsProbe struct {
	t    testing.TB
	conn *websocket.Conn
	id   int
}

// dialWS opens a session at b and says hello with token.
func dialWS(ctx context.Context, t testing.TB, b *bridgeProc, token string) *wsProbe {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	conn, resp, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(b.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatalf("%s /ws: %v", b.id, err)
	}
	resp.Body.Close()
	w := &wsProbe{t: t, conn: conn}
	t.Cleanup(func() { conn.Close() })
	w.send(map[string]any{"type": "hello", "v": 1, "token": token, "client": "e2e-acl-probe"})
	if m := w.next("welcome", "error"); m["type"] != "welcome" {
		t.Fatalf("%s hello: %v", b.id, m)
	}
	return w
}

func (w *wsProbe) send(v any) {
	w.t.Helper()
	_ = w.conn.SetWriteDeadline(time.Now().Add(3 * time.Second))
	if err := w.conn.WriteJSON(v); err != nil {
		w.t.Fatalf("ws write: %v", err)
	}
}

// next returns the next message of one of the types, skipping others (events, synced...).
func (w *wsProbe) next(types ...string) map[string]any {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = w.conn.SetReadDeadline(deadline)
		var m map[string]any
		if err := w.conn.ReadJSON(&m); err != nil {
			w.t.Fatalf("ws read (waiting for %v): %v", types, err)
		}
		for _, typ := range types {
			if m["type"] == typ {
				return m
			}
		}
	}
}

// command sends a command and returns its LINE_REPLY.
func (w *wsProbe) command(fields map[string]any) tapi.Reply {
	w.t.Helper()
	w.id++
	msg := map[string]any{"type": "command", "id": w.id}
	for k, v := range fields {
		msg[k] = v
	}
	w.send(msg)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = w.conn.SetReadDeadline(deadline)
		var m struct {
			Type  string     `json:"type"`
			Event tapi.Event `json:"event"`
		}
		if err := w.conn.ReadJSON(&m); err != nil {
			w.t.Fatalf("ws read (reply to %v): %v", fields, err)
		}
		if m.Type == "event" && m.Event.Type == tapi.LineReply && m.Event.Reply != nil && m.Event.Reply.RequestID == uint32(w.id) {
			return *m.Event.Reply
		}
	}
}

// logSummary returns b's warnings and errors logged since t, one line per distinct message
// and error with its count, for the figures of a fault.
func (b *bridgeProc) logSummary(since time.Time) string {
	data, _ := os.ReadFile(b.errf)
	counts := map[string]int{}
	var order []string
	for _, line := range bytes.Split(data, []byte("\n")) {
		var e struct {
			Level string    `json:"level"`
			Msg   string    `json:"msg"`
			Error string    `json:"error"`
			Time  time.Time `json:"time"`
		}
		if json.Unmarshal(line, &e) != nil || e.Time.Before(since.Truncate(time.Second)) || (e.Level != "warning" && e.Level != "error") {
			continue
		}
		k := e.Level + ": " + e.Msg
		if e.Error != "" {
			k += ": " + e.Error
		}
		if len(k) > 200 {
			k = k[:200] + "..."
		}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	var sb strings.Builder
	for _, k := range order {
		fmt.Fprintf(&sb, "\n  %4d x %s", counts[k], k)
	}
	return sb.String()
}

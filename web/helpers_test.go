package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// Demo tokens of the test users.
const (
	tokAlice = "alice-token" // user, hq/201
	tokBob   = "bob-token"   // user, hq/202
	tokSue   = "sue-token"   // supervisor, controls hq/203
	tokRoot  = "root-token"  // admin, controls hq/204
)

func hashHex(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func testUsers() []User {
	return []User{
		{Name: "alice", TokenSHA256: hashHex(tokAlice), Role: RoleUser, Lines: []string{"hq/201"}},
		{Name: "bob", TokenSHA256: hashHex(tokBob), Role: RoleUser, Lines: []string{"hq/202"}},
		{Name: "sue", TokenSHA256: hashHex(tokSue), Role: RoleSupervisor, Lines: []string{"hq/203"}},
		{Name: "root", TokenSHA256: hashHex(tokRoot), Role: RoleAdmin, Lines: []string{"hq/204"}},
	}
}

// env is the bridge in its default mode: duplex PBX simulator, memory store, engine, and the
// web server on a real listener.
type env struct {
	t       testing.TB
	sim     *pbxsim.PBX
	primary *pbxsim.Node
	standby *pbxsim.Node
	st      *memory.Store
	eng     *cti.Engine
	srv     *Server
	hs      *httptest.Server
	audit   *testkit.Buffer
}

type envOpts struct {
	web       func(*Config)
	store     memory.Options
	exts      []string
	heartbeat time.Duration
	traceFile string // the PBX's wire trace file (the trace starts off)
	// wrap, when set, stands between the web server and the engine (e.g. to record requests).
	wrap func(cti.Service) cti.Service
	// log, when set, receives the web server's log.
	log io.Writer
	// storeWrap, when set, stands between the engine and the memory store (e.g. to refuse
	// writes); engine adjusts the engine's configuration.
	storeWrap func(store.Store) store.Store
	engine    func(*cti.Config)
	// sim, when set, adjusts the simulator's configuration (e.g. ACD groups).
	sim func(*pbxsim.Config)
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	if len(o.exts) == 0 {
		o.exts = []string{"200-209"}
	}
	simCfg := pbxsim.Config{Extensions: o.exts, Dialect: "osv", User: "cti",
		Password: "secret", NoAnswerTime: time.Hour}
	if o.sim != nil {
		o.sim(&simCfg)
	}
	sim, err := pbxsim.New(simCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	pr, err := sim.StartNode(ctx, "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sim.StartNode(ctx, "standby", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st := memory.New(o.store)
	t.Cleanup(func() { st.Close() })
	hb := o.heartbeat
	if hb == 0 {
		hb = 100 * time.Millisecond
	}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	var engStore store.Store = st
	if o.storeWrap != nil {
		engStore = o.storeWrap(st)
	}
	engCfg := cti.Config{InstanceID: "test-1", Store: engStore, LeaseTTL: 2 * time.Second,
		Log: logrus.NewEntry(quiet),
		PBXs: []cti.PBXConfig{{Name: "hq", Dialect: "osv", Primary: pr.Addr(), Standby: sb.Addr(),
			User: "cti", Password: "secret", Heartbeat: hb, Misses: 3,
			ConnectTimeout: 500 * time.Millisecond, BackoffMin: 50 * time.Millisecond,
			BackoffMax: 200 * time.Millisecond, OutOfServiceGrace: 300 * time.Millisecond,
			ProbeInterval: 50 * time.Millisecond, FailbackAfter: time.Hour,
			Failback: cti.FailbackManual, Devices: o.exts,
			DisplayNames: map[string]string{"201": "Alice", "202": "Bob"},
			Trace:        cti.TraceConfig{File: o.traceFile}}}}
	if o.engine != nil {
		o.engine(&engCfg)
	}
	eng, err := cti.New(engCfg)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })

	audit := &testkit.Buffer{}
	cfg := Config{Users: testUsers(), AuditLog: audit, Logger: logrus.NewEntry(quiet),
		Numbering: map[string]Numbering{"hq": {Country: "49", Area: "30", OutsidePrefix: "0", ExtensionDigits: 3}}}
	if o.log != nil {
		l := logrus.New()
		l.SetOutput(o.log)
		l.SetFormatter(&logrus.JSONFormatter{})
		cfg.Logger = logrus.NewEntry(l)
	}
	if o.web != nil {
		o.web(&cfg)
	}
	var svc cti.Service = eng
	if o.wrap != nil {
		svc = o.wrap(eng)
	}
	srv, err := New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.CloseClientConnections()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	e := &env{t: t, sim: sim, primary: pr, standby: sb, st: st, eng: eng, srv: srv, hs: hs, audit: audit}
	e.waitReady()
	return e
}

// waitReady waits until every line is in service, the engine's resync has completed and
// the server is ready.
func (e *env) waitReady() {
	e.t.Helper()
	e.eventually(10*time.Second, "initial resync completed", func() bool {
		pos, err := e.st.Position(context.Background(), "hq")
		if err != nil {
			return false
		}
		es, err := e.st.Replay(context.Background(), "hq", pos.Epoch, 0, 0)
		if err != nil {
			return false
		}
		for _, en := range es {
			if en.Event.Type == tapi.BridgeResync && en.Event.Resync.Phase == "completed" {
				return true
			}
		}
		return false
	})
	e.eventually(10*time.Second, "bridge ready with all lines in service", func() bool {
		lines := e.eng.Lines("")
		if len(lines) == 0 {
			return false
		}
		for _, l := range lines {
			if !l.InService {
				return false
			}
		}
		resp, err := http.Get(e.hs.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// eventually waits until cond holds, failing after d (cond runs on another goroutine).
func (e *env) eventually(d time.Duration, what string, cond func() bool) {
	e.t.Helper()
	testkit.EventuallyWithin(e.t, d, what, cond)
}

// apiResp is a decoded REST answer.
type apiResp struct {
	status int
	ctype  string
	body   []byte
}

func (r apiResp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r apiResp) problem(t testing.TB) Problem {
	t.Helper()
	if r.ctype != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json (status %d, body %s)", r.ctype, r.status, r.body)
	}
	var p Problem
	r.decode(t, &p)
	if p.Status != r.status || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.status)
	}
	return p
}

func (e *env) do(method, path, token string, body any) apiResp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.hs.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResp{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: raw}
	checkCatalogued(e.t, r)
	checkAgainstOpenAPI(e.t, req, resp.StatusCode, resp.Header, raw)
	return r
}

// checkCatalogued holds every problem response a test receives to the catalogue: its type
// is an entry's, with that entry's title and status (issue 16: `request-failed` came with
// "Not Found").
func checkCatalogued(t testing.TB, r apiResp) {
	t.Helper()
	if r.ctype != "application/problem+json" {
		return
	}
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	for _, pt := range ProblemTypes {
		if p.Type == pt.URI() {
			if p.Title != pt.Title || p.Status != pt.Status || r.status != pt.Status {
				t.Fatalf("problem %s (HTTP %d): title %q status %d, the catalogue says %q %d", p.Type, r.status, p.Title, p.Status, pt.Title, pt.Status)
			}
			return
		}
	}
	t.Fatalf("problem type %q (HTTP %d, %s) is not in the catalogue", p.Type, r.status, r.body)
}

// wsClient is a test WebSocket client.
type wsClient struct {
	t  testing.TB
	c  *websocket.Conn
	ch chan inMsg
	// closeErr is set when the reader ends.
	mu       sync.Mutex
	closeErr error
	done     chan struct{}
}

// inMsg is any server message, decoded loosely.
type inMsg struct {
	Type     string          `json:"type"`
	V        int             `json:"v"`
	PBX      string          `json:"pbx"`
	Epoch    string          `json:"epoch"`
	Offset   uint64          `json:"offset"`
	Event    *tapi.Event     `json:"event"`
	Reason   string          `json:"reason"`
	Lines    json.RawMessage `json:"lines"`
	Calls    []tapi.Call     `json:"calls"`
	Code     string          `json:"code"`
	Field    string          `json:"field"`
	Message  string          `json:"message"`
	ID       json.RawMessage `json:"id"`
	Replayed int             `json:"replayed"`
	User     string          `json:"user"`
	Role     string          `json:"role"`
	Instance string          `json:"instance"`
	raw      []byte
}

func (e *env) wsURL() string { return "ws" + strings.TrimPrefix(e.hs.URL, "http") + "/ws" }

func (e *env) dialWS(header http.Header) (*wsClient, *http.Response, error) {
	return e.dialWSAt(e.wsURL(), header)
}

// dialWSAt dials a WebSocket URL (e.g. of a server started with serveHTTP).
func (e *env) dialWSAt(url string, header http.Header) (*wsClient, *http.Response, error) {
	c, resp, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		return nil, resp, err
	}
	w := &wsClient{t: e.t, c: c, ch: make(chan inMsg, 1<<16), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer close(w.ch)
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				w.mu.Lock()
				w.closeErr = err
				w.mu.Unlock()
				return
			}
			var m inMsg
			if err := json.Unmarshal(data, &m); err != nil {
				m = inMsg{Type: "<undecodable>", Message: err.Error()}
			}
			m.raw = data
			w.ch <- m
		}
	}()
	e.t.Cleanup(func() { c.Close(); <-w.done })
	return w, resp, nil
}

// connect dials and says hello with token; it returns the client and the welcome.
func (e *env) connect(token string) (*wsClient, inMsg) {
	e.t.Helper()
	w, _, err := e.dialWS(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	w.send(map[string]any{"type": "hello", "v": 1, "token": token, "client": "test"})
	return w, w.expect("welcome")
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	var err error
	if s, ok := v.(string); ok {
		err = w.c.WriteMessage(websocket.TextMessage, []byte(s))
	} else {
		err = w.c.WriteJSON(v)
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

// next returns the next message or fails after d.
func (w *wsClient) next(d time.Duration) (inMsg, bool) {
	select {
	case m, ok := <-w.ch:
		return m, ok
	case <-time.After(d):
		return inMsg{}, false
	}
}

// expect skips to the next message of type typ, failing on an error message of another kind.
func (w *wsClient) expect(typ string) inMsg {
	w.t.Helper()
	return w.until(typ, func(inMsg) bool { return true })
}

// until reads until a message of type typ satisfies f.
func (w *wsClient) until(typ string, f func(inMsg) bool) inMsg {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, ok := w.next(time.Until(deadline))
		if !ok {
			w.t.Fatalf("no %q message: connection closed or timed out (%v)", typ, w.err())
		}
		if m.Type == typ && f(m) {
			return m
		}
		if m.Type == "error" && typ != "error" {
			w.t.Fatalf("unexpected error message while waiting for %q: %s", typ, m.raw)
		}
	}
}

// untilEvent reads until an event message of type et on line satisfies f.
func (w *wsClient) untilEvent(et tapi.EventType, line string, f func(*tapi.Event) bool) inMsg {
	w.t.Helper()
	return w.until("event", func(m inMsg) bool {
		return m.Event != nil && m.Event.Type == et && (line == "" || m.Event.Line == line) && (f == nil || f(m.Event))
	})
}

func (w *wsClient) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeErr
}

// closeCode waits for the connection to end and returns the close code the server sent.
func (w *wsClient) closeCode(d time.Duration) int {
	w.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case _, ok := <-w.ch:
			if !ok {
				var ce *websocket.CloseError
				if err := w.err(); err != nil && asCloseError(err, &ce) {
					return ce.Code
				}
				return -1
			}
		case <-deadline:
			w.t.Fatal("connection did not close")
		}
	}
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	c, ok := err.(*websocket.CloseError)
	if ok {
		*ce = c
	}
	return ok
}

func memoryOpts(maxLog int) memory.Options {
	return memory.Options{MaxLogLen: maxLog}
}

func (m inMsg) decodeLines(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(m.Lines, v); err != nil {
		t.Fatalf("lines %s: %v", m.Lines, err)
	}
}

// logOffset is the last offset of the PBX's log.
func logOffset(t testing.TB, e *env) uint64 {
	t.Helper()
	pos, err := e.st.Position(context.Background(), "hq")
	if err != nil {
		t.Fatal(err)
	}
	return pos.Offset
}

// smallBufferDialer dials with a socket receive buffer of size bytes, so that a client that
// reads slowly (or not at all) soon fills it and the server's writes block.
func smallBufferDialer(size int) websocket.Dialer {
	return websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
		})
		if err != nil {
			return err
		}
		return serr
	}}).DialContext}
}

// fanOut fans out one entry as a run of its own.
func (h *hub) fanOut(e store.Entry) { h.fanOutRun([]store.Entry{e}) }

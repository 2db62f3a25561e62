package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// recorder is the engine as web sees it, recording every request that reaches it.
type recorder struct {
	cti.Service
	mu   sync.Mutex
	reqs []cti.Request
}

func (r *recorder) Do(ctx context.Context, req cti.Request) tapi.Reply {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return r.Service.Do(ctx, req)
}

func (r *recorder) requests() []cti.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]cti.Request(nil), r.reqs...)
}

func recording(rec *recorder) func(cti.Service) cti.Service {
	return func(s cti.Service) cti.Service { rec.Service = s; return rec }
}

// serveHTTP serves the web server with its own http.Server (timeouts, connection cap) on a
// real listener and returns the address.
func (e *env) serveHTTP() (string, *http.Server) {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	srv := e.srv.HTTPServer()
	go func() { _ = srv.Serve(ln) }()
	e.t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), srv
}

// stalledPOST opens a connection and sends the headers of a POST whose body never comes.
func stalledPOST(t testing.TB, addr, path, token string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	h := "POST " + path + " HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
	if token != "" {
		h += "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := io.WriteString(c, h+"\r\n{\"to\":"); err != nil {
		t.Fatal(err)
	}
	return c
}

// readUntilClosed reads what the server sends until it closes the connection; closed is
// false when d passed first.
func readUntilClosed(c net.Conn, d time.Duration) (got string, closed bool) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(b), false
	}
	return string(b), true
}

// Finding 2: a POST whose body never comes is answered 408 and closed after the read timeout
// instead of being held; nothing reaches the engine.
func TestStalledRequestBodiesGet408(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, envOpts{wrap: recording(rec), web: func(c *Config) { c.HTTPReadTimeout = 300 * time.Millisecond }})
	addr, _ := e.serveHTTP()
	const n = 50
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = stalledPOST(t, addr, "/api/v1/lines/hq/201/dial", tokAlice)
	}
	unauth := stalledPOST(t, addr, "/api/v1/lines/hq/201/dial", "")
	type result struct {
		got    string
		closed bool
	}
	res := make([]result, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { res[i].got, res[i].closed = readUntilClosed(c, 60*time.Second) })
	}
	wg.Wait()
	for i, r := range res {
		if !r.closed {
			t.Fatalf("connection %d still open after 60s (read timeout 300ms); got %q", i, r.got)
		}
		if !strings.HasPrefix(r.got, "HTTP/1.1 408 ") || !strings.Contains(r.got, "application/problem+json") ||
			!strings.Contains(r.got, "body-timeout") {
			t.Fatalf("connection %d: want a 408 problem, got %q", i, r.got)
		}
	}
	if got, closed := readUntilClosed(unauth, 60*time.Second); !closed {
		t.Fatalf("unauthenticated stalled POST still open; got %q", got)
	}
	if reqs := rec.requests(); len(reqs) != 0 {
		t.Fatalf("stalled requests reached the engine: %+v", reqs)
	}
	// The server still serves.
	if r := e.do("GET", "/api/v1/me", tokAlice, nil); r.status != 200 {
		t.Fatalf("after the stalls: %d %s", r.status, r.body)
	}
}

// Finding 2: ShutdownHTTP returns with stalled requests open (their read timeout far away)
// and closes them and the WebSocket sessions (1001).
func TestShutdownHTTPWithStalledConnections(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) {
		c.HTTPReadTimeout = 10 * time.Minute
		c.ShutdownTimeout = 200 * time.Millisecond
	}})
	addr, srv := e.serveHTTP()
	w, _, err := e.dialWSAt("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.send(map[string]any{"type": "hello", "v": 1, "token": tokAlice})
	w.expect("welcome")
	const n = 50
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = stalledPOST(t, addr, "/api/v1/lines/hq/201/dial", tokAlice)
	}
	e.eventually(30*time.Second, "stalled connections accepted", func() bool {
		e.srv.ipConns.mu.Lock()
		defer e.srv.ipConns.mu.Unlock()
		return e.srv.ipConns.byIP["127.0.0.1"] == n
	})
	done := make(chan error, 1)
	go func() { done <- e.srv.ShutdownHTTP(context.Background(), srv) }()
	select {
	case err := <-done:
		t.Logf("ShutdownHTTP: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("ShutdownHTTP did not return with stalled connections open")
	}
	for i, c := range conns {
		if got, closed := readUntilClosed(c, 30*time.Second); !closed {
			t.Fatalf("stalled connection %d left open by shutdown; got %q", i, got)
		}
	}
	if code := w.closeCode(30 * time.Second); code != 1001 {
		t.Fatalf("WebSocket session closed with %d, want 1001", code)
	}
}

// Finding 2: a WebSocket session is not bound by the HTTP server's timeouts after the upgrade.
func TestWSSessionOutlivesHTTPTimeouts(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) {
		c.HTTPHeaderTimeout, c.HTTPReadTimeout = 100*time.Millisecond, 100*time.Millisecond
		c.HTTPWriteTimeout, c.HTTPIdleTimeout = 100*time.Millisecond, 100*time.Millisecond
	}})
	addr, _ := e.serveHTTP()
	w, _, err := e.dialWSAt("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.send(map[string]any{"type": "hello", "v": 1, "token": tokAlice})
	w.expect("welcome")
	time.Sleep(time.Second) // well past every HTTP deadline
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("synced")
	if _, err := e.sim.IncomingCall("+4930555000", "201"); err != nil {
		t.Fatal(err)
	}
	w.untilEvent(tapi.LineNewCall, "hq/201", nil)
}

// Finding 2: one address holds at most MaxConnsPerIP connections; further ones are closed at
// once and the others keep working.
func TestMaxConnsPerIP(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.MaxConnsPerIP = 3; c.HTTPHeaderTimeout = time.Minute }})
	addr, _ := e.serveHTTP()
	type result struct {
		i      int
		got    string
		closed bool
	}
	results := make(chan result, 5)
	conns := make([]net.Conn, 5)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		go func() {
			got, closed := readUntilClosed(c, 60*time.Second)
			results <- result{i, got, closed}
		}()
	}
	refused := map[int]bool{}
	for range 2 {
		r := <-results
		if !r.closed || r.got != "" {
			t.Fatalf("connection %d over the cap: closed %v, got %q", r.i, r.closed, r.got)
		}
		refused[r.i] = true
	}
	for i, c := range conns {
		if !refused[i] {
			if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: bridge\r\nConnection: close\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 3 {
		r := <-results
		if !r.closed || !strings.HasPrefix(r.got, "HTTP/1.1 200 ") {
			t.Fatalf("connection %d under the cap: %q", r.i, r.got)
		}
	}
	if n := limitedCount(t, e, limitConnsPerIP); n != 2 {
		t.Fatalf("requests_limited_total{limit=conns_per_ip} %v, want 2", n)
	}
}

// Finding 2: requests without a valid token are rate limited per address (429, Retry-After);
// authenticated ones are not.
func TestUnauthenticatedRateLimit(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.UnauthRatePerIP, c.UnauthBurstPerIP = 1, 3 }})
	e.srv.unauthLimit.mu.Lock()
	clear(e.srv.unauthLimit.limiters) // the start-up probes are not what this test counts
	e.srv.unauthLimit.mu.Unlock()
	for i := range 3 {
		if r := e.do("GET", "/api/v1/me", "forged", nil); r.status != 401 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	req, _ := http.NewRequest("GET", e.hs.URL+"/api/v1/me", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != 429 || ra < 1 || ra > 60 || !strings.Contains(string(body), "rate-limited") {
		t.Fatalf("4th unauthenticated request: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if n := limitedCount(t, e, limitUnauthIP); n != 1 {
		t.Fatalf("requests_limited_total{limit=unauth_ip} %v, want 1", n)
	}
	for range 5 {
		if r := e.do("GET", "/api/v1/me", tokAlice, nil); r.status != 200 {
			t.Fatalf("authenticated request limited: %d %s", r.status, r.body)
		}
	}
}

// Finding 3: a token holding only hq/201 probes every WebSocket op and every REST route that
// takes a line, a handle or a number: lines it may not see answer exactly as missing ones,
// other lines' calls are not reachable, bad numbers are refused, and nothing reaches the PBX.
func TestACLProbesReachNothing(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, envOpts{wrap: recording(rec)})
	if _, err := e.sim.IncomingCall("+4930555000", "202"); err != nil {
		t.Fatal(err)
	}
	var h202 tapi.CallHandle
	e.eventually(10*time.Second, "call ringing at 202", func() bool {
		for _, c := range e.eng.Calls("hq/202") {
			if c.State == tapi.LINECALLSTATE_OFFERING {
				h202 = c.Handle
				return true
			}
		}
		return false
	})
	w, _ := e.connect(tokAlice)
	id := uint32(0)
	command := func(m map[string]any) tapi.Reply {
		t.Helper()
		id++
		m["type"], m["id"] = "command", id
		w.send(m)
		r := w.untilEvent(tapi.LineReply, "", func(ev *tapi.Event) bool { return ev.Reply.RequestID == id })
		return *r.Event.Reply
	}
	long := strings.Repeat("2", 65000)

	// Every op on a line alice may not see answers as on a line that does not exist.
	for _, op := range allOps {
		m := func(line string) map[string]any {
			return map[string]any{"op": op, "line": line, "handle": string(h202), "handle2": "hq:999", "number": "203",
				"forwardMode": "LINEFORWARDMODE_UNCOND", "enable": true}
		}
		hidden, missing := command(m("hq/202")), command(m("hq/299"))
		if hidden.Result != tapi.LINEERR_BADDEVICEID || missing.Result != hidden.Result ||
			strings.ReplaceAll(hidden.Error, "202", "299") != missing.Error {
			t.Errorf("%s: hidden line %+v, missing line %+v: want the same answer", op, hidden, missing)
		}
	}
	// On its own line: nothing that touches another line, and no bad number.
	for _, tc := range []struct {
		name string
		m    map[string]any
		want tapi.LineErr
		msg  string
	}{
		{"pickup from a hidden line", map[string]any{"op": "pickup", "number": "202"}, tapi.LINEERR_INVALADDRESS, `pickup: line "hq/202" does not exist`},
		{"pickup from an unmonitored device", map[string]any{"op": "pickup", "number": "299"}, tapi.LINEERR_INVALADDRESS, `pickup: line "hq/299" does not exist`},
		{"pickup with a huge number", map[string]any{"op": "pickup", "number": long}, tapi.LINEERR_INVALADDRESS, "longer than"},
		{"group pickup from a hidden line", map[string]any{"op": "groupPickup", "number": "202"}, tapi.LINEERR_INVALADDRESS, `groupPickup: line "hq/202" does not exist`},
		{"dial a huge number", map[string]any{"op": "makeCall", "number": long}, tapi.LINEERR_INVALADDRESS, "longer than"},
		{"dial letters", map[string]any{"op": "makeCall", "number": "12a"}, tapi.LINEERR_INVALADDRESS, `character 'a'`},
		{"transfer to a huge number", map[string]any{"op": "blindTransfer", "handle": "hq:4242", "number": long}, tapi.LINEERR_INVALADDRESS, "longer than"},
		{"forward off with a huge number", map[string]any{"op": "forward", "forwardMode": "LINEFORWARDMODE_UNCOND", "number": long}, tapi.LINEERR_INVALADDRESS, "longer than"},
		{"digits too long", map[string]any{"op": "generateDigits", "handle": "hq:4242", "number": long}, tapi.LINEERR_INVALDIGITS, "use 1 to 64"},
		{"dnd with a number", map[string]any{"op": "dnd", "enable": true, "number": "202"}, tapi.LINEERR_INVALPARAM, "takes no number"},
		{"dnd with a handle", map[string]any{"op": "dnd", "enable": true, "handle": string(h202)}, tapi.LINEERR_INVALPARAM, "takes no call handle"},
		{"answer a call of another line", map[string]any{"op": "answer", "handle": string(h202)}, tapi.LINEERR_INVALCALLHANDLE, "no call " + string(h202) + " on line hq/201"},
		{"deflect a call of another line", map[string]any{"op": "redirect", "handle": string(h202), "number": "203"}, tapi.LINEERR_INVALCALLHANDLE, "on line hq/201"},
		{"drop a call of another line", map[string]any{"op": "drop", "handle": string(h202)}, tapi.LINEERR_INVALCALLHANDLE, "on line hq/201"},
		{"conference a call of another line", map[string]any{"op": "conference", "handle": "hq:4242", "handle2": string(h202)}, tapi.LINEERR_INVALCONSULTCALLHANDLE, "on line hq/201"},
	} {
		tc.m["line"] = "hq/201"
		r := command(tc.m)
		if r.Result != tc.want || !strings.Contains(r.Error, tc.msg) || strings.Contains(r.Error, "hq/202 ") || len(r.Error) > 300 {
			t.Errorf("%s: reply %+v, want %s with %q", tc.name, r, tc.want, tc.msg)
		}
	}
	// Subscribing to a hidden line answers as for a missing one.
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/202"}})
	hidden := w.expect("error")
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/299"}})
	missing := w.expect("error")
	if hidden.Code != "unknown_line" || strings.ReplaceAll(hidden.Message, "202", "299") != missing.Message {
		t.Errorf("subscribe: hidden %s, missing %s", hidden.raw, missing.raw)
	}

	// REST: every route that takes a line.
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", "", nil}, {"GET", "/calls", nil}, {"GET", "/journal", nil},
		{"POST", "/dial", map[string]any{"to": "203"}},
		{"PUT", "/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "to": "203", "enable": true}},
		{"PUT", "/dnd", map[string]any{"enable": true}},
	}
	for _, a := range callActions {
		var body any
		switch a.body {
		case "to":
			body = map[string]any{"to": "203"}
		case "consult":
			body = map[string]any{"consultHandle": "hq:999"}
		case "digits":
			body = map[string]any{"digits": "1"}
		}
		routes = append(routes, struct {
			method, path string
			body         any
		}{"POST", "/calls/" + string(h202) + "/" + a.path, body})
	}
	for _, rt := range routes {
		hr := e.do(rt.method, "/api/v1/lines/hq/202"+rt.path, tokAlice, rt.body)
		mr := e.do(rt.method, "/api/v1/lines/hq/299"+rt.path, tokAlice, rt.body)
		if hr.status != 404 || mr.status != 404 {
			t.Errorf("%s %s: hidden %d, missing %d, want 404", rt.method, rt.path, hr.status, mr.status)
			continue
		}
		hp, mp := hr.problem(t), mr.problem(t)
		hp.Instance, mp.Instance = "", ""
		hp.Detail = strings.ReplaceAll(hp.Detail, "202", "299")
		if hp != mp {
			t.Errorf("%s %s: hidden %+v, missing %+v: want the same problem", rt.method, rt.path, hp, mp)
		}
	}
	// REST on its own line: other lines' calls and bad numbers.
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", "/dial", map[string]any{"to": long}, 422, "to"},
		{"POST", "/calls/" + string(h202) + "/answer", nil, 404, "handle"},
		{"POST", "/calls/" + string(h202) + "/transfer", map[string]any{"to": "203"}, 404, "handle"},
		{"POST", "/calls/hq:4242/conference", map[string]any{"consultHandle": string(h202)}, 404, "consultHandle"},
		{"POST", "/calls/hq:4242/dtmf", map[string]any{"digits": strings.Repeat("1", 65)}, 422, "digits"},
		{"PUT", "/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "to": long, "enable": false}, 422, "to"},
	} {
		r := e.do(tc.method, "/api/v1/lines/hq/201"+tc.path, tokAlice, tc.body)
		if r.status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.status, r.body, tc.status)
			continue
		}
		if p := r.problem(t); p.Field != tc.field || strings.Contains(p.Detail, "hq/202") {
			t.Errorf("%s %s: problem %+v, want field %s and no other line named", tc.method, tc.path, p, tc.field)
		}
	}

	if reqs := rec.requests(); len(reqs) != 0 {
		t.Fatalf("probes reached the engine: %+v", reqs)
	}
	// The call still rings at 202, and nothing happened on 201.
	if cs := e.eng.Calls("hq/202"); len(cs) != 1 || cs[0].Handle != h202 || cs[0].State != tapi.LINECALLSTATE_OFFERING {
		t.Fatalf("calls at 202 after the probes: %+v", cs)
	}
	if cs := e.eng.Calls("hq/201"); len(cs) != 0 {
		t.Fatalf("calls at 201 after the probes: %+v", cs)
	}
}

// Finding 3: every op is rate limited per line and per user, REST and WebSocket alike, with
// a Retry-After that says when a token is back; limited requests do not reach the engine.
func TestCommandRateLimits(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, envOpts{wrap: recording(rec), web: func(c *Config) {
		c.Users = append(c.Users, User{Name: "carol", TokenSHA256: hashHex("carol-token"), Role: RoleUser,
			Lines: []string{"hq/205", "hq/206"}})
		c.LineCommandRate, c.LineCommandBurst = 1, 3
		c.UserCommandRate, c.UserCommandBurst = 1, 4
	}})
	dnd := func(line string) apiResp {
		return e.do("PUT", "/api/v1/lines/"+line+"/dnd", "carol-token", map[string]any{"enable": true})
	}
	check429 := func(r apiResp, what string) {
		t.Helper()
		if r.status != 429 {
			t.Fatalf("%s: %d %s, want 429", what, r.status, r.body)
		}
		if p := r.problem(t); p.Result != tapi.LINEERR_RESOURCEUNAVAIL || !strings.Contains(p.Detail, what) {
			t.Fatalf("%s: problem %+v", what, p)
		}
	}
	for i := range 3 {
		if r := dnd("hq/205"); r.status != 200 {
			t.Fatalf("dnd %d on 205: %d %s", i, r.status, r.body)
		}
	}
	check429(dnd("hq/205"), "line hq/205")
	if r := dnd("hq/206"); r.status != 200 {
		t.Fatalf("dnd on 206: %d %s", r.status, r.body)
	}
	check429(dnd("hq/206"), "user carol")

	// Retry-After is the time until the next token (1 a minute here), in whole seconds.
	req, _ := http.NewRequest("PUT", e.hs.URL+"/api/v1/lines/hq/206/dnd", strings.NewReader(`{"enable":false}`))
	req.Header.Set("Authorization", "Bearer carol-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q (status %d), want 1..60 seconds", resp.Header.Get("Retry-After"), resp.StatusCode)
	}

	// The WebSocket path shares the same buckets.
	w, _ := e.connect("carol-token")
	w.send(map[string]any{"type": "command", "id": 1, "op": "dnd", "line": "hq/206", "enable": true})
	r := w.untilEvent(tapi.LineReply, "", nil).Event.Reply
	if r.Result != tapi.LINEERR_RESOURCEUNAVAIL || !strings.Contains(r.Error, "retry in") {
		t.Fatalf("WebSocket dnd over the limit: %+v", r)
	}
	if n := len(rec.requests()); n != 4 {
		t.Fatalf("%d requests reached the engine, want 4 (the others were limited)", n)
	}
	for limit, want := range map[string]float64{limitLineCommand: 1, limitUserCommand: 3} {
		if n := limitedCount(t, e, limit); n != want {
			t.Errorf("requests_limited_total{limit=%s} %v, want %v", limit, n, want)
		}
	}
}

// Finding 3: a user holds at most MaxSessionsPerUser WebSocket sessions; further ones are
// refused with close code 4029 (or 429 when the upgrade carries the token).
func TestSessionCapPerUser(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.MaxSessionsPerUser = 2 }})
	first, _ := e.connect(tokAlice)
	e.connect(tokAlice)
	e.connect(tokBob) // other users are not affected

	w, _, err := e.dialWS(nil)
	if err != nil {
		t.Fatal(err)
	}
	w.send(map[string]any{"type": "hello", "v": 1, "token": tokAlice})
	if m := w.expect("error"); m.Code != "too_many_sessions" || !strings.Contains(m.Message, "2") {
		t.Fatalf("third session: %s", m.raw)
	}
	if code := w.closeCode(10 * time.Second); code != CloseTooManySessions {
		t.Fatalf("third session closed with %d, want %d", code, CloseTooManySessions)
	}
	_, resp, err := e.dialWS(http.Header{"Authorization": {"Bearer " + tokAlice}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third upgrade with a bearer header: err %v resp %v", err, resp)
	}
	if n := limitedCount(t, e, limitSessionsPerUser); n != 2 {
		t.Fatalf("requests_limited_total{limit=sessions_per_user} %v, want 2", n)
	}
	// Once a session ends, a new one is accepted.
	first.c.Close()
	e.eventually(10*time.Second, "a session slot free again", func() bool {
		e.srv.connsMu.Lock()
		defer e.srv.connsMu.Unlock()
		return e.srv.sessions["alice"] < 2
	})
	e.connect(tokAlice)
}

// Finding 3: failed WebSocket logins are logged with the remote address and the reason.
func TestAuthFailureDisconnectLogged(t *testing.T) {
	logs := &testkit.Buffer{}
	e := newEnv(t, envOpts{log: logs})
	w, _, err := e.dialWS(nil)
	if err != nil {
		t.Fatal(err)
	}
	w.send(map[string]any{"type": "hello", "v": 1, "token": "forged"})
	w.expect("error")
	if code := w.closeCode(10 * time.Second); code != CloseUnauthorized {
		t.Fatalf("close %d", code)
	}
	e.eventually(10*time.Second, "auth failure logged", func() bool {
		l := logs.String()
		return strings.Contains(l, `"msg":"websocket client disconnected"`) &&
			strings.Contains(l, `"reason":"unauthorized: the token is not valid"`) && strings.Contains(l, `"remote":"127.0.0.1:`)
	})
	if strings.Contains(logs.String(), "forged") {
		t.Fatal("the token was logged")
	}
}

// Finding 3: /api/v1/links shows node addresses and errors to admins only.
func TestLinksDetailsForAdminsOnly(t *testing.T) {
	e := newEnv(t, envOpts{})
	type links struct {
		Links []cti.LinkInfo `json:"links"`
	}
	var user, admin links
	e.do("GET", "/api/v1/links", tokAlice, nil).decode(t, &user)
	e.do("GET", "/api/v1/links", tokRoot, nil).decode(t, &admin)
	if len(user.Links) != 1 || len(admin.Links) != 1 || len(user.Links[0].Nodes) != 2 {
		t.Fatalf("links: user %+v admin %+v", user, admin)
	}
	for i, n := range user.Links[0].Nodes {
		if n.Address != "" || n.LastError != "" || n.Status == "" {
			t.Fatalf("user sees node %+v", n)
		}
		if admin.Links[0].Nodes[i].Address == "" {
			t.Fatalf("admin lacks the node address: %+v", admin.Links[0].Nodes[i])
		}
	}
	if raw := e.do("GET", "/api/v1/links", tokAlice, nil).body; strings.Contains(string(raw), e.primary.Addr()) {
		t.Fatalf("user response names the PBX node: %s", raw)
	}
}

// Finding 3: security headers on dashboard and API responses; static 404s are problem+json;
// /clients/js/ lists nothing.
func TestSecurityHeadersAndStaticFiles(t *testing.T) {
	e := newEnv(t, envOpts{})
	get := func(path, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", e.hs.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, path := range []string{"/", "/static/app.js", "/clients/js/ctibridge.js", "/api/v1/me", "/api/openapi.json", "/healthz", "/static/nope.js", "/api/v1/nothing"} {
		resp := get(path, tokAlice)
		h := resp.Header
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: security headers %v", path, h)
		}
		if isDashboardPath(path) && resp.StatusCode == 200 {
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Errorf("%s: CSP %q", path, csp)
			}
		} else if h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, h.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/static/nope.js", "/clients/js/", "/clients/js/nope.js", "/static/../go.mod"} {
		resp := get(path, "")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" ||
			strings.Contains(string(body), "ctibridge.js") {
			t.Errorf("%s: %d %s %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// Files still load with their types.
	if resp := get("/clients/js/ctibridge.js", ""); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("SDK: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := get("/", ""); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// limitedCount reads ctibridge_requests_limited_total{limit} from the server's registry (the
// /metrics endpoint itself may be what a test has limited).
func limitedCount(t testing.TB, e *env, limit string) float64 {
	t.Helper()
	mfs, err := e.srv.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "ctibridge_requests_limited_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "limit" && l.GetValue() == limit {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no ctibridge_requests_limited_total{limit=%q}", limit)
	return 0
}

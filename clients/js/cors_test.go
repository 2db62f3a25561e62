package js

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// preflights reads the bridge's count of answered preflights by status (OPTIONS requests
// match no route: "unmatched").
func preflights(t *testing.T, bridgeURL, status string) int {
	t.Helper()
	resp, err := http.Get(bridgeURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`ctibridge_http_requests_total\{code="` + status + `",route="unmatched"\} (\d+)`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestBrowserCORS: a CRM page of another origin uses the bridge's REST API and the SDK from
// headless Chromium. The bridge allows one page server's origin and not another's: the
// allowed page's requests carry the token, so the browser sends a CORS preflight first,
// which the bridge answers; connect() resolves there. From the other origin, and with a bad
// token, and with no bridge at all, and through a proxy that refuses WebSocket upgrades,
// connect() rejects with an error a page can show instead of retrying forever.
func TestBrowserCORS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium and a bridge")
	}
	allowed, other := pageServer(t), pageServer(t)
	b := clienttest.StartBridgeWith(t, clienttest.BridgeOptions{Simulator: true,
		Config: clienttest.DemoConfig("", "", fmt.Sprintf("web:\n  allowed_origins: [%q]\n", allowed.URL))})
	br := testkit.StartBrowser(t)

	p := br.Open(t, allowed.URL+"/test.html")
	p.Until("module loaded", "window.ready === true")
	before := preflights(t, b.URL, "No Content")
	var got struct {
		Status int    `json:"status"`
		User   string `json:"user"`
	}
	p.Must(`fetch(`+q(b.URL+"/api/v1/me")+`, {headers: {Authorization: "Bearer sam-demo-token"}})
		.then(async (r) => ({status: r.status, user: (await r.json()).user}))`, &got)
	// A cross-origin response is readable only when the bridge allowed the origin.
	if got.Status != 200 || got.User != "sam" {
		t.Fatalf("REST from the allowed origin: %+v", got)
	}
	if after := preflights(t, b.URL, "No Content"); after <= before {
		t.Fatalf("the bridge answered no preflight (204 count %d -> %d)", before, after)
	}
	var msg string
	p.Must(`(async () => {
		const c = new sdk.CTIBridgeClient({url: `+q(b.WSURL)+`, token: "sam-demo-token", lines: ["demo/202"]});
		const w = await c.connect();
		c.close();
		return w.user;
	})()`, &msg)
	if msg != "sam" {
		t.Fatalf("connect from the allowed origin: %q", msg)
	}
	// connect() while connecting is the same promise; close() settles it.
	p.Must(`(() => {
		const c = new sdk.CTIBridgeClient({url: `+q(b.WSURL)+`, token: "sam-demo-token"});
		const first = c.connect(), same = first === c.connect();
		c.close();
		return first.then(() => "connected", (e) => same + " " + e.code);
	})()`, &msg)
	if msg != "true closed" {
		t.Fatalf("close while connecting: %q", msg)
	}
	// A bad token: the REST check's 401 is readable (it carries the CORS headers).
	p.Must(`new sdk.CTIBridgeClient({url: `+q(b.WSURL)+`, token: "wrong"}).connect()
		.then(() => "connected", (e) => e.code + " " + e.status + " " + e.message)`, &msg)
	if !strings.HasPrefix(msg, "unauthorized 401 unauthorized: the bridge at "+b.URL+" refused the token") {
		t.Fatalf("bad token: %q", msg)
	}
	// No bridge at the URL: every URL is tried once, then connect() rejects.
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := "ws" + strings.TrimPrefix(gone.URL, "http") + "/ws"
	gone.Close()
	p.Must(`new sdk.CTIBridgeClient({urls: [`+q(goneURL)+`, `+q(goneURL)+`], token: "sam-demo-token"}).connect()
		.then(() => "connected", (e) => e.code + " " + e.message)`, &msg)
	if !strings.HasPrefix(msg, "unreachable unreachable: no bridge answered: ") || strings.Count(msg, strings.TrimSuffix(gone.URL, "/")) != 2 {
		t.Fatalf("no bridge: %q", msg)
	}
	// A proxy in front of the bridge that passes REST but refuses WebSocket upgrades.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", allowed.URL)
		w.Header().Set("Access-Control-Allow-Headers", "Authorization")
		switch r.URL.Path {
		case "/api/v1/me":
			if r.Method == http.MethodGet {
				_, _ = io.WriteString(w, `{"user":"sam"}`)
			}
		default:
			http.Error(w, "no websockets here", http.StatusForbidden)
		}
	}))
	defer proxy.Close()
	proxyWS := "ws" + strings.TrimPrefix(proxy.URL, "http") + "/ws"
	p.Must(`new sdk.CTIBridgeClient({url: `+q(proxyWS)+`, token: "sam-demo-token"}).connect()
		.then(() => "connected", (e) => e.code + " " + e.message)`, &msg)
	if !strings.HasPrefix(msg, "unreachable ") || !strings.Contains(msg, "the WebSocket closed before the subscription was confirmed") {
		t.Fatalf("WebSocket refused: %q", msg)
	}

	// The other origin: its preflight is refused, and so is connect().
	o := br.Open(t, other.URL+"/test.html")
	o.Until("module loaded", "window.ready === true")
	before = preflights(t, b.URL, "Forbidden")
	o.Must(`fetch(`+q(b.URL+"/api/v1/me")+`, {headers: {Authorization: "Bearer sam-demo-token"}}).then(() => "read", (e) => e.name)`, &msg)
	if msg != "TypeError" {
		t.Fatalf("REST from a refused origin: %q", msg)
	}
	if after := preflights(t, b.URL, "Forbidden"); after <= before {
		t.Fatalf("the bridge refused no preflight (403 count %d -> %d)", before, after)
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fatal   string `json:"fatal"`
	}
	o.Must(`(async () => {
		const c = new sdk.CTIBridgeClient({url: `+q(b.WSURL)+`, token: "sam-demo-token", lines: ["demo/202"]});
		let fatal = "";
		c.addEventListener("fatal", (ev) => { fatal = ev.detail.error.code; });
		try { await c.connect(); return {code: "connected"}; } catch (err) { return {code: err.code, message: err.message, fatal}; }
	})()`, &e)
	want := "origin_refused: the bridge at " + b.URL + " does not allow requests from " + other.URL + " (add it to web.allowed_origins)"
	if e.Code != "origin_refused" || e.Message != want || e.Fatal != "origin_refused" {
		t.Fatalf("connect from a refused origin: %+v, want message %q", e, want)
	}
}

package web

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	js "github.com/ctibridge/ctibridge/clients/js"
)

// TestOpenAPICoversEveryRoute keeps openapi.json true: every route the server has is in the
// document with its method, and the document lists no route the server lacks.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	e := newEnv(t, envOpts{})
	r := e.do("GET", "/api/openapi.json", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("openapi.json: %d", r.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	served := map[string]bool{}
	for _, rt := range e.srv.handler.(*gin.Engine).Routes() {
		if rt.Path == "/" || strings.HasPrefix(rt.Path, "/static/") || strings.HasPrefix(rt.Path, "/clients/js/") {
			continue // the dashboard's files and the browser SDK
		}
		p := param.ReplaceAllString(rt.Path, "{$1}")
		key := strings.ToLower(rt.Method) + " " + p
		served[key] = true
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json", rt.Method, p)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("openapi.json documents %s %s, which the server does not serve", m, p)
			}
		}
	}
}

func TestHealthReadyMetricsDashboard(t *testing.T) {
	e := newEnv(t, envOpts{})
	for path, want := range map[string]string{
		"/healthz": `"ok"`, "/readyz": `"ready"`,
		"/metrics":                 "ctibridge_link_node_up{node=\"primary\",pbx=\"hq\"} 1",
		"/":                        "/clients/js/ctibridge.js",
		"/clients/js/ctibridge.js": "export class CTIBridgeClient",
		"/static/app.js":           `from "/clients/js/ctibridge.js"`,
		"/static/style.css":        "body",
	} {
		r := e.do("GET", path, "", nil)
		if r.status != 200 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d, body lacks %q", path, r.status, want)
		}
	}
	// Origin allow-list on /ws.
	_, resp, err := e.dialWS(http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: err %v resp %v", err, resp)
	}
	if _, _, err := e.dialWS(http.Header{"Origin": {e.hs.URL}}); err != nil {
		t.Fatalf("same-host origin refused: %v", err)
	}
	// Readiness fails when the PBX's nodes are gone? No: the link is owned; readiness is about
	// the store and ownership. A stopped engine store makes it fail.
	e.st.Close()
	if r := e.do("GET", "/readyz", "", nil); r.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with closed store: %d %s", r.status, r.body)
	}
}

// TestDashboardServesBrowserSDK checks that the bridge serves clients/js as it is embedded,
// with the headers of the dashboard's own files, a JavaScript type a browser accepts for a
// module under nosniff, and CORS so that CRM pages of other origins can import it; and that
// the dashboard's former private client is gone.
func TestDashboardServesBrowserSDK(t *testing.T) {
	e := newEnv(t, envOpts{})
	for file, ctype := range map[string]string{
		"ctibridge.js": "text/javascript; charset=utf-8",
		"README.md":    "text/markdown; charset=utf-8",
		"example.html": "text/html; charset=utf-8",
	} {
		want, err := fs.ReadFile(js.Files, file)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(e.hs.URL + "/clients/js/" + file)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Errorf("%s: %d, %d bytes, want the %d embedded", file, resp.StatusCode, len(body), len(want))
		}
		for h, v := range map[string]string{
			"Content-Type": ctype, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
			"Access-Control-Allow-Origin": "*",
		} {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("%s: %s %q, want %q", file, h, got, v)
			}
		}
	}
	resp, err := http.Get(e.hs.URL + "/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("app.js: Content-Type %q, nosniff %q", ct, resp.Header.Get("X-Content-Type-Options"))
	}
	for _, path := range []string{"/static/ctibridge.js", "/clients/js/missing.js", "/clients/js/../static/app.js"} {
		if r := e.do("GET", path, "", nil); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want not found", path, r.status)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	e := newEnv(t, envOpts{})
	good := hashHex("x")
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Users: []User{{Name: "a", TokenSHA256: "zz", Role: RoleUser}}}, "64 hex digits"},
		{Config{Users: []User{{Name: "a", TokenSHA256: good, Role: "root"}}}, "role"},
		{Config{Users: []User{{Name: "a", TokenSHA256: good, Role: RoleUser}, {Name: "b", TokenSHA256: good, Role: RoleUser}}}, "same token"},
		{Config{Users: []User{{Name: "a", TokenSHA256: good, Role: RoleUser, Lines: []string{"201"}}}}, "lines[0]"},
		{Config{Numbering: map[string]Numbering{"hq": {Country: "+49"}}}, "digits only"},
		{Config{AlertWebhooks: []string{"ftp://x"}}, "http(s)"},
	} {
		if _, err := New(e.eng, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %+v: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const crmOrigin = "https://crm.example.com"

// corsReq sends a request with an Origin (and a token when tok is set) to the env's listener.
func corsReq(t *testing.T, e *env, method, path, origin, tok string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.hs.URL+path, nil)
	require.NoError(t, err)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func preflightHeaders(method string) map[string]string {
	return map[string]string{"Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization,content-type"}
}

// problemType decodes a problem response and checks it against the catalogue.
func problemType(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	var p Problem
	require.NoError(t, json.Unmarshal(body, &p))
	for _, pt := range ProblemTypes {
		if pt.URI() == p.Type {
			assert.Equal(t, pt.Status, p.Status)
			assert.Equal(t, pt.Status, resp.StatusCode)
			return pt.Slug
		}
	}
	t.Fatalf("problem type %q is not in the catalogue", p.Type)
	return ""
}

func TestCORSListedOrigin(t *testing.T) {
	// A tight limit on requests without a token: preflights, which never carry one, must
	// not be counted.
	e := newEnv(t, envOpts{web: func(c *Config) {
		c.AllowedOrigins = []string{crmOrigin + "/"}
		c.UnauthRatePerIP, c.UnauthBurstPerIP = 1, 3
	}})

	for range 10 {
		resp, body := corsReq(t, e, "OPTIONS", "/api/v1/lines/hq/201/dial", crmOrigin, "", preflightHeaders("POST"))
		require.Equal(t, http.StatusNoContent, resp.StatusCode, "%s", body)
		h := resp.Header
		assert.Equal(t, crmOrigin, h.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"))
		assert.Contains(t, h.Get("Access-Control-Allow-Methods"), "POST")
		assert.Contains(t, h.Get("Access-Control-Allow-Headers"), "Authorization")
		assert.Contains(t, h.Get("Access-Control-Allow-Headers"), "Content-Type")
		assert.Equal(t, "600", h.Get("Access-Control-Max-Age"))
		assert.Contains(t, h.Values("Vary"), "Origin")
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), "security headers stay")
		assert.Empty(t, body)
	}

	// The request itself: readable by the page, 401 included (the page can tell a refused
	// token), with the headers it may need exposed.
	resp, body := corsReq(t, e, "GET", "/api/v1/me", crmOrigin, tokAlice, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Equal(t, crmOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "Retry-After")
	resp, body = corsReq(t, e, "GET", "/api/v1/me", crmOrigin, "forged", nil)
	assert.Equal(t, "unauthorized", problemType(t, resp, body))
	assert.Equal(t, crmOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	resp, _ = corsReq(t, e, "GET", "/api/openapi.json", crmOrigin, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, crmOrigin, resp.Header.Get("Access-Control-Allow-Origin"))

	// Another origin: preflight and request refused with the catalogue's problem.
	for _, method := range []string{"OPTIONS", "GET"} {
		hdr := map[string]string(nil)
		if method == "OPTIONS" {
			hdr = preflightHeaders("GET")
		}
		resp, body = corsReq(t, e, method, "/api/v1/me", "https://evil.example.net", tokAlice, hdr)
		assert.Equal(t, "origin-not-allowed", problemType(t, resp, body), method)
		assert.Contains(t, string(body), `origin \"https://evil.example.net\" is not in web.allowed_origins`)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), method)
	}
	// Scheme and port are part of the origin.
	resp, _ = corsReq(t, e, "OPTIONS", "/api/v1/me", "http://crm.example.com", "", preflightHeaders("GET"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Pages of the bridge itself and clients without Origin need no CORS.
	resp, _ = corsReq(t, e, "GET", "/api/v1/me", e.hs.URL, tokAlice, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	resp, _ = corsReq(t, e, "GET", "/healthz", crmOrigin, "", nil)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "only the API has CORS")
	// OPTIONS that is no preflight is still not a method of the API.
	resp, body = corsReq(t, e, "OPTIONS", "/api/v1/me", "", tokAlice, nil)
	assert.Equal(t, "method-not-allowed", problemType(t, resp, body))
}

// TestCORSWildcard: "*" admits every origin without credentials (the Fetch standard forbids
// "*" with them); a listed origin still gets them.
func TestCORSWildcard(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.AllowedOrigins = []string{"*", crmOrigin} }})
	resp, _ := corsReq(t, e, "OPTIONS", "/api/v1/lines", "https://any.example.org", "", preflightHeaders("GET"))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	resp, _ = corsReq(t, e, "GET", "/api/v1/lines", "https://any.example.org", tokAlice, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	resp, _ = corsReq(t, e, "OPTIONS", "/api/v1/lines", crmOrigin, "", preflightHeaders("GET"))
	assert.Equal(t, crmOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
	assert.True(t, strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin"))
}

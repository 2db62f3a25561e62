package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// CORS for the REST API (/api/v1 and /api/openapi.json), so that a browser page of another
// origin (a web CRM) can call it. Which origins may is web.allowed_origins, as for /ws:
//
//   - A listed origin (exact match of scheme, host and port) is echoed in
//     Access-Control-Allow-Origin, with Access-Control-Allow-Credentials: true, so that a page
//     may also send cookies (a bridge behind an authenticating proxy). The bridge itself
//     authenticates by the bearer token in the Authorization header, which is not a
//     credential in the Fetch standard's sense: it needs only to be an allowed header.
//   - "*" admits every origin without credentials: the answer is Access-Control-Allow-Origin:
//     * and no Allow-Credentials, because the Fetch standard forbids "*" with credentials and
//     echoing any origin with credentials would hand every site the user's cookies. Bearer
//     tokens work; a request with credentials: "include" from an unlisted origin fails in the
//     browser. List an origin to give it credentials.
//   - Pages of the bridge's own host need no CORS and get none.
//   - Any other origin is refused: its preflight, and any request it sends anyway, get 403
//     origin-not-allowed (without CORS headers, so the page sees a network error).
//
// Preflights are answered here, before the per-address limit on requests without a token:
// browsers never send the token with a preflight, and one comes for each new URL (every call
// handle), so counting them would halve a browser CRM's budget and turn a limited preflight
// into an unexplained network error on the page.

// corsMaxAge is how long a browser may cache a preflight (Chromium caps it at 2 hours).
const corsMaxAge = 10 * 60

// corsAllowMethods and corsAllowHeaders are what the API takes; corsExposeHeaders the
// response headers a page needs beyond the safelisted ones.
const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type"
	corsExposeHeaders = "Retry-After, WWW-Authenticate"
)

// corsAccess is what an Origin may do.
type corsAccess int

const (
	corsNone    corsAccess = iota // no Origin, or the bridge's own host: no CORS headers
	corsListed                    // listed: echoed, with credentials
	corsAny                       // admitted by "*": no credentials
	corsRefused                   // neither
)

func isCORSPath(p string) bool {
	return strings.HasPrefix(p, "/api/v1/") || p == "/api/v1" || p == "/api/openapi.json"
}

// corsAccessOf classifies the request's Origin.
func (s *Server) corsAccessOf(r *http.Request) corsAccess {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return corsNone
	}
	wildcard := false
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" {
			wildcard = true
		} else if sameOrigin(o, origin) {
			return corsListed
		}
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return corsNone
	}
	if wildcard {
		return corsAny
	}
	return corsRefused
}

// sameOrigin compares two serialised origins; scheme and host are case-insensitive, and a
// configured origin may carry a trailing slash.
func sameOrigin(configured, origin string) bool {
	return strings.EqualFold(strings.TrimSuffix(configured, "/"), origin)
}

// cors is the middleware: CORS headers on REST responses, preflights answered, refused
// origins stopped.
func (s *Server) cors(c *gin.Context) {
	r := c.Request
	if !isCORSPath(r.URL.Path) {
		c.Next()
		return
	}
	access := s.corsAccessOf(r)
	h := c.Writer.Header()
	h.Add("Vary", "Origin") // the answer depends on it: caches must key on it
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	switch access {
	case corsNone:
		c.Next()
		return
	case corsRefused:
		what := "request"
		if preflight {
			what = "preflight request"
		}
		problem(c, probOrigin, "Origin", "origin "+strconv.Quote(r.Header.Get("Origin"))+
			" is not in web.allowed_origins; CORS "+what+" to "+r.URL.Path+" refused")
		return
	case corsListed:
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Credentials", "true")
	case corsAny:
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if !preflight {
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		c.Next()
		return
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
	c.AbortWithStatus(http.StatusNoContent)
}

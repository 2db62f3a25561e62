package web

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// HTTPServer returns the http.Server to serve Handler with: the configured header, read
// (whole request with its body), write and idle timeouts, and the per-address connection
// cap. Serve it on any listener; stop it with ShutdownHTTP. WebSocket sessions leave these
// deadlines behind at the upgrade (the upgrader clears them) and run on their own: hello
// timeout, PongTimeout for reads, WriteTimeout for each write.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.HTTPHeaderTimeout,
		ReadTimeout:       s.cfg.HTTPReadTimeout,
		// The write deadline is set when the headers are read: it covers reading the body and
		// then writing the response.
		WriteTimeout:   s.cfg.HTTPReadTimeout + s.cfg.HTTPWriteTimeout,
		IdleTimeout:    s.cfg.HTTPIdleTimeout,
		MaxHeaderBytes: 64 << 10,
		ConnState:      s.ipConns.track,
	}
}

// ShutdownHTTP stops srv (serving this Server's Handler) and the Server within
// ShutdownTimeout, or sooner when ctx ends: the WebSocket sessions are closed with 1001,
// srv stops accepting and lets requests in flight finish, and whatever is still open when
// the time is up (a request whose body never comes, say) is closed.
func (s *Server) ShutdownHTTP(ctx context.Context, srv *http.Server) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Shutdown(ctx) }()
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	if werr := <-errc; err == nil {
		err = werr
	}
	return err
}

// ipConns counts the open connections of each remote address and closes those above the cap.
type ipConns struct {
	max     int
	log     *rateLog
	refused prometheus.Counter // ctibridge_requests_limited_total{limit="conns_per_ip"}
	mu      sync.Mutex
	byIP    map[string]int
	open    map[net.Conn]string // counted connections
}

func newIPConns(max int, log *rateLog, refused prometheus.Counter) *ipConns {
	return &ipConns{max: max, log: log, refused: refused, byIP: map[string]int{}, open: map[net.Conn]string{}}
}

// track is the http.Server's ConnState hook.
func (l *ipConns) track(c net.Conn, st http.ConnState) {
	if l.max < 0 {
		return
	}
	switch st {
	case http.StateNew:
		ip := remoteIP(c.RemoteAddr().String())
		l.mu.Lock()
		over := l.byIP[ip] >= l.max
		if !over {
			l.byIP[ip]++
			l.open[c] = ip
		}
		l.mu.Unlock()
		if over {
			l.refused.Inc()
			l.log.warn(logrus.Fields{"remote": c.RemoteAddr().String(), "reason": "too many connections",
				"limit": l.max}, "connection refused")
			_ = c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		// A WebSocket session (hijacked) is bounded per user (MaxSessionsPerUser) instead.
		l.mu.Lock()
		if ip, ok := l.open[c]; ok {
			delete(l.open, c)
			if l.byIP[ip]--; l.byIP[ip] <= 0 {
				delete(l.byIP, ip)
			}
		}
		l.mu.Unlock()
	}
}

// remoteIP is the address part of a remote address. Forwarding headers are not trusted.
func remoteIP(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// limitUnauthenticated applies the per-address rate limit to requests that carry no valid
// bearer token: the dashboard's files, failed logins, WebSocket upgrades before hello. The
// health probes are exempt: a limiter must not take an instance out of service.
func (s *Server) limitUnauthenticated(c *gin.Context) {
	if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" {
		c.Next()
		return
	}
	if _, err := s.auth.fromRequest(c.Request); err == nil {
		c.Next()
		return
	}
	ip := remoteIP(c.Request.RemoteAddr)
	if _, ok, wait := s.unauthLimit.allow(ip); !ok {
		s.metrics.limited.WithLabelValues(limitUnauthIP).Inc()
		s.rateLog.warn(logrus.Fields{"remote": c.Request.RemoteAddr, "path": c.Request.URL.Path,
			"reason": "unauthenticated request rate"}, "request rate limited")
		c.Header("Retry-After", strconv.Itoa(retryAfter(wait)))
		c.Header("Connection", "close")
		problem(c, probRateLimited, "",
			"too many requests without a valid token from "+ip+" (limit "+itoa(s.cfg.UnauthRatePerIP)+
				" per minute); retry in "+strconv.Itoa(retryAfter(wait))+"s")
		return
	}
	c.Next()
}

// dashboardCSP lets the dashboard load its own module, stylesheet and SDK and talk to its own
// origin (REST and /ws), and nothing else; API responses get the strictest policy.
const (
	dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
)

// securityHeaders sets the headers every response gets. API responses are not cached;
// the dashboard's files set their own Cache-Control.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if isDashboardPath(c.Request.URL.Path) {
		h.Set("Content-Security-Policy", dashboardCSP)
	} else {
		h.Set("Content-Security-Policy", apiCSP)
	}
	c.Next()
}

func isDashboardPath(p string) bool {
	return p == "/" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/clients/js/")
}

// extendWriteDeadline moves the response's write deadline to d from now, for handlers that
// wait for the engine longer than the write timeout allows.
func extendWriteDeadline(c *gin.Context, d time.Duration) {
	// Not supported under a test recorder; a failed write is answered by the server anyway.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(d))
}

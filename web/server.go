package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
)

// Server serves HTTP for one bridge instance. Create it with New, mount Handler, and call
// Shutdown to stop its goroutines and close WebSocket sessions.
type Server struct {
	svc       cti.Service
	cfg       Config
	log       *logrus.Entry
	auth      *authenticator
	metrics   *metrics
	audit     *auditLog
	alerts    *alerter
	dialLimit *rateLimiter
	// Per-user and per-line command limits, the per-address limit of unauthenticated
	// requests and the connection cap per address.
	userCmdLimit *rateLimiter
	lineCmdLimit *rateLimiter
	unauthLimit  *rateLimiter
	ipConns      *ipConns
	rateLog      *rateLog
	upgrader     *websocket.Upgrader
	hubs         map[string]*hub
	handler      http.Handler

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // hub and alert goroutines

	connsMu sync.Mutex
	conns   map[*wsConn]struct{}
	connWG  sync.WaitGroup
	// sessions counts the authenticated WebSocket sessions of each user (MaxSessionsPerUser).
	sessions map[string]int
}

// New builds the server for svc and starts one event feed per PBX and the alert sender.
func New(svc cti.Service, cfg Config) (*Server, error) {
	if svc == nil {
		return nil, errors.New("web: nil cti.Service")
	}
	if cfg.Numbering != nil {
		n := make(map[string]Numbering, len(cfg.Numbering))
		for k, v := range cfg.Numbering {
			n[k] = v
		}
		cfg.Numbering = n
	}
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{svc: svc, cfg: cfg, log: cfg.Logger.WithField("component", "web"),
		auth: newAuthenticator(cfg.Users), metrics: newMetrics(svc, cfg.Collectors...),
		dialLimit: newRateLimiter(cfg.DialRatePerMinute), hubs: map[string]*hub{},
		userCmdLimit: newBurstLimiter(cfg.UserCommandRate, cfg.UserCommandBurst),
		lineCmdLimit: newBurstLimiter(cfg.LineCommandRate, cfg.LineCommandBurst),
		unauthLimit:  newBurstLimiter(cfg.UnauthRatePerIP, cfg.UnauthBurstPerIP),
		ctx:          ctx, cancel: cancel, conns: map[*wsConn]struct{}{}, sessions: map[string]int{}}
	s.rateLog = newRateLog(s.log)
	s.ipConns = newIPConns(cfg.MaxConnsPerIP, s.rateLog, s.metrics.limited.WithLabelValues(limitConnsPerIP))
	s.audit = &auditLog{w: cfg.AuditLog, log: s.log}
	s.alerts = newAlerter(s)
	s.upgrader = s.newUpgrader()
	for _, pbx := range svc.PBXs() {
		h := newHub(pbx, svc, s.log, s.metrics, cfg.ReplayCache)
		h.sinks = append(h.sinks, s.alerts.observe)
		h.num = s.numbering(pbx).Presenter()
		h.late.after = s.cfg.LateAfter
		s.hubs[pbx] = h
	}
	s.handler = s.routes()
	for _, h := range s.hubs {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); h.run(ctx) }()
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.alerts.run(ctx) }()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.alerts.watchDegraded(ctx) }()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.shedLoop(ctx) }()
	return s, nil
}

// Handler is the HTTP handler: /ws, /api/v1/..., /api/openapi.json, /metrics, /healthz,
// /readyz and the dashboard at /. It does not care whether it is served over TLS.
func (s *Server) Handler() http.Handler { return s.handler }

// Shutdown closes every WebSocket session with 1001 (going away; clients resume elsewhere)
// and stops the server's goroutines, waiting for them until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.connsMu.Lock()
	for c := range s.conns {
		c.fail(websocket.CloseGoingAway, "server shutting down")
	}
	s.connsMu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.connWG.Wait(); s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// takeSession counts an authenticated session of p; false when p holds MaxSessionsPerUser.
func (s *Server) takeSession(c *wsConn, p *principal) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if s.cfg.MaxSessionsPerUser >= 0 && s.sessions[p.Name] >= s.cfg.MaxSessionsPerUser {
		return false
	}
	s.sessions[p.Name]++
	c.p, c.counted = p, true
	return true
}

// sessionsFull reports whether p holds MaxSessionsPerUser sessions already.
func (s *Server) sessionsFull(p *principal) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	return s.cfg.MaxSessionsPerUser >= 0 && s.sessions[p.Name] >= s.cfg.MaxSessionsPerUser
}

func (s *Server) addConn(c *wsConn) {
	s.connsMu.Lock()
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
	s.connWG.Add(1)
	s.metrics.wsClients.Inc()
}

func (s *Server) removeConn(c *wsConn) {
	s.connsMu.Lock()
	delete(s.conns, c)
	if c.counted {
		if s.sessions[c.p.Name]--; s.sessions[c.p.Name] <= 0 {
			delete(s.sessions, c.p.Name)
		}
	}
	s.connsMu.Unlock()
	s.metrics.wsClients.Dec()
	s.connWG.Done()
}

// ClientInfo is one connected WebSocket client, for diagnostics.
type ClientInfo struct {
	User        string    `json:"user"`
	Role        string    `json:"role"`
	Client      string    `json:"client,omitempty"`
	Remote      string    `json:"remote"`
	Protocol    string    `json:"protocol"`
	Lines       []string  `json:"lines"`
	Since       time.Time `json:"connectedSince"`
	MessagesIn  uint64    `json:"messagesIn"`
	MessagesOut uint64    `json:"messagesOut"`
	QueueDepth  int       `json:"queueDepth"`
}

// Clients lists the connected WebSocket clients.
func (s *Server) Clients() []ClientInfo {
	s.connsMu.Lock()
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	out := make([]ClientInfo, 0, len(conns))
	for _, c := range conns {
		ci := ClientInfo{Remote: c.remote, Protocol: "ws/v1", Since: c.since, Client: c.client,
			MessagesIn: c.in.Load(), MessagesOut: c.out.Load(), QueueDepth: c.queueLen(), Lines: []string{}}
		if c.p != nil {
			ci.User, ci.Role = c.p.Name, c.p.Role
		}
		out = append(out, ci)
	}
	s.connsMu.Unlock()
	for i, c := range conns {
		out[i].Lines = c.subscribedLines()
	}
	return out
}

// subscribedLines lists the lines the session is subscribed to.
func (c *wsConn) subscribedLines() []string {
	c.feedsMu.Lock()
	feeds := make(map[string]*feed, len(c.feeds))
	for k, v := range c.feeds {
		feeds[k] = v
	}
	c.feedsMu.Unlock()
	out := []string{}
	for pbx, f := range feeds {
		h := c.s.hubs[pbx]
		h.mu.Lock()
		out = append(out, keys(f.lines)...)
		h.mu.Unlock()
	}
	return out
}

// ginMode is set once: gin's mode is process-wide.
var ginMode sync.Once

func (s *Server) newEngine() *gin.Engine {
	ginMode.Do(func() { gin.SetMode(gin.ReleaseMode) })
	g := gin.New()
	g.Use(s.recoverer(), s.countRequests())
	g.HandleMethodNotAllowed = true
	g.NoRoute(func(c *gin.Context) {
		problem(c, probNotFound, "", "no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path)
	})
	g.NoMethod(func(c *gin.Context) {
		problem(c, probMethod, "", c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})
	return g
}

// recoverer turns a handler panic into a 500 problem instead of a dropped connection.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.WithField("panic", r).WithField("path", c.Request.URL.Path).Error("handler panicked")
				problem(c, probInternal, "", "internal error")
			}
		}()
		c.Next()
	}
}

func (s *Server) countRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		s.metrics.httpRequests.WithLabelValues(route, http.StatusText(c.Writer.Status())).Inc()
	}
}

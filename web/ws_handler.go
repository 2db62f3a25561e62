package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/web/internal/wsout"
)

// helloTimeout is how long a new connection has to send hello.
const helloTimeout = 10 * time.Second

func (s *Server) newUpgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		// A small read buffer of its own lets the HTTP server's 4 KiB reader be collected
		// (client messages are small; larger ones are read in several calls). The library
		// writes only control frames (data messages are framed by package wsout), from pooled
		// buffers, so that an idle connection holds none.
		ReadBufferSize:  wsReadBufferSize,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     s.checkOrigin,
		// Bounds writing the 101 response; the session then sets its own deadlines.
		HandshakeTimeout: s.cfg.WriteTimeout,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeProblem(w, r, upgradeProblem(status), Problem{Detail: reason.Error()})
		},
	}
}

// checkOrigin admits non-browser clients (no Origin), same-host pages and the allow-list.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// wsReadBufferSize is each session's read buffer.
const wsReadBufferSize = 512

// serveWS upgrades the request and starts the session. The session runs in goroutines of its
// own, owned by the server (connWG), so that the HTTP handler returns: the HTTP connection's
// buffers, request and router context are then released instead of living as long as the
// session, and the session's reader starts on a fresh, shallow stack.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrigin(r) {
		s.metrics.wsRejected.WithLabelValues("origin").Inc()
		writeProblem(w, r, probOrigin, Problem{Field: "Origin",
			Detail: fmt.Sprintf("origin %q is not in allowed_origins", r.Header.Get("Origin"))})
		return
	}
	// A valid bearer header (non-browser clients) authenticates the upgrade itself; a bad one
	// is refused before upgrading.
	var pre *principal
	if r.Header.Get("Authorization") != "" {
		p, err := s.auth.fromRequest(r)
		if err != nil {
			s.metrics.wsRejected.WithLabelValues("token").Inc()
			s.rateLog.warn(logrus.Fields{"remote": r.RemoteAddr, "reason": err.Error()}, "websocket upgrade refused: unauthorized")
			writeProblem(w, r, probUnauthorized, Problem{Field: "Authorization", Detail: err.Error()})
			return
		}
		if s.sessionsFull(p) {
			s.metrics.wsRejected.WithLabelValues("sessions").Inc()
			s.metrics.limited.WithLabelValues(limitSessionsPerUser).Inc()
			writeProblem(w, r, probTooMany, Problem{
				Detail: fmt.Sprintf("%s already has %d WebSocket sessions, the most allowed (web.max_sessions_per_user); close one first", p.Name, s.cfg.MaxSessionsPerUser)})
			return
		}
		pre = p
	}
	hj := &wsout.Hijacker{ResponseWriter: w}
	ws, err := s.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		return // the upgrader has answered (or closed the hijacked connection)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	c := &wsConn{s: s, ws: ws, sock: hj.Out, remote: r.RemoteAddr, since: time.Now().UTC(), ctx: ctx,
		cancel: cancel, wclosed: make(chan struct{}), feeds: map[string]*feed{},
		cmdSem: make(chan struct{}, maxCommandsInFlight), p: pre}
	ws.SetReadLimit(s.cfg.MaxMessageBytes)
	s.addConn(c)
	go c.run()
}

// run is the session: the reader until the peer goes away or the session fails, then the
// cleanup once the close frame is written and the writers and the commands are done.
func (c *wsConn) run() {
	defer c.s.removeConn(c)
	c.startPinger()
	c.readLoop()
	if c.s.ctx.Err() != nil {
		c.fail(websocket.CloseGoingAway, "server shutting down")
	}
	c.fail(websocket.CloseNormalClosure, "")
	c.cmds.Wait()
	c.waitBackground()
	<-c.wclosed // fail woke a writer, which ends with the close frame
	c.writers.Wait()
	for pbx, f := range c.feeds {
		if h := c.s.hubs[pbx]; h != nil {
			h.removeFeed(f)
		}
	}
}

// readLoop reads messages until the peer goes away or the session fails.
func (c *wsConn) readLoop() {
	pongWait := c.s.cfg.PongTimeout
	c.ws.SetPongHandler(func(data string) error {
		c.pong(data)
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})
	_ = c.ws.SetReadDeadline(time.Now().Add(helloTimeout))
	helloDone := false
	stop := context.AfterFunc(c.ctx, func() { _ = c.ws.SetReadDeadline(time.Now()) })
	defer stop()
	for c.ctx.Err() == nil {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			var ne interface{ Timeout() bool }
			if !helloDone && errors.As(err, &ne) && ne.Timeout() && c.ctx.Err() == nil {
				c.sendError("hello_timeout", "", fmt.Sprintf("no hello within %s", helloTimeout), 0)
				c.fail(CloseHelloTimeout, "hello timeout")
			} else if errors.Is(err, websocket.ErrReadLimit) {
				c.fail(websocket.CloseMessageTooBig, fmt.Sprintf("message larger than %d bytes", c.s.cfg.MaxMessageBytes))
			}
			return
		}
		// The message is handled on a goroutine of its own while the reader waits: decoding
		// and the engine's calls need a deep stack, and the reader, which lives as long as
		// the session, keeps a small one.
		done := make(chan struct{})
		keep := true
		go func() { defer close(done); keep = c.handle(data, &helloDone) }()
		<-done
		if !keep {
			return
		}
	}
}

// handle acts on one client message; false ends the session.
func (c *wsConn) handle(data []byte, helloDone *bool) bool {
	c.in.Add(1)
	c.s.metrics.wsMessagesIn.Inc()
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		c.sendError("bad_json", "", "message is not a JSON object: "+err.Error(), 0)
		return true
	}
	if !*helloDone {
		if env.Type != msgHello {
			c.sendError("hello_required", "type", fmt.Sprintf("the first message must be hello, not %q", env.Type), 0)
			return true
		}
		if !c.hello(data) {
			return false
		}
		*helloDone = true
		_ = c.ws.SetReadDeadline(time.Now().Add(c.s.cfg.PongTimeout))
		return true
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(c.s.cfg.PongTimeout))
	c.dispatch(env.Type, data)
	return true
}

// strictDecode decodes one JSON object into v, rejecting unknown members.
func strictDecode(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// fieldOf names the member a decoding error is about, when it can.
func fieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), "\"")
	}
	return ""
}

// hello authenticates the session and answers with welcome. false ends the session.
func (c *wsConn) hello(data []byte) bool {
	var m helloMsg
	if err := strictDecode(data, &m); err != nil {
		c.sendError("bad_field", fieldOf(err), "hello: "+err.Error(), 0)
		c.fail(CloseUnauthorized, "bad hello")
		return false
	}
	if m.V != ProtocolVersion {
		c.sendError("unsupported_version", "v", fmt.Sprintf("protocol version %d is not supported; this server speaks %d", m.V, ProtocolVersion), 0)
		c.fail(CloseBadVersion, "unsupported protocol version")
		return false
	}
	p := c.p
	if m.Token != "" || p == nil {
		var err error
		if p, err = c.s.auth.lookup(m.Token); err != nil {
			c.s.metrics.wsRejected.WithLabelValues("token").Inc()
			c.sendError("unauthorized", "token", err.Error(), 0)
			c.fail(CloseUnauthorized, "unauthorized")
			c.logClose("unauthorized: "+err.Error(), CloseUnauthorized)
			return false
		}
	}
	if !c.s.takeSession(c, p) {
		c.s.metrics.wsRejected.WithLabelValues("sessions").Inc()
		c.s.metrics.limited.WithLabelValues(limitSessionsPerUser).Inc()
		msg := fmt.Sprintf("%s already has %d WebSocket sessions, the most allowed (web.max_sessions_per_user); close one first", p.Name, c.s.cfg.MaxSessionsPerUser)
		c.sendError("too_many_sessions", "", msg, 0)
		c.fail(CloseTooManySessions, "too many sessions")
		c.s.rateLog.warn(logrus.Fields{"remote": c.remote, "user": p.Name, "reason": "too many sessions"}, "websocket client disconnected")
		return false
	}
	c.s.connsMu.Lock()
	c.client = m.Client
	c.s.connsMu.Unlock()
	c.send(c.s.welcome(c.p, m.OmitLines))
	return true
}

// welcome describes what the principal may use. With omitLines (the hello's omitLines) it
// lists no line, which costs nothing however many lines the principal sees, and gives the
// patterns of the principal's own lines instead.
func (s *Server) welcome(p *principal, omitLines bool) welcomeMsg {
	w := welcomeMsg{Type: msgWelcome, V: ProtocolVersion, Instance: s.svc.InstanceID(),
		User: p.Name, Role: p.Role, Lines: []welcomeLine{},
		Limits: wsLimits{MaxMessageBytes: s.cfg.MaxMessageBytes, SendQueue: s.cfg.SendQueue,
			DialPerMinute: s.cfg.DialRatePerMinute, CommandsPerMinute: s.cfg.UserCommandRate,
			LineCommandsPerMinute: s.cfg.LineCommandRate, MaxSessions: s.cfg.MaxSessionsPerUser}}
	for _, li := range s.svc.Links() {
		w.PBXs = append(w.PBXs, pbxStatus{Name: li.PBX, Active: li.Active})
	}
	if omitLines {
		w.LinesOmitted = true
		w.OwnLines = append([]string{}, p.lines...)
		return w
	}
	for _, l := range p.seeLines(s.svc) {
		wl := welcomeLine{Name: l.Name, PBX: l.PBX, DeviceID: l.DeviceID, Address: l.Address,
			DisplayName: l.DisplayName, InService: l.InService, Control: p.canControl(l.Name), Ops: []cti.Op{}}
		if wl.Control {
			wl.Ops = allOps
		}
		w.Lines = append(w.Lines, wl)
	}
	return w
}

func (c *wsConn) dispatch(typ string, data []byte) {
	switch typ {
	case msgSubscribe:
		var m subscribeMsg
		if err := strictDecode(data, &m); err != nil {
			c.sendError("bad_field", fieldOf(err), "subscribe: "+err.Error(), 0)
			return
		}
		c.subscribe(m)
	case msgUnsubscribe:
		var m unsubscribeMsg
		if err := strictDecode(data, &m); err != nil {
			c.sendError("bad_field", fieldOf(err), "unsubscribe: "+err.Error(), 0)
			return
		}
		c.unsubscribe(m)
	case msgCommand:
		var m commandMsg
		if err := strictDecode(data, &m); err != nil {
			c.sendError("bad_field", fieldOf(err), "command: "+err.Error(), 0)
			return
		}
		c.command(m)
	case msgPing:
		var m pingMsg
		if err := strictDecode(data, &m); err != nil {
			c.sendError("bad_field", fieldOf(err), "ping: "+err.Error(), 0)
			return
		}
		c.send(pongMsg{Type: msgPong, ID: m.ID})
	case msgHello:
		c.sendError("already_authenticated", "type", "hello was already accepted on this connection", 0)
	case "":
		c.sendError("bad_field", "type", "message has no \"type\"", 0)
	default:
		c.sendError("unknown_type", "type", fmt.Sprintf("unknown message type %q (known: subscribe, unsubscribe, command, ping)", typ), 0)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

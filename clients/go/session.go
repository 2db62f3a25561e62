package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/tapi"
)

// writeTimeout bounds one WebSocket write.
const writeTimeout = 10 * time.Second

// session is one WebSocket connection: hello, welcome, subscribe, then messages. Only the
// client's run goroutine reads; any goroutine may write.
type session struct {
	url     string
	ws      *websocket.Conn
	welcome Welcome
	// expect lists the PBXs whose feeds must report synced before the session is current.
	expect map[string]bool

	wmu sync.Mutex

	pmu     sync.Mutex
	pending map[uint32]chan commandResult
	closed  bool
}

type commandResult struct {
	reply tapi.Reply
	err   error
}

// open connects to url, authenticates and subscribes. It returns once the bridge confirmed
// the subscription (or at once, when cfg subscribes to nothing). A bridge that refuses the
// hello's omitLines (older than the member; it closes the session) gets a second connection
// without it.
func open(ctx context.Context, cfg *Config, url string, cursors map[string]Position) (*session, error) {
	s, err := openOnce(ctx, cfg, url, cursors, cfg.OmitWelcomeLines)
	if cfg.OmitWelcomeLines && refusedOmitLines(err) {
		return openOnce(ctx, cfg, url, cursors, false)
	}
	return s, err
}

// refusedOmitLines reports whether err is a bridge's refusal of the hello's omitLines.
func refusedOmitLines(err error) bool {
	var se *ServerError
	return errors.As(err, &se) && se.Code == "bad_field" && se.Field == "omitLines"
}

func openOnce(ctx context.Context, cfg *Config, url string, cursors map[string]Position, omitLines bool) (*session, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	d := websocket.Dialer{HandshakeTimeout: cfg.DialTimeout, Proxy: http.ProxyFromEnvironment}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("connect %s: %w (HTTP %s)", url, err, resp.Status)
		}
		return nil, fmt.Errorf("connect %s: %w", url, err)
	}
	s := &session{url: url, ws: ws, pending: map[uint32]chan commandResult{}}
	stop := context.AfterFunc(ctx, func() { _ = ws.Close() })
	defer stop()
	if err := s.handshake(ctx, cfg, cursors, omitLines); err != nil {
		_ = ws.Close()
		if ctx.Err() != nil && !isFatal(err) {
			return nil, fmt.Errorf("connect %s: %w", url, context.Cause(ctx))
		}
		return nil, err
	}
	return s, nil
}

func (s *session) handshake(ctx context.Context, cfg *Config, cursors map[string]Position, omitLines bool) error {
	hello := helloMsg{Type: "hello", V: ProtocolVersion, Token: cfg.Token, Client: cfg.ClientName, OmitLines: omitLines}
	if err := s.write(hello); err != nil {
		return err
	}
	m, err := s.read(time.Now().Add(cfg.DialTimeout))
	if err != nil {
		return err
	}
	switch m.Type {
	case "welcome":
	case "error":
		if m.Code == "unauthorized" {
			return &AuthError{URL: s.url, Reason: m.Message}
		}
		return &ServerError{Code: m.Code, Field: m.Field, Message: m.Message}
	default:
		return fmt.Errorf("%s: expected welcome, got %q", s.url, m.Type)
	}
	s.welcome = Welcome{Instance: m.Instance, User: m.User, Role: m.Role, PBXs: m.PBXs,
		LinesOmitted: m.LinesOmitted, OwnLines: m.OwnLines}
	if err := json.Unmarshal(m.Lines, &s.welcome.Lines); err != nil {
		return fmt.Errorf("%s: welcome lines: %w", s.url, err)
	}
	if !cfg.All && len(cfg.Lines) == 0 {
		return nil
	}
	return s.subscribe(cfg, cursors)
}

// subscribe sends the subscription and waits for subscribed. The PBXs whose feeds must report
// synced are those of the subscribed lines. A cursor is sent only for a PBX of the
// subscription: for All, the welcome's lines name them; a welcome without lines does not, so
// the cursors go as they are and one the bridge refuses because its PBX has no subscribed line
// (the token's lines changed since) is dropped and the subscribe sent again: that PBX starts
// over with a resync, as it would have.
func (s *session) subscribe(cfg *Config, cursors map[string]Position) error {
	s.expect = map[string]bool{}
	sub := subscribeMsg{Type: "subscribe", All: cfg.All, Lines: cfg.Lines, Cursors: map[string]Position{}}
	pbxs := map[string]bool{}
	for _, l := range s.welcome.Lines {
		pbxs[l.PBX] = true
	}
	for _, l := range cfg.Lines {
		pbxs[pbxOf(l)] = true
	}
	for pbx, pos := range cursors {
		if pbxs[pbx] || (cfg.All && s.welcome.LinesOmitted) {
			sub.Cursors[pbx] = pos
		}
	}
	for {
		lines, err := s.subscribeOnce(cfg, sub)
		var se *SubscribeError
		if errors.As(err, &se) && se.Code == "bad_field" && strings.HasPrefix(se.Field, "cursors.") {
			pbx := strings.TrimPrefix(se.Field, "cursors.")
			if _, sent := sub.Cursors[pbx]; sent {
				delete(sub.Cursors, pbx)
				continue
			}
		}
		if err != nil {
			return err
		}
		for _, l := range lines {
			s.expect[pbxOf(l)] = true
		}
		return nil
	}
}

// subscribeOnce sends sub and returns the lines of the bridge's subscribed answer.
func (s *session) subscribeOnce(cfg *Config, sub subscribeMsg) ([]string, error) {
	if err := s.write(sub); err != nil {
		return nil, err
	}
	for {
		m, err := s.read(time.Now().Add(cfg.DialTimeout))
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case "subscribed":
			var lines []string
			if err := json.Unmarshal(m.Lines, &lines); err != nil {
				return nil, fmt.Errorf("%s: subscribed lines: %w", s.url, err)
			}
			return lines, nil
		case "error":
			return nil, &SubscribeError{URL: s.url, Code: m.Code, Field: m.Field, Message: m.Message}
		case "pong":
		default:
			return nil, fmt.Errorf("%s: expected subscribed, got %q", s.url, m.Type)
		}
	}
}

// SubscribeError is a subscription the bridge refused: an unknown line, a line the token may
// not see, a bad cursor. Reconnecting cannot help.
type SubscribeError struct {
	URL, Code, Field, Message string
}

func (e *SubscribeError) Error() string {
	return fmt.Sprintf("%s refused the subscription (%s %s): %s", e.URL, e.Code, e.Field, e.Message)
}

// read reads one message with a deadline.
func (s *session) read(deadline time.Time) (*serverMsg, error) {
	_ = s.ws.SetReadDeadline(deadline)
	_, data, err := s.ws.ReadMessage()
	if err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return nil, &CloseError{URL: s.url, Code: ce.Code, Reason: ce.Text}
		}
		return nil, fmt.Errorf("%s: read: %w", s.url, err)
	}
	var m serverMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: message is not JSON: %w", s.url, err)
	}
	return &m, nil
}

func (s *session) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("%s: write: %w", s.url, err)
	}
	return nil
}

// register reserves a reply slot for request id; false when the session has ended.
func (s *session) register(id uint32) (chan commandResult, bool) {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if s.closed {
		return nil, false
	}
	ch := make(chan commandResult, 1)
	s.pending[id] = ch
	return ch, true
}

func (s *session) unregister(id uint32) {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	delete(s.pending, id)
}

// resolve hands a reply to the command waiting for it.
func (s *session) resolve(id uint32, r commandResult) {
	s.pmu.Lock()
	ch, ok := s.pending[id]
	delete(s.pending, id)
	s.pmu.Unlock()
	if ok {
		ch <- r
	}
}

// close ends the session and fails every command still waiting.
func (s *session) close() {
	s.pmu.Lock()
	s.closed = true
	pending := s.pending
	s.pending = map[uint32]chan commandResult{}
	s.pmu.Unlock()
	for _, ch := range pending {
		ch <- commandResult{err: ErrConnectionLost}
	}
	_ = s.ws.Close()
}

package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
// the subscription (or at once, when cfg subscribes to nothing).
func open(ctx context.Context, cfg *Config, url string, cursors map[string]Position) (*session, error) {
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
	if err := s.handshake(ctx, cfg, cursors); err != nil {
		_ = ws.Close()
		if ctx.Err() != nil && !isFatal(err) {
			return nil, fmt.Errorf("connect %s: %w", url, context.Cause(ctx))
		}
		return nil, err
	}
	return s, nil
}

func (s *session) handshake(ctx context.Context, cfg *Config, cursors map[string]Position) error {
	if err := s.write(helloMsg{Type: "hello", V: ProtocolVersion, Token: cfg.Token, Client: cfg.ClientName}); err != nil {
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
	s.welcome = Welcome{Instance: m.Instance, User: m.User, Role: m.Role, PBXs: m.PBXs}
	if err := json.Unmarshal(m.Lines, &s.welcome.Lines); err != nil {
		return fmt.Errorf("%s: welcome lines: %w", s.url, err)
	}
	if !cfg.All && len(cfg.Lines) == 0 {
		return nil
	}
	s.expect = map[string]bool{}
	sub := subscribeMsg{Type: "subscribe", All: cfg.All, Lines: cfg.Lines, Cursors: map[string]Position{}}
	if cfg.All {
		for _, l := range s.welcome.Lines {
			s.expect[l.PBX] = true
		}
	}
	for _, l := range cfg.Lines {
		s.expect[pbxOf(l)] = true
	}
	for pbx, pos := range cursors {
		if s.expect[pbx] {
			sub.Cursors[pbx] = pos
		}
	}
	if err := s.write(sub); err != nil {
		return err
	}
	for {
		m, err := s.read(time.Now().Add(cfg.DialTimeout))
		if err != nil {
			return err
		}
		switch m.Type {
		case "subscribed":
			return nil
		case "error":
			return &SubscribeError{URL: s.url, Code: m.Code, Field: m.Field, Message: m.Message}
		case "pong":
		default:
			return fmt.Errorf("%s: expected subscribed, got %q", s.url, m.Type)
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

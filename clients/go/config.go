package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config says where to connect and what to subscribe to.
type Config struct {
	// URLs of bridge instances: ws://, wss://, http:// or https://; a URL without a path gets
	// "/ws". The client tries them in order at the start and on each reconnect, starting after
	// the one that failed.
	URLs  []string
	Token string
	// Lines to subscribe to ("pbx/extension"); All subscribes to every line the token may
	// see. With neither, the client only sends commands and receives no line events.
	Lines []string
	All   bool
	// Resume holds cursors saved from an earlier client (Client.Cursors), by PBX: the first
	// session continues from them instead of starting with a fresh snapshot.
	Resume map[string]Position
	// ClientName is shown in the bridge's diagnostics (default "ctibridge-go").
	ClientName string
	// OmitWelcomeLines asks the bridge for a welcome without its line list (the hello's
	// omitLines, docs/websocket.md): Welcome().Lines stays empty and Welcome().OwnLines gives
	// the token's line patterns instead. For tokens that see tens of thousands of lines (lines
	// "*", supervisors, server-side connectors) the list is megabytes and bridge CPU on every
	// connect, while the subscribed lines arrive with the subscribe's resync anyway. A bridge
	// that does not know the member refuses the hello; the client then connects again without it.
	OmitWelcomeLines bool

	// MinBackoff and MaxBackoff bound the wait between reconnect rounds (defaults 100ms and
	// 10s); each wait is a random time up to the doubled previous one ("full jitter").
	MinBackoff, MaxBackoff time.Duration
	// KeepAlive is the interval of the client's pings (default 15s); a connection that
	// brings nothing for three intervals is considered dead and replaced.
	KeepAlive time.Duration
	// DialTimeout bounds one connection attempt including hello (default 10s).
	DialTimeout time.Duration
	// EventBuffer is the capacity of the Events channel (default 256). The client waits for
	// the application to take events; a bridge that finds it too slow disconnects it, and the
	// client resumes from its cursors without loss.
	EventBuffer int
}

func (c *Config) withDefaults() (Config, error) {
	d := *c
	if len(d.URLs) == 0 {
		return d, errors.New("ctibridge client: Config.URLs is empty; give at least one bridge URL, e.g. ws://localhost:8080/ws")
	}
	if d.Token == "" {
		return d, errors.New("ctibridge client: Config.Token is empty")
	}
	if d.All && len(d.Lines) > 0 {
		return d, errors.New("ctibridge client: give Config.Lines or Config.All, not both")
	}
	d.URLs = make([]string, len(c.URLs))
	for i, u := range c.URLs {
		ws, err := WebSocketURL(u)
		if err != nil {
			return d, fmt.Errorf("ctibridge client: URLs[%d]: %w", i, err)
		}
		d.URLs[i] = ws
	}
	d.Lines = append([]string(nil), c.Lines...)
	if d.ClientName == "" {
		d.ClientName = "ctibridge-go"
	}
	if d.MinBackoff <= 0 {
		d.MinBackoff = 100 * time.Millisecond
	}
	if d.MaxBackoff < d.MinBackoff {
		d.MaxBackoff = max(10*time.Second, d.MinBackoff)
	}
	if d.KeepAlive <= 0 {
		d.KeepAlive = 15 * time.Second
	}
	if d.DialTimeout <= 0 {
		d.DialTimeout = 10 * time.Second
	}
	if d.EventBuffer <= 0 {
		d.EventBuffer = 256
	}
	return d, nil
}

// WebSocketURL turns a bridge URL (ws, wss, http or https; path optional) into the URL of
// its WebSocket endpoint.
func WebSocketURL(raw string) (string, error) {
	u, err := parseBridgeURL(raw)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/ws"
	}
	return u.String(), nil
}

// HTTPURL turns a bridge URL into the base URL of its REST API (scheme and host only).
func HTTPURL(raw string) (string, error) {
	u, err := parseBridgeURL(raw)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	return u.Scheme + "://" + u.Host, nil
}

func parseBridgeURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("bridge URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bridge URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return nil, fmt.Errorf("bridge URL %q: scheme must be ws, wss, http or https (e.g. ws://localhost:8080/ws)", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("bridge URL %q has no host", raw)
	}
	return u, nil
}

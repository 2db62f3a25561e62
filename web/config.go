package web

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// Roles a token may have. Each role includes the rights of the ones before it.
const (
	RoleUser       = "user"       // sees and controls its own lines
	RoleSupervisor = "supervisor" // sees every line, controls only its own
	RoleAdmin      = "admin"      // as supervisor, plus links, switchover, diagnostics
)

// Defaults applied by New to zero Config fields: the one place they are written. DefaultConfig
// and New use them, and so does the daemon (cmd/ctibridge), whose docs/config.md is tested
// against them.
const (
	// DefaultDialRatePerMinute: click-to-dial places calls that may cost money; ten a minute
	// is more than a person clicks and stops a runaway script early.
	DefaultDialRatePerMinute = 10
	// DefaultSendQueue: the queue grows only in a burst, so a long one costs nothing at rest
	// and spares clients the catch-up from the event log in ordinary bursts.
	DefaultSendQueue   = 1024
	DefaultBehindLimit = 10 * time.Second
	// DefaultLateAfter: twice the owner pipeline's overload threshold (cti), so that an
	// instance that follows the log over a store does not count its usual latency.
	DefaultLateAfter       = 500 * time.Millisecond
	DefaultReplayCache     = 20000
	DefaultMaxMessageBytes = 64 << 10
	DefaultAlertRetries    = 5
	DefaultAlertBackoff    = 500 * time.Millisecond
	DefaultWriteTimeout    = 10 * time.Second
	DefaultPongTimeout     = 60 * time.Second

	// HTTP server (HTTPServer, ShutdownHTTP).
	DefaultHTTPHeaderTimeout = 10 * time.Second
	DefaultHTTPReadTimeout   = 30 * time.Second
	DefaultHTTPWriteTimeout  = 30 * time.Second
	DefaultHTTPIdleTimeout   = 120 * time.Second
	DefaultShutdownTimeout   = 5 * time.Second
	DefaultMaxConnsPerIP     = 512
	DefaultUnauthRatePerIP   = 600 // requests per minute without a valid token, per address
	DefaultUnauthBurstPerIP  = 100

	// Commands (every op, REST and WebSocket), per minute, with their bursts.
	DefaultUserCommandRate  = 600
	DefaultUserCommandBurst = 60
	DefaultLineCommandRate  = 60
	DefaultLineCommandBurst = 20

	// DefaultMaxSessionsPerUser caps the WebSocket sessions of one user.
	DefaultMaxSessionsPerUser = 50
)

// Config configures the web front end. Zero values take the documented defaults.
type Config struct {
	// Users are the tokens the bridge accepts. A token is checked by its SHA-256 hash.
	Users []User
	// AllowedOrigins lists the Origin header values accepted on /ws and, through CORS, on
	// the REST API (e.g. "https://crm.example.com"). Requests without Origin (non-browser
	// clients) and same-host origins are always accepted; "*" accepts every origin (for
	// REST: every origin's requests are answered with the origin echoed, see cors.go).
	AllowedOrigins []string
	// DialRatePerMinute bounds click-to-dial (REST dial and WebSocket makeCall) per user.
	// Default 10; negative disables the limit.
	DialRatePerMinute int
	// SendQueue is the outbound queue length of a WebSocket connection, in messages. A client
	// whose queue is full when an event comes (a burst) falls behind: it is caught up from the
	// event log as it reads, then gets live events again. Default 1024.
	SendQueue int
	// BehindLimit is how long a client may stay behind; one behind for longer, or falling
	// behind more than 30 times a minute, is disconnected with close code 4008 (slow consumer).
	// Default 10s.
	BehindLimit time.Duration
	// LateAfter: events that reach this instance's clients this late (since the owner received
	// them from the PBX) count as overload here, also on an instance that only follows the
	// log: the PBX's sessions are probed and the slowest shed (hub_late.go). Default 500ms;
	// negative disables (only the owner pipeline's overload then sheds).
	LateAfter time.Duration
	// ReplayCache is how many of a PBX's newest log entries each instance keeps in memory to
	// replay to resuming clients without reading the store. Default 20000; negative disables.
	ReplayCache int
	// MaxMessageBytes is the largest WebSocket message or REST body accepted. Default 64 KiB.
	MaxMessageBytes int64
	// Numbering converts numbers between E.164 and each PBX's dial strings, keyed by PBX name.
	// PBXs without an entry pass numbers through unchanged.
	Numbering map[string]Numbering
	// AuditLog receives one JSON line per admin action. Default: the Logger, field audit=true.
	AuditLog io.Writer
	// AlertWebhooks receive a JSON POST for link down, switchover, both nodes down and
	// resync completed. Each delivery is retried AlertRetries times with doubling backoff.
	AlertWebhooks []string
	AlertRetries  int           // default 5
	AlertBackoff  time.Duration // first retry delay, default 500ms
	// WriteTimeout bounds one WebSocket write; PongTimeout is how long a silent client is kept.
	WriteTimeout time.Duration // default 10s
	PongTimeout  time.Duration // default 60s; the server pings every PongTimeout/2
	// HTTP server timeouts (HTTPServer): HTTPHeaderTimeout bounds reading a request's headers,
	// HTTPReadTimeout the whole request with its body (a body that does not arrive in time is
	// answered 408 and the connection closed), HTTPWriteTimeout writing the response once the
	// request is read (handlers that wait for the PBX extend it by their own bound),
	// HTTPIdleTimeout a keep-alive connection between requests. WebSocket sessions are not
	// bound by them after the upgrade: they have WriteTimeout, PongTimeout and the hello timeout.
	HTTPHeaderTimeout time.Duration // default 10s
	HTTPReadTimeout   time.Duration // default 30s
	HTTPWriteTimeout  time.Duration // default 30s
	HTTPIdleTimeout   time.Duration // default 120s
	// ShutdownTimeout bounds ShutdownHTTP: in-flight requests get this long, then every
	// connection still open is closed. Default 5s.
	ShutdownTimeout time.Duration
	// MaxConnsPerIP caps the open HTTP/WebSocket connections of one remote address (further
	// connections are closed at once). Default 512; negative disables (e.g. behind a proxy).
	MaxConnsPerIP int
	// UnauthRatePerIP bounds the requests per minute of one remote address that carry no valid
	// token (dashboard files, failed logins, WebSocket upgrades before hello), with a burst of
	// UnauthBurstPerIP; more are answered 429 with Retry-After. Default 600 and 100; negative
	// disables.
	UnauthRatePerIP  int
	UnauthBurstPerIP int
	// UserCommandRate and LineCommandRate bound every command (all ops, REST and WebSocket)
	// per user and per acting line, per minute, with bursts UserCommandBurst and
	// LineCommandBurst. Defaults 600/60 and 60/20; negative rates disable the limit.
	UserCommandRate  int
	UserCommandBurst int
	LineCommandRate  int
	LineCommandBurst int
	// MaxSessionsPerUser caps the WebSocket sessions one user holds at once; a further hello
	// is refused with close code 4029. Default 50; negative disables.
	MaxSessionsPerUser int
	// Webhooks is the call webhook dispatcher behind /api/v1/webhooks (admin); nil: those
	// endpoints answer 501.
	Webhooks WebhookAdmin
	// Logger is where the front end logs. Default: logrus standard logger.
	Logger *logrus.Entry
	// Collectors are further Prometheus collectors served on /metrics, e.g. the caller
	// lookup's (lookup.Metrics).
	Collectors []prometheus.Collector
}

// User is one bearer token and what it may do.
type User struct {
	Name string
	// TokenSHA256 is the lower- or upper-case hex SHA-256 of the token.
	TokenSHA256 string
	// Role is "user", "supervisor" or "admin".
	Role string
	// Lines are the lines the user controls (and, as role user, the only ones it sees):
	// "hq/201", "hq/*" for all lines of a PBX, or "*".
	Lines []string
}

// Numbering describes how a PBX's numbers map to E.164 (ToDial, ToE164; the plan of the
// country comes from libphonenumber).
type Numbering struct {
	Country       string // country calling code without "+", e.g. "49"
	Area          string // area code without national prefix, e.g. "30"
	OutsidePrefix string // digit(s) to seize an outside line, e.g. "0"
	// ExtensionDigits is the length of internal extensions; shorter or equal numbers are
	// internal and pass unchanged. With 0 (unknown), numbers without any prefix pass too.
	ExtensionDigits int
	// NationalPrefix and InternationalPrefix are the trunk prefixes of the country. Default:
	// the country's, from the numbering library (CountryPrefixes): "0" and "00" for 49, "1"
	// and "011" for 1.
	NationalPrefix      string
	InternationalPrefix string
}

// DefaultConfig is the front end's configuration with every default filled in; Users,
// AllowedOrigins, Numbering, AuditLog, AlertWebhooks and Logger are left for the caller.
// Zero fields of a Config given to New take these values.
func DefaultConfig() Config {
	return Config{
		DialRatePerMinute:  DefaultDialRatePerMinute,
		SendQueue:          DefaultSendQueue,
		BehindLimit:        DefaultBehindLimit,
		LateAfter:          DefaultLateAfter,
		ReplayCache:        DefaultReplayCache,
		MaxMessageBytes:    DefaultMaxMessageBytes,
		AlertRetries:       DefaultAlertRetries,
		AlertBackoff:       DefaultAlertBackoff,
		WriteTimeout:       DefaultWriteTimeout,
		PongTimeout:        DefaultPongTimeout,
		HTTPHeaderTimeout:  DefaultHTTPHeaderTimeout,
		HTTPReadTimeout:    DefaultHTTPReadTimeout,
		HTTPWriteTimeout:   DefaultHTTPWriteTimeout,
		HTTPIdleTimeout:    DefaultHTTPIdleTimeout,
		ShutdownTimeout:    DefaultShutdownTimeout,
		MaxConnsPerIP:      DefaultMaxConnsPerIP,
		UnauthRatePerIP:    DefaultUnauthRatePerIP,
		UnauthBurstPerIP:   DefaultUnauthBurstPerIP,
		UserCommandRate:    DefaultUserCommandRate,
		UserCommandBurst:   DefaultUserCommandBurst,
		LineCommandRate:    DefaultLineCommandRate,
		LineCommandBurst:   DefaultLineCommandBurst,
		MaxSessionsPerUser: DefaultMaxSessionsPerUser,
	}
}

// applyDefaults fills zero fields from DefaultConfig. Settings where a negative value
// disables something (rates, caps, the replay cache) take the default only when zero; the
// others also when negative.
func (c *Config) applyDefaults() {
	d := DefaultConfig()
	for _, f := range []struct{ v, def *int }{
		{&c.DialRatePerMinute, &d.DialRatePerMinute}, {&c.ReplayCache, &d.ReplayCache},
		{&c.MaxConnsPerIP, &d.MaxConnsPerIP}, {&c.UnauthRatePerIP, &d.UnauthRatePerIP},
		{&c.UnauthBurstPerIP, &d.UnauthBurstPerIP}, {&c.UserCommandRate, &d.UserCommandRate},
		{&c.UserCommandBurst, &d.UserCommandBurst}, {&c.LineCommandRate, &d.LineCommandRate},
		{&c.LineCommandBurst, &d.LineCommandBurst}, {&c.MaxSessionsPerUser, &d.MaxSessionsPerUser}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	for _, f := range []struct{ v, def *int }{{&c.SendQueue, &d.SendQueue}, {&c.AlertRetries, &d.AlertRetries}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if c.LateAfter == 0 {
		c.LateAfter = d.LateAfter
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = d.MaxMessageBytes
	}
	for _, f := range []struct{ v, def *time.Duration }{
		{&c.AlertBackoff, &d.AlertBackoff}, {&c.WriteTimeout, &d.WriteTimeout}, {&c.PongTimeout, &d.PongTimeout},
		{&c.HTTPHeaderTimeout, &d.HTTPHeaderTimeout}, {&c.HTTPReadTimeout, &d.HTTPReadTimeout},
		{&c.HTTPWriteTimeout, &d.HTTPWriteTimeout}, {&c.HTTPIdleTimeout, &d.HTTPIdleTimeout},
		{&c.ShutdownTimeout, &d.ShutdownTimeout}, {&c.BehindLimit, &d.BehindLimit}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if c.Logger == nil {
		c.Logger = logrus.NewEntry(logrus.StandardLogger())
	}
	for pbx, n := range c.Numbering {
		c.Numbering[pbx] = n.withDefaults()
	}
}

// validate checks the configuration and returns the first problem, naming the field.
func (c *Config) validate() error {
	names := map[string]bool{}
	hashes := map[string]string{}
	for i, u := range c.Users {
		if u.Name == "" {
			return fmt.Errorf("web: users[%d].name is empty", i)
		}
		if names[u.Name] {
			return fmt.Errorf("web: users[%d].name %q is listed twice", i, u.Name)
		}
		names[u.Name] = true
		h, err := hex.DecodeString(u.TokenSHA256)
		if err != nil || len(h) != 32 {
			return fmt.Errorf("web: users[%d] (%s).token_sha256 must be 64 hex digits (SHA-256 of the token)", i, u.Name)
		}
		key := strings.ToLower(u.TokenSHA256)
		if other, dup := hashes[key]; dup {
			return fmt.Errorf("web: users %q and %q have the same token", other, u.Name)
		}
		hashes[key] = u.Name
		switch u.Role {
		case RoleUser, RoleSupervisor, RoleAdmin:
		default:
			return fmt.Errorf("web: users[%d] (%s).role %q is not one of user, supervisor, admin", i, u.Name, u.Role)
		}
		for j, l := range u.Lines {
			if l != "*" && !strings.Contains(l, "/") {
				return fmt.Errorf("web: users[%d] (%s).lines[%d] %q is not \"pbx/extension\", \"pbx/*\" or \"*\"", i, u.Name, j, l)
			}
		}
	}
	for pbx, n := range c.Numbering {
		if err := n.check(); err != nil {
			return fmt.Errorf("web: numbering[%s].%v", pbx, err)
		}
	}
	for name, v := range map[string]int{"unauth_burst_per_ip": c.UnauthBurstPerIP,
		"user_command_burst": c.UserCommandBurst, "line_command_burst": c.LineCommandBurst} {
		if v < 1 {
			return fmt.Errorf("web: %s %d must be at least 1", name, v)
		}
	}
	for i, w := range c.AlertWebhooks {
		if !strings.HasPrefix(w, "http://") && !strings.HasPrefix(w, "https://") {
			return fmt.Errorf("web: alert_webhooks[%d] %q is not an http(s) URL", i, w)
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

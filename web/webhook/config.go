package webhook

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Event kinds a subscription may ask for, and the kind of a test delivery.
const (
	KindOffering    = "offering"    // LINE_CALLSTATE OFFERING: a call rings at the line
	KindConnected   = "connected"   // LINE_CALLSTATE CONNECTED (also when a held call is retrieved)
	KindHeld        = "held"        // LINE_CALLSTATE ONHOLD, ONHOLDPENDTRANSFER, ONHOLDPENDCONF
	KindTransferred = "transferred" // LINE_CALLINFO: the call's reason became TRANSFER
	KindEnded       = "ended"       // LINE_CALLSTATE IDLE, with the call summary
	// KindAgentState is LINE_AGENTSTATUS whose state changed: an agent logged on or off, went
	// ready, not ready (with a reason), busy with an ACD call or into wrap-up.
	KindAgentState = "agent.state"
	KindTest       = "test" // POST /api/v1/webhooks/{id}/test
)

// Kinds are the kinds a subscription may ask for. A subscription without kinds gets every
// kind, those added later too: receivers ignore kinds they do not know.
var Kinds = []string{KindOffering, KindConnected, KindHeld, KindTransferred, KindEnded, KindAgentState}

// Defaults for zero Config fields: the one place they are written (the daemon's
// config_defaults and docs/config.md use them).
const (
	// DefaultRetryFor: an hour covers a CRM's restart or a short outage; beyond it the
	// delivery is kept as failed so the stream moves on.
	DefaultRetryFor   = time.Hour
	DefaultTimeout    = 10 * time.Second
	DefaultBackoffMin = time.Second
	DefaultBackoffMax = 5 * time.Minute
	DefaultLeaseTTL   = 10 * time.Second
	DefaultRefresh    = 5 * time.Second
)

// Config configures a Dispatcher.
type Config struct {
	// Subscriptions from the configuration file; read-only through the REST API.
	Subscriptions []store.WebhookSubscription
	// PBXs whose event logs are followed.
	PBXs []string
	// Owner names this instance in the delivery leases (the instance ID).
	Owner string
	// RetryFor is how long a delivery is retried before it is kept as failed.
	RetryFor time.Duration
	// Timeout bounds one attempt (connect, send, response headers and body).
	Timeout time.Duration
	// BackoffMin and BackoffMax bound the exponential backoff between attempts.
	BackoffMin, BackoffMax time.Duration
	// LeaseTTL is the delivery lease's TTL: how long a killed deliverer's subscriptions wait
	// for another instance. Renewed every third of it.
	LeaseTTL time.Duration
	// Refresh is how often subscriptions made through another instance's API are picked up.
	Refresh time.Duration
	// Numbers presents each PBX's party numbers in deliveries (E.164 with the PBX's
	// numbering plan, as REST and WebSocket show them); a PBX without an entry keeps them as
	// the PBX reports them.
	Numbers map[string]tapi.NumberMap
	// Client sends the deliveries; default: an http.Client with Timeout that follows no
	// redirects.
	Client *http.Client
	// Logger; default logrus's standard logger.
	Logger *logrus.Entry
}

func (c *Config) applyDefaults() {
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&c.RetryFor, DefaultRetryFor}, {&c.Timeout, DefaultTimeout}, {&c.BackoffMin, DefaultBackoffMin},
		{&c.BackoffMax, DefaultBackoffMax}, {&c.LeaseTTL, DefaultLeaseTTL}, {&c.Refresh, DefaultRefresh}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if c.Logger == nil {
		c.Logger = logrus.NewEntry(logrus.StandardLogger())
	}
	if c.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// One stream keeps one request in flight; several streams to one CRM reuse theirs.
		tr.MaxIdleConnsPerHost = 16
		c.Client = &http.Client{Timeout: c.Timeout, Transport: tr,
			// A redirect is a failed delivery: following it could send calls to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Validate checks a subscription: an ID of letters, digits, '-' and '_' (at most 64), an
// absolute http or https URL, known kinds, line patterns "pbx/ext", "pbx/*" or "*", and a
// secret.
func Validate(w store.WebhookSubscription) error {
	bad := func(field, format string, a ...any) error {
		return &store.WebhookFieldError{Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	if !idPattern.MatchString(w.ID) {
		return bad("id", "%q must be 1 to 64 letters, digits, '-' or '_'", w.ID)
	}
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "":
		return bad("url", "missing")
	case err != nil:
		return bad("url", "%v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("url", "%q must be an http or https URL", w.URL)
	case u.Host == "":
		return bad("url", "%q has no host", w.URL)
	}
	for _, k := range w.Kinds {
		if !slices.Contains(Kinds, k) {
			return bad("kinds", "unknown kind %q (known: %s)", k, strings.Join(Kinds, ", "))
		}
	}
	for _, l := range w.Lines {
		if !validPattern(l) {
			return bad("lines", "pattern %q must be \"pbx/extension\", \"pbx/*\" or \"*\"", l)
		}
	}
	if w.Secret == "" {
		return bad("secret", "missing: deliveries are signed with it")
	}
	return nil
}

// validPattern reports whether l is "*", "pbx/*" or "pbx/extension".
func validPattern(l string) bool {
	if l == "*" {
		return true
	}
	pbx, ext, ok := tapi.SplitLine(l)
	return ok && !strings.Contains(ext, "/") &&
		(ext == "*" || !strings.Contains(ext, "*")) && !strings.Contains(pbx, "*")
}

// wantsLine reports whether the subscription's patterns match the line.
func wantsLine(w *store.WebhookSubscription, line string) bool {
	if len(w.Lines) == 0 {
		return true
	}
	for _, p := range w.Lines {
		if p == "*" || p == line || (strings.HasSuffix(p, "/*") && strings.HasPrefix(line, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

// wantsPBX reports whether any of the subscription's patterns can match a line of pbx.
func wantsPBX(w *store.WebhookSubscription, pbx string) bool {
	if len(w.Lines) == 0 {
		return true
	}
	for _, p := range w.Lines {
		if p == "*" || strings.HasPrefix(p, pbx+"/") {
			return true
		}
	}
	return false
}

func wantsKind(w *store.WebhookSubscription, kind string) bool {
	return len(w.Kinds) == 0 || slices.Contains(w.Kinds, kind)
}

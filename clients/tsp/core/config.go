package tspcore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
)

// Mode says which lines the provider offers.
type Mode string

const (
	// ModeUser is the TSP on a user's workstation: the token is the user's, and only the lines
	// it may control become TAPI lines.
	ModeUser Mode = "user"
	// ModeServer is the TSP on a TAPI server (shared to clients with tapimgmt): the token is a
	// service user's, and every line it may see becomes a TAPI line; the TAPI server's own
	// line permissions decide who uses which.
	ModeServer Mode = "server"
)

// Config is the provider's configuration (on Windows, from the registry; see README.md).
type Config struct {
	URLs  []string // bridge instances, tried in order
	Token string   // bearer token (stored DPAPI-protected on Windows)
	Mode  Mode
	// ConnectTimeout bounds the first connection at TSPI_providerEnumDevices (default 15s).
	ConnectTimeout time.Duration
	// OpenTimeout bounds how long TSPI_lineOpen waits for the bridge session to be in sync
	// (default 10s); a line opened without one starts out of service.
	OpenTimeout time.Duration
	// OutOfServiceAfter is how long the bridge must stay unreachable before open lines are
	// reported LINEDEVSTATE_OUTOFSERVICE (default 5s). A bridge takeover is shorter than
	// that, so applications do not see lines flap.
	OutOfServiceAfter time.Duration
	// RequestTimeout bounds how long an asynchronous request waits for the bridge's reply
	// before it completes with LINEERR_OPERATIONFAILED (default 30s).
	RequestTimeout time.Duration
	// ClientName is shown in the bridge's client diagnostics.
	ClientName string
}

// Defaults of the durations.
const (
	DefaultConnectTimeout    = 15 * time.Second
	DefaultOpenTimeout       = 10 * time.Second
	DefaultOutOfServiceAfter = 5 * time.Second
	DefaultRequestTimeout    = 30 * time.Second
)

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if len(c.URLs) == 0 {
		errs = append(errs, errors.New("URLs: no bridge URL configured; set e.g. ws://bridge:8080/ws"))
	}
	for i, u := range c.URLs {
		if _, err := client.WebSocketURL(u); err != nil {
			errs = append(errs, fmt.Errorf("URLs[%d]: %w", i, err))
		}
	}
	if c.Token == "" {
		//lint:ignore ST1005 the message starts with the configuration value's name, Token
		errs = append(errs, errors.New("Token: empty; the provider needs a bridge token"))
	}
	switch c.Mode {
	case "":
		c.Mode = ModeUser
	case ModeUser, ModeServer:
	default:
		errs = append(errs, fmt.Errorf("Mode: %q is not one of user, server", c.Mode))
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"ConnectTimeout", &c.ConnectTimeout, DefaultConnectTimeout}, {"OpenTimeout", &c.OpenTimeout, DefaultOpenTimeout},
		{"OutOfServiceAfter", &c.OutOfServiceAfter, DefaultOutOfServiceAfter},
		{"RequestTimeout", &c.RequestTimeout, DefaultRequestTimeout}} {
		switch {
		case *d.v < 0:
			errs = append(errs, fmt.Errorf("%s: %v must not be negative", d.name, *d.v))
		case *d.v == 0:
			*d.v = d.def
		}
	}
	if c.ClientName == "" {
		c.ClientName = "ctibridge-tsp"
	}
	return c, errors.Join(errs...)
}

// WithDefaults returns c with defaults filled in, or every problem of c at once.
func (c Config) WithDefaults() (Config, error) { return c.withDefaults() }

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// Registry value names under HKLM\SOFTWARE\ctibridge\TSP (and the per-provider subkey).
const (
	RegURLs                = "URLs"                // REG_MULTI_SZ (or REG_SZ, comma separated)
	RegToken               = "Token"               // REG_BINARY: DPAPI-protected token
	RegMode                = "Mode"                // REG_SZ: user or server
	RegConnectTimeoutMs    = "ConnectTimeoutMs"    // REG_DWORD
	RegOpenTimeoutMs       = "OpenTimeoutMs"       // REG_DWORD
	RegOutOfServiceAfterMs = "OutOfServiceAfterMs" // REG_DWORD
)

// ParseSetupArgs parses the command line of the DLL's rundll32 setup entry point
// ("-urls ws://a:8080/ws,ws://b:8080/ws -token T -mode server -oos-ms 5000 -open-ms 10000
// -connect-ms 15000 [-quiet]"). Values must not contain spaces. quiet (-quiet, no value)
// asks for no message box: scripted installs (an MSI custom action, a deployment script)
// have nobody to click it away.
func ParseSetupArgs(cmdline string) (c Config, quiet bool, err error) {
	f := strings.Fields(cmdline)
	ms := func(flag, v string) (time.Duration, error) {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return 0, fmt.Errorf("%s %q: want milliseconds", flag, v)
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	for i := 0; i < len(f); i += 2 {
		if f[i] == "-quiet" {
			quiet = true
			i--
			continue
		}
		if i+1 >= len(f) {
			return c, quiet, fmt.Errorf("%s needs a value", f[i])
		}
		v := f[i+1]
		switch f[i] {
		case "-urls":
			c.URLs = SplitURLs(v)
		case "-token":
			c.Token = v
		case "-mode":
			c.Mode = Mode(v)
		case "-oos-ms":
			c.OutOfServiceAfter, err = ms(f[i], v)
		case "-open-ms":
			c.OpenTimeout, err = ms(f[i], v)
		case "-connect-ms":
			c.ConnectTimeout, err = ms(f[i], v)
		default:
			return c, quiet, fmt.Errorf("unknown option %q; want -urls, -token, -mode, -oos-ms, -open-ms, -connect-ms or -quiet", f[i])
		}
		if err != nil {
			return c, quiet, err
		}
	}
	return c, quiet, c.Validate()
}

// SplitURLs splits a comma- or semicolon-separated URL list (the REG_SZ form).
func SplitURLs(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

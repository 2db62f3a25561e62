package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// FileConfig is the YAML configuration file (docs/config.md describes every key and default).
type FileConfig struct {
	Listen     string         `yaml:"listen"`
	InstanceID string         `yaml:"instance_id"`
	HTTPTLS    HTTPTLS        `yaml:"http_tls"`
	Log        LogConfig      `yaml:"log"`
	Store      StoreConfig    `yaml:"store"`
	PBXs       []PBXConfig    `yaml:"pbxs"`
	Users      []User         `yaml:"users"`
	Web        WebConfig      `yaml:"web"`
	Webhooks   WebhooksConfig `yaml:"webhooks"`
	Simulator  SimConfig      `yaml:"simulator"`
	Lookup     LookupConfig   `yaml:"lookup"`
	// Demo is set when no configuration was given: the embedded default.
	Demo bool `yaml:"-"`
}

// HTTPTLS enables TLS on the HTTP/WebSocket listener.
type HTTPTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// LogConfig selects log level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // auto | text | json
}

// StoreConfig selects the shared store.
type StoreConfig struct {
	Driver    string        `yaml:"driver"` // memory | redis
	MaxLogLen int           `yaml:"max_log_len"`
	LeaseTTL  time.Duration `yaml:"lease_ttl"`
	// DegradeAfter is store.degrade_after; zero takes cti.DefaultDegradeAfter.
	DegradeAfter time.Duration `yaml:"degrade_after"`
	// HistoryMaxAge and HistoryMaxRecords bound the call history (store.DefaultHistory*).
	HistoryMaxAge     time.Duration `yaml:"history_max_age"`
	HistoryMaxRecords int           `yaml:"history_max_records"`
	Redis             RedisConfig   `yaml:"redis"`
}

// RedisConfig addresses standalone Redis, Sentinel (master_name) or Cluster (several addrs).
type RedisConfig struct {
	Addrs        []string `yaml:"addrs"`
	MasterName   string   `yaml:"master_name"`
	DB           int      `yaml:"db"`
	PasswordEnv  string   `yaml:"password_env"`
	PasswordFile string   `yaml:"password_file"`
	KeyPrefix    string   `yaml:"key_prefix"`
}

// PBXConfig describes one PBX with its two nodes.
type PBXConfig struct {
	Name      string        `yaml:"name"`
	Dialect   string        `yaml:"dialect"`
	Primary   string        `yaml:"primary"`
	Standby   string        `yaml:"standby"`
	TLS       LinkTLS       `yaml:"tls"`
	Auth      Auth          `yaml:"auth"`
	Heartbeat time.Duration `yaml:"heartbeat"`
	Misses    int           `yaml:"misses"`
	// MonitorConcurrency is the resync's window: CSTA requests in flight per link.
	MonitorConcurrency int `yaml:"monitor_concurrency"`
	// Linger is how long the pipeline waits for more CSTA events before applying a batch.
	Linger        time.Duration     `yaml:"linger"`
	Resync        string            `yaml:"resync"`
	Failback      string            `yaml:"failback"`
	FailbackAfter time.Duration     `yaml:"failback_after"`
	BusinessHours BusinessHours     `yaml:"business_hours"`
	Numbering     Numbering         `yaml:"numbering"`
	Devices       []string          `yaml:"devices"`
	Groups        []string          `yaml:"groups"` // ACD/hunt groups monitored for queue figures
	Names         map[string]string `yaml:"names"`  // extension -> display name
	// PreferredInstance is the instance ID that should own this PBX's link.
	PreferredInstance string `yaml:"preferred_instance"`
	// Trace is the CSTA wire trace of the link (docs/trace.md).
	Trace TraceConfig `yaml:"trace"`
}

// TraceConfig is a PBX's CSTA wire trace; it can also be switched at run time over REST.
type TraceConfig struct {
	Enabled   bool   `yaml:"enabled"`
	File      string `yaml:"file"`
	MaxSizeMB int    `yaml:"max_size_mb"`
	MaxFiles  int    `yaml:"max_files"`
}

// LinkTLS secures a CSTA link.
type LinkTLS struct {
	Enabled    bool   `yaml:"enabled"`
	CAFile     string `yaml:"ca_file"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"`
}

// Auth holds CSTA application session credentials; the password never sits in the file.
type Auth struct {
	User         string `yaml:"user"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
}

// BusinessHours is when the schedule failback policy behaves like manual.
type BusinessHours struct {
	Days string `yaml:"days"` // e.g. "Mon-Fri" or "Mon,Wed,Fri"
	From string `yaml:"from"` // "08:00"
	To   string `yaml:"to"`   // "18:00"
	Zone string `yaml:"zone"` // IANA zone, e.g. "Europe/Berlin"
}

// Numbering turns PBX numbers into E.164 and back.
type Numbering struct {
	Country         string `yaml:"country"`
	Area            string `yaml:"area"`
	OutsidePrefix   string `yaml:"outside_prefix"`
	ExtensionDigits int    `yaml:"extension_digits"`
	// NationalPrefix and InternationalPrefix override the country's trunk prefixes, which
	// otherwise come from the numbering library (web.CountryPrefixes).
	NationalPrefix      string `yaml:"national_prefix"`
	InternationalPrefix string `yaml:"international_prefix"`
}

// User is a client identity: a bearer token's SHA-256 and what it may do.
type User struct {
	Name        string   `yaml:"name"`
	TokenSHA256 string   `yaml:"token_sha256"`
	Role        string   `yaml:"role"`
	Lines       []string `yaml:"lines"`
}

// WebConfig tunes the client interfaces.
type WebConfig struct {
	AllowedOrigins    []string `yaml:"allowed_origins"`
	DialRatePerMinute int      `yaml:"dial_rate_per_minute"`
	SendQueue         int      `yaml:"send_queue"`
	ReplayCache       int      `yaml:"replay_cache"`
	MaxMessageBytes   int64    `yaml:"max_message_bytes"`
	AuditLog          string   `yaml:"audit_log"`
	AlertWebhooks     []string `yaml:"alert_webhooks"`
	// BehindLimit is web.behind_limit: how long a WebSocket client may be behind.
	BehindLimit time.Duration `yaml:"behind_limit"`
	// LateAfter is web.late_after: events this late count as overload here (a negative duration such as -1s disables).
	LateAfter time.Duration `yaml:"late_after"`
	// Zero values take web's defaults (web.Default*); see docs/config.md.
	HeaderTimeout      time.Duration `yaml:"header_timeout"`
	ReadTimeout        time.Duration `yaml:"read_timeout"`
	WriteTimeout       time.Duration `yaml:"write_timeout"`
	IdleTimeout        time.Duration `yaml:"idle_timeout"`
	ShutdownTimeout    time.Duration `yaml:"shutdown_timeout"`
	MaxConnsPerIP      int           `yaml:"max_conns_per_ip"`
	UnauthRatePerIP    int           `yaml:"unauth_rate_per_ip"`
	UnauthBurstPerIP   int           `yaml:"unauth_burst_per_ip"`
	UserCommandRate    int           `yaml:"user_command_rate"`
	UserCommandBurst   int           `yaml:"user_command_burst"`
	LineCommandRate    int           `yaml:"line_command_rate"`
	LineCommandBurst   int           `yaml:"line_command_burst"`
	MaxSessionsPerUser int           `yaml:"max_sessions_per_user"`
}

// SimConfig starts the built-in PBX simulator (the embedded default uses it).
type SimConfig struct {
	Enabled     bool    `yaml:"enabled"`
	Extensions  string  `yaml:"extensions"`   // range, e.g. "200-219"
	Traffic     float64 `yaml:"traffic_cps"`  // generated calls per second; 0 = none
	ControlAddr string  `yaml:"control_addr"` // HTTP control API; "" = off
	Profile     string  `yaml:"profile"`      // pbxsim vendor profile (osv, osbiz, avaya, generic, minimal); "" = default
	// PromptAnswer: with a profile that honours MakeCall prompt mode, the simulated calling
	// phone accepts the prompt after this long, as a person would (0: only the control API).
	PromptAnswer time.Duration `yaml:"prompt_answer"`
}

// LookupConfig is the caller lookup (package lookup): names for the numbers of calls'
// parties beyond pbxs[].names, which are always asked first.
type LookupConfig struct {
	Budget    time.Duration   `yaml:"budget"`
	Workers   int             `yaml:"workers"`
	Cache     LookupCache     `yaml:"cache"`
	Directory LookupDirectory `yaml:"directory"`
	LDAP      LookupLDAP      `yaml:"ldap"`
	HTTP      LookupHTTP      `yaml:"http"`
}

// LookupCache bounds the cache in front of directory, LDAP and HTTP.
type LookupCache struct {
	TTL         time.Duration `yaml:"ttl"`
	NegativeTTL time.Duration `yaml:"negative_ttl"`
	Size        int           `yaml:"size"`
}

// LookupDirectory is a CSV or vCard file, read again when it changes.
type LookupDirectory struct {
	File string        `yaml:"file"`
	Poll time.Duration `yaml:"poll"`
}

// LookupLDAP is a directory server search; the bind password never sits in the file.
type LookupLDAP struct {
	URL              string        `yaml:"url"`
	BaseDN           string        `yaml:"base_dn"`
	BindDN           string        `yaml:"bind_dn"`
	PasswordEnv      string        `yaml:"password_env"`
	PasswordFile     string        `yaml:"password_file"`
	Filter           string        `yaml:"filter"`
	NameAttribute    string        `yaml:"name_attribute"`
	CompanyAttribute string        `yaml:"company_attribute"`
	Timeout          time.Duration `yaml:"timeout"`
}

// LookupHTTP is a CRM's lookup URL answering JSON; a bearer token comes from the environment
// or a file.
type LookupHTTP struct {
	URL          string            `yaml:"url"`
	Timeout      time.Duration     `yaml:"timeout"`
	Headers      map[string]string `yaml:"headers"`
	TokenEnv     string            `yaml:"token_env"`
	TokenFile    string            `yaml:"token_file"`
	NameField    string            `yaml:"name_field"`
	CompanyField string            `yaml:"company_field"`
}

// ConfigError names the key that is wrong and why; File, Line and Column say where the key
// sits when it came from a file (zero when it did not, e.g. a default or a flag).
type ConfigError struct {
	File         string
	Line, Column int
	Key          string
	Reason       string
}

func (e *ConfigError) Error() string {
	pos := ""
	if e.Line > 0 {
		pos = fmt.Sprintf("line %d, column %d: ", e.Line, e.Column)
		if e.Column == 0 {
			pos = fmt.Sprintf("line %d: ", e.Line)
		}
		if e.File != "" {
			pos = fmt.Sprintf("%s:%d:%d: ", e.File, e.Line, e.Column)
			if e.Column == 0 {
				pos = fmt.Sprintf("%s:%d: ", e.File, e.Line)
			}
		}
	} else if e.File != "" {
		pos = e.File + ": "
	}
	return "config: " + pos + e.Key + ": " + e.Reason
}

// ConfigErrors is every problem found in one configuration.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	var b bytes.Buffer
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// loadConfig reads the file at path ("" means the embedded default), then applies
// environment overrides and defaults, and validates.
func loadConfig(path string, env func(string) string) (*FileConfig, error) {
	return loadConfigWith(path, env, nil)
}

// loadConfigWith reads the file at path ("" means the embedded default) and lays over it the
// environment, then the flags (o, when not nil); then applies the defaults and runs every
// check start-up runs (checkConfig). Problems name the key and, for keys from the file,
// where it sits.
func loadConfigWith(path string, env func(string) string, o *options) (*FileConfig, error) {
	var c *FileConfig
	var src *configSource
	if path == "" {
		c = demoConfig()
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if c, src, err = parseConfigBytes(path, data); err != nil {
			return nil, err
		}
	}
	overridden := applyEnv(c, env)
	if o != nil {
		overridden = append(overridden, o.override(c)...)
	}
	if c.Demo && c.Listen == "" {
		c.Listen = demoListen
	}
	c.applyDefaults()
	errs := c.checkConfig(env)
	if len(errs) == 0 {
		return c, nil
	}
	for _, e := range errs {
		if !overriddenKey(e.Key, overridden) {
			src.position(e)
		}
	}
	return nil, errs
}

// overriddenKey reports whether key (or a key it is part of) was set by the environment or a
// flag rather than the file.
func overriddenKey(key string, overridden []string) bool {
	for _, o := range overridden {
		if key == o || strings.HasPrefix(key, o+".") || strings.HasPrefix(key, o+"[") {
			return true
		}
	}
	return false
}

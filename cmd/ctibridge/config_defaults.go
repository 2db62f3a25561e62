package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/web"
)

// Defaults, documented in docs/config.md.
const (
	defaultListen = ":8080"
	// demoListen is the embedded demo's address: its tokens are well known, so it stays on
	// loopback unless --listen, CTIBRIDGE_LISTEN or listen: says otherwise.
	demoListen             = "127.0.0.1:8080"
	defaultDialect         = "generic"
	defaultHeartbeat       = time.Second
	defaultMisses          = 3
	defaultResync          = "hot"
	defaultFailback        = "manual"
	defaultFailbackAfter   = 30 * time.Second
	defaultMaxLogLen       = 100000
	defaultDialRate        = 10
	defaultSendQueue       = 1024
	defaultReplayCache     = web.DefaultReplayCache
	defaultMaxMessageBytes = 64 << 10
	defaultRedisPrefix     = "cti"
	defaultLeaseTTL        = 1500 * time.Millisecond
	minLeaseTTL            = 300 * time.Millisecond
	minHeartbeat           = 100 * time.Millisecond
	defaultTraceMaxSizeMB  = cti.DefaultTraceMaxSizeMB
	defaultTraceMaxFiles   = cti.DefaultTraceMaxFiles
)

// Demo users of the embedded default. Their tokens are printed at start; the file holds only
// their SHA-256, like a real configuration.
var demoUsers = []struct{ name, token, role string }{
	{"alice", "alice-demo-token", "user"},
	{"sam", "sam-demo-token", "supervisor"},
	{"admin", "admin-demo-token", "admin"},
}

// demoConfig is what runs with no configuration: memory store, built-in duplex simulator with
// extensions 200-219 and a modest call generator, demo users.
func demoConfig() *FileConfig {
	c := &FileConfig{
		Demo:  true,
		Store: StoreConfig{Driver: "memory"},
		Simulator: SimConfig{Enabled: true, Extensions: "200-219", Traffic: 0.2, ControlAddr: "127.0.0.1:0",
			PromptAnswer: 2 * time.Second},
		PBXs: []PBXConfig{{
			Name: "demo", Dialect: "generic", Failback: "auto", FailbackAfter: 10 * time.Second,
			Devices:   []string{"200-219"},
			Numbering: Numbering{Country: "49", Area: "30", OutsidePrefix: "0", ExtensionDigits: 3},
			Names:     map[string]string{"200": "Reception", "201": "Alice", "202": "Bob", "203": "Carol"},
		}},
	}
	for _, u := range demoUsers {
		lines := []string{"demo/201"}
		if u.role != "user" {
			lines = nil
		}
		c.Users = append(c.Users, User{Name: u.name, TokenSHA256: sha256Hex(u.token), Role: u.role, Lines: lines})
	}
	return c
}

func (c *FileConfig) applyDefaults() {
	if c.Listen == "" {
		c.Listen = defaultListen
	}
	if c.InstanceID == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "ctibridge"
		}
		c.InstanceID = host + "-" + strconv.Itoa(os.Getpid())
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "auto"
	}
	if c.Store.Driver == "" {
		c.Store.Driver = "memory"
	}
	if c.Store.MaxLogLen == 0 {
		c.Store.MaxLogLen = defaultMaxLogLen
	}
	if c.Store.LeaseTTL == 0 {
		c.Store.LeaseTTL = defaultLeaseTTL
	}
	if c.Store.Redis.KeyPrefix == "" {
		c.Store.Redis.KeyPrefix = defaultRedisPrefix
	}
	if c.Store.Driver == "redis" && len(c.Store.Redis.Addrs) == 0 {
		c.Store.Redis.Addrs = []string{"127.0.0.1:6379"}
	}
	for i := range c.PBXs {
		p := &c.PBXs[i]
		if p.Dialect == "" {
			p.Dialect = defaultDialect
		}
		if p.Heartbeat == 0 {
			p.Heartbeat = defaultHeartbeat
		}
		if p.Misses == 0 {
			p.Misses = defaultMisses
		}
		if p.Resync == "" {
			p.Resync = defaultResync
		}
		if p.Failback == "" {
			p.Failback = defaultFailback
		}
		if p.FailbackAfter == 0 {
			p.FailbackAfter = defaultFailbackAfter
		}
		if p.BusinessHours.Zone == "" {
			p.BusinessHours.Zone = "Local"
		}
		if p.Trace.File == "" && p.Name != "" {
			p.Trace.File = cti.DefaultTraceFile(p.Name)
		}
		if p.Trace.MaxSizeMB == 0 {
			p.Trace.MaxSizeMB = defaultTraceMaxSizeMB
		}
		if p.Trace.MaxFiles == 0 {
			p.Trace.MaxFiles = defaultTraceMaxFiles
		}
	}
	if c.Web.DialRatePerMinute == 0 {
		c.Web.DialRatePerMinute = defaultDialRate
	}
	if c.Web.ReplayCache == 0 {
		c.Web.ReplayCache = defaultReplayCache
	}
	if c.Web.SendQueue == 0 {
		c.Web.SendQueue = defaultSendQueue
	}
	if c.Web.MaxMessageBytes == 0 {
		c.Web.MaxMessageBytes = defaultMaxMessageBytes
	}
}

// applyEnv applies CTIBRIDGE_* overrides (docs/config.md lists them) and returns the keys it set.
func applyEnv(c *FileConfig, env func(string) string) []string {
	var set []string
	for _, o := range []struct {
		name, key string
		apply     func(string)
	}{
		{"CTIBRIDGE_LISTEN", "listen", func(v string) { c.Listen = v }},
		{"CTIBRIDGE_INSTANCE_ID", "instance_id", func(v string) { c.InstanceID = v }},
		{"CTIBRIDGE_LOG_LEVEL", "log.level", func(v string) { c.Log.Level = v }},
		{"CTIBRIDGE_LOG_FORMAT", "log.format", func(v string) { c.Log.Format = v }},
		{"CTIBRIDGE_STORE", "store.driver", func(v string) { c.Store.Driver = v }},
		{"CTIBRIDGE_REDIS_ADDRS", "store.redis.addrs", func(v string) { c.Store.Redis.Addrs = splitList(v) }},
		{"CTIBRIDGE_REDIS_MASTER", "store.redis.master_name", func(v string) { c.Store.Redis.MasterName = v }},
	} {
		if v := env(o.name); v != "" {
			o.apply(v)
			set = append(set, o.key)
		}
	}
	return set
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

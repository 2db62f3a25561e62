package main

import (
	"cmp"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/cti/lookup"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/web"
)

// The daemon's own defaults: keys that no package has (or whose package default does not
// suit a daemon), documented in docs/config.md. Every other default comes from the package
// that uses it (cti.DefaultConfig, cti.DefaultPBXConfig, web.DefaultConfig, the stores'
// Default* constants) through applyDefaults; TestDaemonDefaultsArePackageDefaults holds the
// two together.
const (
	defaultListen = ":8080"
	// demoListen is the embedded demo's address: its tokens are well known, so it stays on
	// loopback unless --listen, CTIBRIDGE_LISTEN or listen: says otherwise.
	demoListen         = "127.0.0.1:8080"
	defaultRedisAddr   = "127.0.0.1:6379"
	defaultZone        = "Local"
	defaultLogLevel    = "info"
	defaultLogFormat   = "auto"
	defaultStoreDriver = "memory"
)

// daemonOverrides are the package defaults the daemon deliberately replaces, by the cti or web
// field they set, with the daemon's value. This is the only place such an override is written.
//
//   - Failback (pbxs[].failback): cti.FailbackAuto suits an embedder that wants the link back
//     on the primary by itself; a daemon runs unattended in front of a production PBX, where
//     a primary that comes and goes would move the link (a resync for every client) each time
//     it looks healthy for failback_after, so an operator chooses the moment: manual.
var daemonOverrides = map[string]any{
	"Failback": cti.FailbackManual,
}

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

// applyDefaults fills every key left out with its default: the package default of the setting
// it configures, or the daemon's own (the constants above, daemonOverrides).
func (c *FileConfig) applyDefaults() {
	c.Listen = cmp.Or(c.Listen, defaultListen)
	if c.InstanceID == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "ctibridge"
		}
		c.InstanceID = host + "-" + strconv.Itoa(os.Getpid())
	}
	c.Log.Level = cmp.Or(c.Log.Level, defaultLogLevel)
	c.Log.Format = cmp.Or(c.Log.Format, defaultLogFormat)

	eng := cti.DefaultConfig()
	c.Store.Driver = cmp.Or(c.Store.Driver, defaultStoreDriver)
	// memory.DefaultMaxLogLen and redisstore.DefaultMaxLogLen are the same (a test checks it).
	c.Store.MaxLogLen = cmp.Or(c.Store.MaxLogLen, memory.DefaultMaxLogLen)
	c.Store.LeaseTTL = cmp.Or(c.Store.LeaseTTL, eng.LeaseTTL)
	c.Store.DegradeAfter = cmp.Or(c.Store.DegradeAfter, eng.DegradeAfter)
	c.Store.HistoryMaxAge = cmp.Or(c.Store.HistoryMaxAge, store.DefaultHistoryMaxAge)
	c.Store.HistoryMaxRecords = cmp.Or(c.Store.HistoryMaxRecords, store.DefaultHistoryMaxRecords)
	c.Store.Redis.KeyPrefix = cmp.Or(c.Store.Redis.KeyPrefix, redisstore.DefaultKeyPrefix)
	if c.Store.Driver == "redis" && len(c.Store.Redis.Addrs) == 0 {
		c.Store.Redis.Addrs = []string{defaultRedisAddr}
	}

	pd := cti.DefaultPBXConfig()
	pd.Failback = daemonOverrides["Failback"].(cti.FailbackPolicy)
	for i := range c.PBXs {
		p := &c.PBXs[i]
		p.Dialect = cmp.Or(p.Dialect, pd.Dialect)
		p.Heartbeat = cmp.Or(p.Heartbeat, pd.Heartbeat)
		p.Misses = cmp.Or(p.Misses, pd.Misses)
		p.MonitorConcurrency = cmp.Or(p.MonitorConcurrency, pd.MonitorConcurrency)
		p.Resync = cmp.Or(p.Resync, string(pd.Resync))
		p.Failback = cmp.Or(p.Failback, string(pd.Failback))
		p.FailbackAfter = cmp.Or(p.FailbackAfter, pd.FailbackAfter)
		p.BusinessHours.Zone = cmp.Or(p.BusinessHours.Zone, defaultZone)
		if p.Name != "" {
			p.Trace.File = cmp.Or(p.Trace.File, cti.DefaultTraceFile(p.Name))
		}
		p.Trace.MaxSizeMB = cmp.Or(p.Trace.MaxSizeMB, int(pd.Trace.MaxBytes>>20))
		p.Trace.MaxFiles = cmp.Or(p.Trace.MaxFiles, pd.Trace.MaxFiles)
	}

	lk, cd := &c.Lookup, lookup.CacheConfig{}.WithDefaults()
	lk.Budget = cmp.Or(lk.Budget, eng.Names.Budget)
	lk.Workers = cmp.Or(lk.Workers, eng.Names.Workers)
	lk.Cache.TTL = cmp.Or(lk.Cache.TTL, cd.TTL)
	lk.Cache.NegativeTTL = cmp.Or(lk.Cache.NegativeTTL, cd.NegativeTTL)
	lk.Cache.Size = cmp.Or(lk.Cache.Size, cd.Size)
	lk.Directory.Poll = cmp.Or(lk.Directory.Poll, lookup.DefaultDirectoryPoll)
	lk.LDAP.Filter = cmp.Or(lk.LDAP.Filter, lookup.DefaultLDAPFilter)
	lk.LDAP.NameAttribute = cmp.Or(lk.LDAP.NameAttribute, lookup.DefaultLDAPNameAttribute)
	lk.LDAP.Timeout = cmp.Or(lk.LDAP.Timeout, lookup.DefaultLDAPTimeout)
	lk.HTTP.Timeout = cmp.Or(lk.HTTP.Timeout, lookup.DefaultHTTPTimeout)
	lk.HTTP.NameField = cmp.Or(lk.HTTP.NameField, lookup.DefaultHTTPNameField)

	wd, w := web.DefaultConfig(), &c.Web
	w.DialRatePerMinute = cmp.Or(w.DialRatePerMinute, wd.DialRatePerMinute)
	w.SendQueue = cmp.Or(w.SendQueue, wd.SendQueue)
	w.BehindLimit = cmp.Or(w.BehindLimit, wd.BehindLimit)
	w.LateAfter = cmp.Or(w.LateAfter, wd.LateAfter)
	w.ReplayCache = cmp.Or(w.ReplayCache, wd.ReplayCache)
	w.MaxMessageBytes = cmp.Or(w.MaxMessageBytes, wd.MaxMessageBytes)
	w.HeaderTimeout = cmp.Or(w.HeaderTimeout, wd.HTTPHeaderTimeout)
	w.ReadTimeout = cmp.Or(w.ReadTimeout, wd.HTTPReadTimeout)
	w.WriteTimeout = cmp.Or(w.WriteTimeout, wd.HTTPWriteTimeout)
	w.IdleTimeout = cmp.Or(w.IdleTimeout, wd.HTTPIdleTimeout)
	w.ShutdownTimeout = cmp.Or(w.ShutdownTimeout, wd.ShutdownTimeout)
	w.MaxConnsPerIP = cmp.Or(w.MaxConnsPerIP, wd.MaxConnsPerIP)
	w.UnauthRatePerIP = cmp.Or(w.UnauthRatePerIP, wd.UnauthRatePerIP)
	w.UnauthBurstPerIP = cmp.Or(w.UnauthBurstPerIP, wd.UnauthBurstPerIP)
	w.UserCommandRate = cmp.Or(w.UserCommandRate, wd.UserCommandRate)
	w.UserCommandBurst = cmp.Or(w.UserCommandBurst, wd.UserCommandBurst)
	w.LineCommandRate = cmp.Or(w.LineCommandRate, wd.LineCommandRate)
	w.LineCommandBurst = cmp.Or(w.LineCommandBurst, wd.LineCommandBurst)
	w.MaxSessionsPerUser = cmp.Or(w.MaxSessionsPerUser, wd.MaxSessionsPerUser)
	c.Webhooks.applyDefaults()
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

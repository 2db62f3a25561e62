package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/web"
)

var pbxNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// problemFunc reports one problem of a key.
type problemFunc = func(key, format string, args ...any)

// validate checks every key and collects every problem, naming the key and what is allowed.
func (c *FileConfig) validate(env func(string) string) ConfigErrors {
	var errs ConfigErrors
	bad := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Reason: fmt.Sprintf(format, args...)})
	}
	c.validateListen(bad)
	c.validateLogAndStore(env, bad)
	pbxs := c.validatePBXs(env, bad)
	c.validateUsers(pbxs, bad)
	c.Web.validate(bad)
	c.Webhooks.validate(pbxs, env, bad)
	c.Simulator.validate(bad)
	c.Lookup.validate(env, bad)
	return errs
}

// validateListen checks the HTTP listener and its TLS material.
func (c *FileConfig) validateListen(bad problemFunc) {
	if err := checkAddr(c.Listen, true); err != nil {
		bad("listen", "%q %v", c.Listen, err)
	}
	if (c.HTTPTLS.CertFile == "") != (c.HTTPTLS.KeyFile == "") {
		bad("http_tls", "cert_file and key_file must be given together")
	}
	statOK := true
	for _, f := range []struct{ key, path string }{{"http_tls.cert_file", c.HTTPTLS.CertFile}, {"http_tls.key_file", c.HTTPTLS.KeyFile}} {
		if f.path != "" {
			if _, err := os.Stat(f.path); err != nil {
				bad(f.key, "%v", err)
				statOK = false
			}
		}
	}
	if statOK && c.HTTPTLS.CertFile != "" && c.HTTPTLS.KeyFile != "" {
		if key, err := checkKeyPair(c.HTTPTLS.CertFile, c.HTTPTLS.KeyFile); err != nil {
			bad("http_tls."+key, "%v", err)
		}
	}
}

// validateLogAndStore checks log and store.
func (c *FileConfig) validateLogAndStore(env func(string) string, bad problemFunc) {
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		bad("log.format", "%q is not one of auto, text, json", c.Log.Format)
	}
	switch c.Store.Driver {
	case "memory":
	case "redis":
		for i, a := range c.Store.Redis.Addrs {
			if err := checkAddr(a, false); err != nil {
				bad(fmt.Sprintf("store.redis.addrs[%d]", i), "%q %v", a, err)
			}
		}
		if c.Store.Redis.PasswordEnv != "" && env(c.Store.Redis.PasswordEnv) == "" {
			bad("store.redis.password_env", "environment variable %s is empty or unset", c.Store.Redis.PasswordEnv)
		}
	default:
		bad("store.driver", "%q is not one of memory, redis", c.Store.Driver)
	}
	if c.Store.LeaseTTL < cti.MinLeaseTTL {
		bad("store.lease_ttl", "%v is below the minimum %v", c.Store.LeaseTTL, cti.MinLeaseTTL)
	}
	if c.Store.MaxLogLen < 100 {
		bad("store.max_log_len", "%d is below the minimum 100", c.Store.MaxLogLen)
	}
	if c.Store.HistoryMaxAge < time.Hour {
		bad("store.history_max_age", "%v is below the minimum 1h", c.Store.HistoryMaxAge)
	}
	if c.Store.HistoryMaxRecords < 100 {
		bad("store.history_max_records", "%d is below the minimum 100", c.Store.HistoryMaxRecords)
	}
}

// validatePBXs checks every PBX and that names and line device IDs are unique; it returns the
// names of the PBXs.
func (c *FileConfig) validatePBXs(env func(string) string, bad problemFunc) map[string]bool {
	if len(c.PBXs) == 0 {
		bad("pbxs", "at least one PBX is required")
	}
	seen := map[string]bool{}
	lineIDs := map[uint32]string{} // device ID of every line -> line (the engine refuses a collision)
	for i := range c.PBXs {
		key := fmt.Sprintf("pbxs[%d]", i)
		c.PBXs[i].validate(key, c.Simulator.Enabled, env, bad)
		if seen[c.PBXs[i].Name] {
			bad(key+".name", "%q is used twice", c.PBXs[i].Name)
			continue
		}
		seen[c.PBXs[i].Name] = true
		for j, d := range c.PBXs[i].Devices {
			exts, _ := csta.ExpandDevices([]string{d})
			for _, x := range exts {
				line := c.PBXs[i].Name + "/" + x
				id := tapi.LineDeviceID(line)
				if other, dup := lineIDs[id]; dup && other != line {
					bad(fmt.Sprintf("%s.devices[%d]", key, j), "line %s has the same device ID as %s; rename one", line, other)
				}
				lineIDs[id] = line
			}
		}
	}
	return seen
}

// validateUsers checks the users: unique names and tokens, roles, lines of configured PBXs.
func (c *FileConfig) validateUsers(pbxs map[string]bool, bad problemFunc) {
	users := map[string]bool{}
	tokens := map[string]string{} // lower-case hash -> "users[i] (name)"
	for i, u := range c.Users {
		key := fmt.Sprintf("users[%d]", i)
		if u.Name == "" {
			bad(key+".name", "is required")
		} else if users[u.Name] {
			bad(key+".name", "%q is used twice", u.Name)
		}
		users[u.Name] = true
		if b, err := hex.DecodeString(u.TokenSHA256); err != nil || len(b) != sha256.Size {
			bad(key+".token_sha256", "must be 64 hex digits (SHA-256 of the token: `printf %%s TOKEN | sha256sum`)")
		} else if other, dup := tokens[strings.ToLower(u.TokenSHA256)]; dup {
			bad(key+".token_sha256", "is the same token as %s; every user needs a token of their own", other)
		} else {
			tokens[strings.ToLower(u.TokenSHA256)] = fmt.Sprintf("%s (%s)", key, u.Name)
		}
		switch u.Role {
		case "user", "supervisor", "admin":
		default:
			bad(key+".role", "%q is not one of user, supervisor, admin", u.Role)
		}
		for j, l := range u.Lines {
			pbx, _, ok := tapi.SplitLine(l)
			if l != "*" && (!ok || !pbxs[pbx]) {
				bad(fmt.Sprintf("%s.lines[%d]", key, j), "%q is not pbx/extension, pbx/* or * with a configured PBX", l)
			}
		}
	}
}

// validate checks the web section.
func (w *WebConfig) validate(bad problemFunc) {
	for i, h := range w.AlertWebhooks {
		if u, err := url.Parse(h); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(fmt.Sprintf("web.alert_webhooks[%d]", i), "%q is not an http:// or https:// URL", h)
		}
	}
	if w.DialRatePerMinute < 0 {
		bad("web.dial_rate_per_minute", "must not be negative")
	}
	if w.ReplayCache < -1 {
		bad("web.replay_cache", "%d: want a count of entries, or -1 to disable", w.ReplayCache)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"web.header_timeout", w.HeaderTimeout}, {"web.read_timeout", w.ReadTimeout},
		{"web.write_timeout", w.WriteTimeout}, {"web.idle_timeout", w.IdleTimeout},
		{"web.shutdown_timeout", w.ShutdownTimeout}, {"web.behind_limit", w.BehindLimit}} {
		if d.v < 0 {
			bad(d.key, "%v is negative; give a duration such as 30s, or leave it out for the default", d.v)
		}
	}
	for _, b := range []struct {
		key string
		v   int
	}{{"web.unauth_burst_per_ip", w.UnauthBurstPerIP}, {"web.user_command_burst", w.UserCommandBurst},
		{"web.line_command_burst", w.LineCommandBurst}} {
		if b.v < 0 {
			bad(b.key, "%d is negative; give at least 1, or leave it out for the default", b.v)
		}
	}
	if w.SendQueue < 16 {
		bad("web.send_queue", "%d is below the minimum 16", w.SendQueue)
	}
	if w.MaxMessageBytes < 1024 {
		bad("web.max_message_bytes", "%d is below the minimum 1024", w.MaxMessageBytes)
	}
}

// validate checks the simulator section when the simulator is on.
func (s *SimConfig) validate(bad problemFunc) {
	if !s.Enabled {
		return
	}
	if _, err := csta.ExpandDevices([]string{s.Extensions}); err != nil {
		bad("simulator.extensions", "%v", err)
	}
	if s.Traffic < 0 {
		bad("simulator.traffic_cps", "must not be negative")
	}
	if s.PromptAnswer < 0 {
		bad("simulator.prompt_answer", "%v is negative; give a duration such as 2s, or 0 to leave prompts to the control API", s.PromptAnswer)
	}
	if _, err := pbxsim.ProfileByName(s.Profile); err != nil {
		bad("simulator.profile", "%q is not one of %s (or \"\" for the simulator's own shapes)", s.Profile, strings.Join(pbxsim.ProfileNames(), ", "))
	}
	if s.ControlAddr != "" {
		if err := checkAddr(s.ControlAddr, true); err != nil {
			bad("simulator.control_addr", "%q %v", s.ControlAddr, err)
		}
	}
}

func (p *PBXConfig) validate(key string, sim bool, env func(string) string, bad problemFunc) {
	p.validateLink(key, sim, bad)
	p.validateSecurity(key, env, bad)
	p.Numbering.validate(key+".numbering", bad)
	p.validateDevices(key, bad)
}

// validateLink checks the PBX's name, dialect, nodes, limits and policies.
func (p *PBXConfig) validateLink(key string, sim bool, bad problemFunc) {
	if !pbxNameRE.MatchString(p.Name) {
		bad(key+".name", "%q must be 1-32 lower-case letters, digits, '-' or '_'", p.Name)
	}
	if _, err := csta.DialectByName(p.Dialect); err != nil {
		bad(key+".dialect", "%q is not one of %s", p.Dialect, strings.Join(dialectNames(), ", "))
	}
	if p.Primary == "" && !sim {
		bad(key+".primary", "is required (host:port of the primary PBX node)")
	}
	for _, a := range []struct{ k, v string }{{"primary", p.Primary}, {"standby", p.Standby}} {
		if a.v != "" {
			if err := checkAddr(a.v, false); err != nil {
				bad(key+"."+a.k, "%q %v", a.v, err)
			}
		}
	}
	if p.Standby != "" && p.Standby == p.Primary {
		bad(key+".standby", "%q is the same address as primary", p.Standby)
	}
	p.validateLimits(key, bad)
	switch p.Resync {
	case "hot", "cold":
	default:
		bad(key+".resync", "%q is not one of hot, cold", p.Resync)
	}
	switch p.Failback {
	case "auto", "manual", "sticky":
	case "schedule":
		p.BusinessHours.validate(key+".business_hours", bad)
	default:
		bad(key+".failback", "%q is not one of auto, manual, sticky, schedule", p.Failback)
	}
}

// validateLimits checks the link's numeric settings: heartbeat, misses, resync window, trace.
func (p *PBXConfig) validateLimits(key string, bad problemFunc) {
	if p.Heartbeat < cti.MinHeartbeat {
		bad(key+".heartbeat", "%v is below the minimum %v", p.Heartbeat, cti.MinHeartbeat)
	}
	if p.Misses < 1 || p.Misses > 100 {
		bad(key+".misses", "%d is outside 1..100", p.Misses)
	}
	if p.MonitorConcurrency < 1 || p.MonitorConcurrency > 1000 {
		bad(key+".monitor_concurrency", "%d is outside 1..1000", p.MonitorConcurrency)
	}
	if p.Linger > cti.MaxLinger {
		bad(key+".linger", "%v is more than %v (a negative duration such as -1ms turns the wait off)", p.Linger, cti.MaxLinger)
	}
	if p.Trace.MaxSizeMB < 1 || p.Trace.MaxSizeMB > 10240 {
		bad(key+".trace.max_size_mb", "%d is outside 1..10240 (MiB per file)", p.Trace.MaxSizeMB)
	}
	if p.Trace.MaxFiles < 1 || p.Trace.MaxFiles > 100 {
		bad(key+".trace.max_files", "%d is outside 1..100 (the file and its rotated predecessors)", p.Trace.MaxFiles)
	}
}

// validateSecurity checks the link's TLS material and the session password's source.
func (p *PBXConfig) validateSecurity(key string, env func(string) string, bad problemFunc) {
	if p.TLS.Enabled {
		found := true
		for _, f := range []struct{ k, v string }{{"ca_file", p.TLS.CAFile}, {"cert_file", p.TLS.CertFile}, {"key_file", p.TLS.KeyFile}} {
			if f.v != "" {
				if _, err := os.Stat(f.v); err != nil {
					bad(key+".tls."+f.k, "%v", err)
					found = false
				}
			}
		}
		if found && p.TLS.CertFile != "" && p.TLS.KeyFile != "" {
			if k, err := checkKeyPair(p.TLS.CertFile, p.TLS.KeyFile); err != nil {
				bad(key+".tls."+k, "%v", err)
			}
		}
	}
	if p.Auth.PasswordEnv != "" && env(p.Auth.PasswordEnv) == "" {
		bad(key+".auth.password_env", "environment variable %s is empty or unset", p.Auth.PasswordEnv)
	}
	if p.Auth.PasswordFile != "" {
		if _, err := os.Stat(p.Auth.PasswordFile); err != nil {
			bad(key+".auth.password_file", "%v", err)
		}
	}
}

// validate checks a PBX's numbering plan (key is its path).
func (n Numbering) validate(key string, bad problemFunc) {
	if n == (Numbering{}) {
		return
	}
	if n.Country == "" {
		bad(key+".country", "is required when numbering is set (e.g. \"49\")")
	}
	for _, f := range []struct{ k, v string }{{"country", n.Country}, {"area", n.Area}, {"outside_prefix", n.OutsidePrefix},
		{"national_prefix", n.NationalPrefix}, {"international_prefix", n.InternationalPrefix}} {
		if strings.Trim(f.v, "0123456789") != "" {
			bad(key+"."+f.k, "%q must be digits only", f.v)
		}
	}
	if n.Country != "" && strings.Trim(n.Country, "0123456789") == "" {
		// The country must be one the numbering library knows, with a single international
		// prefix unless one is configured.
		err := web.Numbering{Country: n.Country, InternationalPrefix: n.InternationalPrefix}.Validate()
		if field, msg, ok := strings.Cut(fmt.Sprint(err), ": "); err != nil && ok {
			bad(key+"."+field, "%s", msg)
		}
	}
	if n.ExtensionDigits < 0 || n.ExtensionDigits > 12 {
		bad(key+".extension_digits", "%d is outside 0..12", n.ExtensionDigits)
	}
}

// validateDevices checks the PBX's devices: at least one, valid ranges, none listed twice.
func (p *PBXConfig) validateDevices(key string, bad problemFunc) {
	if len(p.Devices) == 0 {
		bad(key+".devices", "at least one device or range is required, e.g. [\"200-299\"]")
	}
	where := map[string]int{} // extension -> index of the devices entry that lists it
	for i, d := range p.Devices {
		exts, err := csta.ExpandDevices([]string{d})
		if err != nil {
			bad(fmt.Sprintf("%s.devices[%d]", key, i), "%v", err)
			continue
		}
		for _, x := range exts {
			if j, dup := where[x]; dup {
				bad(fmt.Sprintf("%s.devices[%d]", key, i), "device %s is listed twice (also in %s.devices[%d]: %q)", x, key, j, p.Devices[j])
				break
			}
			where[x] = i
		}
	}
	if _, err := csta.ExpandDevices(p.Devices); err != nil && len(p.Devices) > 0 && strings.Contains(err.Error(), "more than") {
		bad(key+".devices", "%v", err)
	}
}

func (b BusinessHours) validate(key string, bad func(string, string, ...any)) {
	err := cti.BusinessHours{Days: b.Days, From: b.From, To: b.To, Zone: b.Zone}.Validate()
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		bad(key, "%v", e)
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// checkKeyPair loads a certificate and its key as the HTTPS listener will, and on failure
// names the file at fault: "cert_file", "key_file", or "key_file" for a key that does not
// belong to the certificate.
func checkKeyPair(certFile, keyFile string) (string, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return "cert_file", err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return "key_file", err
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err == nil {
		return "", nil
	}
	// Which file is wrong: the certificate on its own, then the key on its own.
	var cert *x509.Certificate
	rest := certPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			if cert, err = x509.ParseCertificate(b.Bytes); err != nil {
				return "cert_file", fmt.Errorf("%s: the certificate does not parse: %v", certFile, err)
			}
			break
		}
	}
	if cert == nil {
		return "cert_file", fmt.Errorf("%s holds no PEM CERTIFICATE block", certFile)
	}
	var key any
	rest = keyPEM
	for key == nil {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return "key_file", fmt.Errorf("%s holds no PEM private key block", keyFile)
		}
		if b.Type == "PRIVATE KEY" || strings.HasSuffix(b.Type, " PRIVATE KEY") {
			if key, err = parsePrivateKey(b.Bytes); err != nil {
				return "key_file", fmt.Errorf("%s: the private key does not parse: %v", keyFile, err)
			}
		}
	}
	return "key_file", fmt.Errorf("the key in %s does not belong to the certificate in %s", keyFile, certFile)
}

func parsePrivateKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParseECPrivateKey(der)
}

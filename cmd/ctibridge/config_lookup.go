package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/cti/lookup"
	"github.com/ctibridge/ctibridge/web"
)

// validate checks the lookup keys (after applyDefaults), naming the key at fault.
func (l *LookupConfig) validate(env func(string) string, bad func(string, string, ...any)) {
	if l.Budget < 0 {
		bad("lookup.budget", "%v is negative; give a duration such as 50ms, or 0 for the default", l.Budget)
	}
	if l.Workers < 1 || l.Workers > 1000 {
		bad("lookup.workers", "%d out of range 1-1000", l.Workers)
	}
	if l.Cache.Size < 1 {
		bad("lookup.cache.size", "%d must be positive", l.Cache.Size)
	}
	if l.Directory.File != "" {
		if l.Directory.Poll < 10*time.Millisecond {
			bad("lookup.directory.poll", "%v is below the minimum 10ms", l.Directory.Poll)
		}
		if _, err := lookup.NewDirectory(l.Directory.File, l.Directory.Poll); err != nil {
			bad("lookup.directory.file", "%v", err)
		}
	}
	if l.LDAP.URL != "" {
		if err := lookup.CheckLDAP(l.ldapConfig("")); err != nil {
			// "lookup: ldap base_dn "x" is not a DN": the word after "ldap" is the key.
			for _, e := range strings.Split(err.Error(), "\n") {
				key, reason, _ := strings.Cut(strings.TrimPrefix(e, "lookup: ldap "), " ")
				bad("lookup.ldap."+key, "%s", reason)
			}
		}
		checkSecret("lookup.ldap", l.LDAP.PasswordEnv, l.LDAP.PasswordFile, env, bad)
		if l.LDAP.Timeout <= 0 {
			bad("lookup.ldap.timeout", "%v must be positive", l.LDAP.Timeout)
		}
	}
	if l.HTTP.URL != "" {
		if err := lookup.CheckURLTemplate(l.HTTP.URL); err != nil {
			bad("lookup.http.url", "%s", strings.TrimPrefix(err.Error(), "lookup: http url "))
		}
		checkSecret("lookup.http", l.HTTP.TokenEnv, l.HTTP.TokenFile, env, bad)
		if l.HTTP.Timeout <= 0 {
			bad("lookup.http.timeout", "%v must be positive", l.HTTP.Timeout)
		}
		for k, v := range l.HTTP.Headers {
			if k == "" || strings.ContainsAny(k, " \t\r\n:") || strings.ContainsAny(v, "\r\n") {
				bad("lookup.http.headers", "%q is not a header name with a one-line value", k)
			}
		}
	}
}

// checkSecret checks a *_env / *_file pair of key.
func checkSecret(key, envName, file string, env func(string) string, bad func(string, string, ...any)) {
	sfx := map[string]string{"lookup.ldap": "password", "lookup.http": "token"}[key]
	if envName != "" && file != "" {
		bad(key+"."+sfx+"_env", "give %s_env or %s_file, not both", sfx, sfx)
	}
	if envName != "" && env(envName) == "" {
		bad(key+"."+sfx+"_env", "environment variable %s is empty or unset", envName)
	}
	if file != "" {
		if _, err := os.Stat(file); err != nil {
			bad(key+"."+sfx+"_file", "%v", err)
		}
	}
}

func (l *LookupConfig) ldapConfig(password string) lookup.LDAPConfig {
	return lookup.LDAPConfig{URL: l.LDAP.URL, BaseDN: l.LDAP.BaseDN, BindDN: l.LDAP.BindDN, Password: password,
		Filter: l.LDAP.Filter, NameAttribute: l.LDAP.NameAttribute, CompanyAttribute: l.LDAP.CompanyAttribute,
		Timeout: l.LDAP.Timeout}
}

// callerLookup is the running caller lookup of the daemon: the sources of the lookup keys in
// order (directory, LDAP, HTTP) behind one cache, and the directory's reload loop.
type callerLookup struct {
	metrics  *lookup.Metrics
	resolver *lookup.Resolver // nil when no source is configured
	dir      *lookup.Directory
	ldap     *lookup.LDAP
}

// newCallerLookup builds the lookup of cfg; Run reloads the directory until ctx ends.
func newCallerLookup(cfg *FileConfig, log *logrus.Entry) (*callerLookup, error) {
	l := &cfg.Lookup
	cl := &callerLookup{metrics: lookup.NewMetrics()}
	var sources []lookup.Source
	if l.Directory.File != "" {
		d, err := lookup.NewDirectory(l.Directory.File, l.Directory.Poll)
		if err != nil {
			return nil, fmt.Errorf("lookup.directory.file: %w", err)
		}
		cl.dir = d
		sources = append(sources, d)
	}
	if l.LDAP.URL != "" {
		pw, err := secret(l.LDAP.PasswordEnv, l.LDAP.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("lookup.ldap password: %w", err)
		}
		if cl.ldap, err = lookup.NewLDAP(l.ldapConfig(pw)); err != nil {
			return nil, err
		}
		sources = append(sources, cl.ldap)
	}
	if l.HTTP.URL != "" {
		token, err := secret(l.HTTP.TokenEnv, l.HTTP.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("lookup.http token: %w", err)
		}
		headers := map[string]string{}
		for k, v := range l.HTTP.Headers {
			headers[k] = v
		}
		if token != "" {
			headers["Authorization"] = "Bearer " + token
		}
		h, err := lookup.NewHTTP(lookup.HTTPConfig{URL: l.HTTP.URL, Timeout: l.HTTP.Timeout, Headers: headers,
			NameField: l.HTTP.NameField, CompanyField: l.HTTP.CompanyField})
		if err != nil {
			return nil, err
		}
		sources = append(sources, h)
	}
	if len(sources) > 0 {
		cl.resolver = lookup.NewResolver(lookup.NewChain(cl.metrics, sources...),
			lookup.CacheConfig{TTL: l.Cache.TTL, NegativeTTL: l.Cache.NegativeTTL, Size: l.Cache.Size}, cl.metrics)
	}
	if cl.dir != nil {
		dlog := log.WithField("component", "lookup").WithField("file", l.Directory.File)
		cl.dir.OnReload = func(n int) {
			cl.resolver.Purge()
			dlog.WithField("entries", n).Info("directory file reloaded")
		}
		cl.dir.OnError = func(err error) { dlog.WithError(err).Warn("directory file not reloaded; the old entries stay") }
	}
	return cl, nil
}

// names is the engine's configuration of party names.
func (cl *callerLookup) names(cfg *FileConfig) cti.NamesConfig {
	nc := cti.NamesConfig{Budget: cfg.Lookup.Budget, Workers: cfg.Lookup.Workers, Metrics: cl.metrics}
	if cl.resolver == nil {
		return nc
	}
	nc.Source = cl.resolver
	forms := map[string]lookup.Numbering{}
	for _, p := range cfg.PBXs {
		if p.Numbering.Country == "" {
			continue
		}
		// The prefixes the numbering uses: the configured ones, else the country's.
		national, international, err := web.CountryPrefixes(p.Numbering.Country)
		if p.Numbering.NationalPrefix != "" {
			national = p.Numbering.NationalPrefix
		}
		if p.Numbering.InternationalPrefix != "" {
			international = p.Numbering.InternationalPrefix
		} else if err != nil {
			continue // refused by the configuration check already
		}
		forms[p.Name] = lookup.Numbering{Country: p.Numbering.Country, OutsidePrefix: p.Numbering.OutsidePrefix,
			TrunkPrefix: national, InternationalPrefix: international}
	}
	nc.Alternates = func(pbx, number string) []string {
		n, ok := forms[pbx]
		if !ok {
			return nil
		}
		if alts := lookup.Alternates(number, n); len(alts) > 1 {
			return alts[1:]
		}
		return nil
	}
	return nc
}

// run reloads the directory file until ctx ends, then closes the LDAP connections.
func (cl *callerLookup) run(ctx context.Context) {
	if cl.dir != nil {
		_ = cl.dir.Run(ctx)
	} else {
		<-ctx.Done()
	}
	if cl.ldap != nil {
		cl.ldap.Close()
	}
}

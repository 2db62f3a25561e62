package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/web"
)

// checkConfig runs every check start-up runs, so that --check refuses what start-up would:
// the value checks of validate, then (when those pass) what the engine and the web front end
// would refuse when they are built from this configuration, with the secrets and TLS material
// read as at start.
func (c *FileConfig) checkConfig(env func(string) string) ConfigErrors {
	if errs := c.validate(env); len(errs) > 0 {
		return errs
	}
	return c.checkStartup()
}

// checkStartup builds the engine's and the web front end's configuration as run does and
// asks them to validate it. validate already names most of what they refuse with its key;
// this is the net under it.
func (c *FileConfig) checkStartup() ConfigErrors {
	var errs ConfigErrors
	l := logrus.New()
	l.SetOutput(io.Discard)
	log := logrus.NewEntry(l)
	var sim *simulator
	if c.Simulator.Enabled { // run fills PBXs without primary with the simulator's nodes
		sim = &simulator{primary: "127.0.0.1:1", standby: "127.0.0.1:2", dialect: csta.DialectGeneric.Name}
	}
	st := memory.New(memory.Options{MaxLogLen: c.Store.MaxLogLen})
	defer st.Close()
	ec, err := engineConfig(c, st, sim, log)
	if err != nil {
		key, reason := "pbxs", err.Error()
		if k, r, ok := strings.Cut(reason, ": "); ok {
			key, reason = k, r
		}
		return ConfigErrors{{Key: key, Reason: reason}}
	}
	if err := ec.WithDefaults().Validate(); err != nil {
		errs = append(errs, engineErrors(err)...)
	}
	wc := c.webConfigForCheck(log)
	if err := wc.Validate(); err != nil {
		errs = append(errs, &ConfigError{Key: "web", Reason: strings.TrimPrefix(err.Error(), "web: ")})
	}
	return errs
}

// webConfigForCheck is webConfig without its side effect of opening the audit log.
func (c *FileConfig) webConfigForCheck(log *logrus.Entry) web.Config {
	cc := *c
	cc.Web.AuditLog = ""
	return webConfig(&cc, log)
}

var engineErrRE = regexp.MustCompile(`^cti: (pbxs\[\d+\])(?:: |\.)([a-z_.]+): (.*)$`)

// engineErrors turns the engine's joined "cti: pbxs[0]: devices: ..." errors into keyed ones.
func engineErrors(err error) ConfigErrors {
	var errs ConfigErrors
	for _, line := range strings.Split(err.Error(), "\n") {
		if m := engineErrRE.FindStringSubmatch(line); m != nil {
			errs = append(errs, &ConfigError{Key: m[1] + "." + m[2], Reason: m[3]})
			continue
		}
		key, reason, ok := strings.Cut(strings.TrimPrefix(line, "cti: "), ": ")
		if !ok {
			key, reason = "(engine)", line
		}
		errs = append(errs, &ConfigError{Key: key, Reason: reason})
	}
	return errs
}

// warnings are what start-up accepts but is unlikely to be meant: a bridge nobody can use.
func (c *FileConfig) warnings() []string {
	if len(c.Users) == 0 {
		return []string{"users: no users are configured, so nobody can log in; add one (docs/config.md, users)"}
	}
	for _, u := range c.Users {
		if u.Role == web.RoleAdmin || len(u.Lines) > 0 {
			return nil
		}
	}
	return []string{"users: no user has a line or the admin role, so nobody can control a line; give a user lines: [\"pbx/extension\"] or role: admin"}
}

// checkAddr checks a host:port address; listen allows an empty host and port 0 (any free
// port), a dial address needs both.
func checkAddr(addr string, listen bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return fmt.Errorf("is not host:port (%s)", ae.Err)
		}
		return errors.New("is not host:port")
	}
	if host == "" && !listen {
		return errors.New("is not host:port (no host)")
	}
	if host != "" && net.ParseIP(host) == nil && !hostnameRE.MatchString(host) {
		return fmt.Errorf("is not host:port (%q is neither an IP address nor a host name)", host)
	}
	if port == "" {
		return errors.New("is not host:port (no port)")
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		if _, lerr := net.LookupPort("tcp", port); lerr != nil {
			return fmt.Errorf("has port %q, which is neither a number nor a known service", port)
		}
		return nil
	}
	min := 1
	if listen {
		min = 0
	}
	if n < min || n > 65535 {
		return fmt.Errorf("has port %d, outside %d..65535", n, min)
	}
	return nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$`)

func dialectNames() []string {
	var names []string
	for _, d := range csta.Dialects() {
		names = append(names, d.Name)
	}
	return names
}

package lookup

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Defaults of the LDAP source.
const (
	DefaultLDAPFilter        = "(|(telephoneNumber={number})(mobile={number})(homePhone={number}))"
	DefaultLDAPNameAttribute = "cn"
	DefaultLDAPTimeout       = 2 * time.Second
	// ldapIdle bounds the connections kept open between lookups.
	ldapIdle = 4
)

// LDAPConfig configures a directory server lookup.
type LDAPConfig struct {
	// URL is ldap://host:port or ldaps://host:port.
	URL string
	// BaseDN is where the search starts (the whole subtree is searched).
	BaseDN string
	// BindDN and Password authenticate the search; an empty BindDN searches anonymously.
	BindDN   string
	Password string
	// Filter is the search filter with {number} where the number goes (escaped as RFC 4515
	// asks); DefaultLDAPFilter when empty. The telephoneNumber and mobile attributes of the
	// standard schemas compare numbers ignoring spaces and hyphens.
	Filter string
	// NameAttribute holds the name (DefaultLDAPNameAttribute when empty); CompanyAttribute,
	// optional, the company (e.g. "o").
	NameAttribute    string
	CompanyAttribute string
	// Timeout bounds connecting, binding and one search (DefaultLDAPTimeout when zero).
	Timeout time.Duration
	// TLS is used for ldaps:// (nil: the system's roots).
	TLS *tls.Config
}

// LDAP looks numbers up with a search on a directory server. Connections are kept open
// between lookups (a few at most) and opened again when the server dropped them.
type LDAP struct {
	cfg  LDAPConfig
	idle chan *ldap.Conn
}

// NewLDAP checks cfg and returns the source; it does not connect yet.
func NewLDAP(cfg LDAPConfig) (*LDAP, error) {
	if cfg.Filter == "" {
		cfg.Filter = DefaultLDAPFilter
	}
	if cfg.NameAttribute == "" {
		cfg.NameAttribute = DefaultLDAPNameAttribute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultLDAPTimeout
	}
	if err := CheckLDAP(cfg); err != nil {
		return nil, err
	}
	return &LDAP{cfg: cfg, idle: make(chan *ldap.Conn, ldapIdle)}, nil
}

// CheckLDAP says what is wrong with an LDAP configuration (defaults applied), nil when
// nothing is.
func CheckLDAP(cfg LDAPConfig) error {
	var errs []error
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		errs = append(errs, fmt.Errorf("lookup: ldap url %q is not an ldap:// or ldaps:// URL", cfg.URL))
	}
	if _, err := ldap.ParseDN(cfg.BaseDN); err != nil || cfg.BaseDN == "" {
		errs = append(errs, fmt.Errorf("lookup: ldap base_dn %q is not a DN (e.g. ou=people,dc=example,dc=com)", cfg.BaseDN))
	}
	if cfg.BindDN != "" {
		if _, err := ldap.ParseDN(cfg.BindDN); err != nil {
			errs = append(errs, fmt.Errorf("lookup: ldap bind_dn %q is not a DN: %v", cfg.BindDN, err))
		}
	}
	if !strings.Contains(cfg.Filter, "{number}") {
		errs = append(errs, fmt.Errorf("lookup: ldap filter %q has no {number}", cfg.Filter))
	} else if _, err := ldap.CompileFilter(strings.ReplaceAll(cfg.Filter, "{number}", "201")); err != nil {
		errs = append(errs, fmt.Errorf("lookup: ldap filter %q: %v", cfg.Filter, err))
	}
	return errors.Join(errs...)
}

// Name implements Source.
func (l *LDAP) Name() string { return "ldap" }

// Lookup implements Source: the first entry the filter finds with the name attribute set.
func (l *LDAP) Lookup(ctx context.Context, number string) (Contact, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	conn, err := l.conn(ctx)
	if err != nil {
		return Contact{}, false, l.wrap(ctx, err)
	}
	// The client has no context of its own: closing the connection ends a search in flight.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	attrs := []string{l.cfg.NameAttribute}
	if l.cfg.CompanyAttribute != "" {
		attrs = append(attrs, l.cfg.CompanyAttribute)
	}
	req := ldap.NewSearchRequest(l.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1,
		int(max(l.cfg.Timeout/time.Second, 1)), false,
		strings.ReplaceAll(l.cfg.Filter, "{number}", ldap.EscapeFilter(number)), attrs, nil)
	res, err := conn.Search(req)
	if err != nil && !(ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) && res != nil && len(res.Entries) > 0) {
		stop()
		conn.Close()
		return Contact{}, false, l.wrap(ctx, err)
	}
	if stop() {
		l.release(conn)
	}
	for _, e := range res.Entries {
		if name := strings.TrimSpace(e.GetAttributeValue(l.cfg.NameAttribute)); name != "" {
			return Contact{Name: name, Company: strings.TrimSpace(e.GetAttributeValue(l.cfg.CompanyAttribute)),
				Source: "ldap"}, true, nil
		}
	}
	return Contact{}, false, nil
}

func (l *LDAP) wrap(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("lookup: ldap %s: no answer within %v: %w", l.cfg.URL, l.cfg.Timeout, err)
	}
	return fmt.Errorf("lookup: ldap %s: %w", l.cfg.URL, err)
}

// conn returns an idle connection or opens and binds a new one.
func (l *LDAP) conn(ctx context.Context) (*ldap.Conn, error) {
	for idle := true; idle; {
		select {
		case c := <-l.idle:
			if !c.IsClosing() {
				return c, nil
			}
		default:
			idle = false
		}
	}
	deadline, _ := ctx.Deadline()
	d := &net.Dialer{Deadline: deadline}
	opts := []ldap.DialOpt{ldap.DialWithDialer(d)}
	if l.cfg.TLS != nil {
		opts = append(opts, ldap.DialWithTLSConfig(l.cfg.TLS))
	}
	c, err := ldap.DialURL(l.cfg.URL, opts...)
	if err != nil {
		return nil, err
	}
	// The lookup's context bounds every request (it closes the connection); the client's
	// own timeout is only a backstop, longer, so that the context's end is what is reported.
	c.SetTimeout(2 * l.cfg.Timeout)
	if l.cfg.BindDN != "" {
		stop := context.AfterFunc(ctx, func() { c.Close() })
		err := c.Bind(l.cfg.BindDN, l.cfg.Password)
		stop()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("bind as %s: %w", l.cfg.BindDN, err)
		}
	}
	return c, nil
}

// release keeps a healthy connection for the next lookup, or closes it when enough are kept.
func (l *LDAP) release(c *ldap.Conn) {
	select {
	case l.idle <- c:
	default:
		c.Close()
	}
}

// Close closes the connections kept open.
func (l *LDAP) Close() {
	for {
		select {
		case c := <-l.idle:
			c.Close()
		default:
			return
		}
	}
}

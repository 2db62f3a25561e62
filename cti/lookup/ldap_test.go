package lookup

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slapd is an OpenLDAP server started for a test on a free port, with an empty database
// under dc=example,dc=com whose root is cn=admin (password "secret").
type slapd struct {
	url string
	cmd *exec.Cmd
}

const (
	testSuffix = "dc=example,dc=com"
	testRootDN = "cn=admin," + testSuffix
	testRootPW = "secret"
)

// startSlapd runs slapd from the Debian package (make deps installs it) until the test ends.
func startSlapd(t *testing.T) *slapd {
	t.Helper()
	bin, err := exec.LookPath("slapd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/slapd", "/usr/local/libexec/slapd"} {
			if _, err2 := os.Stat(p); err2 == nil {
				bin, err = p, nil
			}
		}
	}
	require.NoError(t, err, "slapd is needed for the LDAP tests: run `make deps` (Debian packages slapd, ldap-utils)")
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "db"), 0o700))
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile %[1]s/slapd.pid
database mdb
maxsize 16777216
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
access to * by * read
`, dir, testSuffix, testRootDN, testRootPW)
	confFile := filepath.Join(dir, "slapd.conf")
	require.NoError(t, os.WriteFile(confFile, []byte(conf), 0o600))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	s := &slapd{url: "ldap://" + addr}
	var out bytes.Buffer
	// -d 0: stay in the foreground, so the test owns the process and its end.
	s.cmd = exec.Command(bin, "-f", confFile, "-h", s.url+"/", "-d", "0")
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	require.NoError(t, s.cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("slapd output:\n%s", out.String())
		}
	})
	require.Eventually(t, func() bool {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("slapd exited: %v\n%s", err, out.String())
		default:
		}
		c, err := ldap.DialURL(s.url)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}, 30*time.Second, 20*time.Millisecond, "slapd did not start listening on %s", addr)
	return s
}

// add writes entries as the root DN.
func (s *slapd) add(t *testing.T, reqs ...*ldap.AddRequest) {
	t.Helper()
	c, err := ldap.DialURL(s.url)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Bind(testRootDN, testRootPW))
	for _, r := range reqs {
		require.NoError(t, c.Add(r), r.DN)
	}
}

func entry(dn string, attrs map[string][]string) *ldap.AddRequest {
	r := ldap.NewAddRequest(dn, nil)
	for k, v := range attrs {
		r.Attribute(k, v)
	}
	return r
}

func person(cn, sn string, attrs map[string][]string) *ldap.AddRequest {
	a := map[string][]string{"objectClass": {"inetOrgPerson"}, "cn": {cn}, "sn": {sn}}
	for k, v := range attrs {
		a[k] = v
	}
	return entry("cn="+cn+",ou=people,"+testSuffix, a)
}

func TestLDAPLookup(t *testing.T) {
	s := startSlapd(t)
	s.add(t,
		entry(testSuffix, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}}),
		entry("ou=people,"+testSuffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"people"}}),
		person("Dora Diaz", "Diaz", map[string][]string{"telephoneNumber": {"+49 30 1234-567"}, "o": {"ACME"},
			"displayName": {"Dr. Dora Diaz"}}),
		person("Eve Smith", "Smith", map[string][]string{"mobile": {"+49 170 5551234"}}),
		person("Lookup Service", "Service", map[string][]string{"userPassword": {"lookup-pw"}}),
	)
	ctx := context.Background()

	l, err := NewLDAP(LDAPConfig{URL: s.url, BaseDN: testSuffix, BindDN: "cn=Lookup Service,ou=people," + testSuffix,
		Password: "lookup-pw", CompanyAttribute: "o", Timeout: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(l.Close)
	c, ok, err := l.Lookup(ctx, "+49301234567")
	require.NoError(t, err)
	require.True(t, ok, "telephoneNumber matches ignoring spaces and hyphens")
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME", Source: "ldap"}, c)
	c, ok, err = l.Lookup(ctx, "+491705551234")
	require.NoError(t, err)
	require.True(t, ok, "mobile is searched too")
	assert.Equal(t, "Eve Smith", c.Name)
	_, ok, err = l.Lookup(ctx, "+4911")
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = l.Lookup(ctx, "*)(cn=*")
	require.NoError(t, err, "the number is escaped in the filter")
	assert.False(t, ok)

	// Another filter and name attribute, anonymously.
	anon, err := NewLDAP(LDAPConfig{URL: s.url, BaseDN: "ou=people," + testSuffix,
		Filter: "(&(objectClass=inetOrgPerson)(telephoneNumber={number}))", NameAttribute: "displayName"})
	require.NoError(t, err)
	t.Cleanup(anon.Close)
	c, ok, err = anon.Lookup(ctx, "+49 30 1234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "Dr. Dora Diaz", c.Name)
	_, ok, err = anon.Lookup(ctx, "+491705551234")
	require.NoError(t, err)
	assert.False(t, ok, "the filter asks telephoneNumber only")

	// A wrong password is a failure, named as such.
	bad, err := NewLDAP(LDAPConfig{URL: s.url, BaseDN: testSuffix, BindDN: testRootDN, Password: "wrong"})
	require.NoError(t, err)
	_, _, err = bad.Lookup(ctx, "+49301234567")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bind as "+testRootDN)
	assert.Contains(t, err.Error(), "Invalid Credentials")

	// A server that does not answer: the lookup ends at the timeout.
	slow, err := NewLDAP(LDAPConfig{URL: s.url, BaseDN: testSuffix, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(slow.Close)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGSTOP))
	s.waitStopped(t) // kill returns before a busy host has stopped every thread
	_, _, err = slow.Lookup(ctx, "+49301234567")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGCONT))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 200ms")

	// Through a resolver: asked once, then cached; a server that went away is a failure, and
	// the cached answer still stands.
	r := NewResolver(NewChain(nil, l), CacheConfig{}, nil)
	c, ok, err = r.Lookup(ctx, "+49 30 1234567")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.cmd.Process.Kill())
	c, ok, err = r.Lookup(ctx, "+49301234567")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "Dora Diaz", c.Name)
	_, _, err = l.Lookup(ctx, "+491705551234")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lookup: ldap "+s.url)
}

func TestLDAPConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  LDAPConfig
		want string
	}{
		"url":       {LDAPConfig{URL: "http://x", BaseDN: testSuffix}, `"http://x" is not an ldap:// or ldaps:// URL`},
		"base":      {LDAPConfig{URL: "ldap://x", BaseDN: "example"}, `base_dn "example" is not a DN`},
		"no number": {LDAPConfig{URL: "ldap://x", BaseDN: testSuffix, Filter: "(cn=x)"}, "has no {number}"},
		"filter":    {LDAPConfig{URL: "ldap://x", BaseDN: testSuffix, Filter: "(cn={number}"}, `filter "(cn={number}"`},
	} {
		_, err := NewLDAP(tc.cfg)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
}

// waitStopped waits until every thread of slapd is stopped (state T in /proc): SIGSTOP is
// delivered asynchronously, and on a loaded host a thread still running may answer first.
func (s *slapd) waitStopped(t *testing.T) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/task", s.cmd.Process.Pid)
	require.Eventually(t, func() bool {
		tasks, err := os.ReadDir(dir)
		if err != nil || len(tasks) == 0 {
			return false
		}
		for _, task := range tasks {
			stat, err := os.ReadFile(filepath.Join(dir, task.Name(), "stat"))
			if err != nil {
				return false
			}
			// The state follows the command's closing parenthesis: "pid (comm) S ...".
			i := bytes.LastIndexByte(stat, ')')
			if i < 0 || i+2 >= len(stat) || (stat[i+2] != 'T' && stat[i+2] != 't') {
				return false
			}
		}
		return true
	}, 10*time.Second, 5*time.Millisecond, "slapd did not stop")
}

package csta

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

func TestDialectByName(t *testing.T) {
	cases := []struct {
		name      string
		edition   Edition
		session   SessionStyle
		keepAlive KeepAliveMethod
		port      int
	}{
		{"osv", Ed4, SessionApplication, KeepAliveResetTimer, 1040},
		{"osbiz", Ed4, SessionSystemStatusFirst, KeepAliveSystemStatus, 8800},
		{"avaya", Ed3, SessionApplication, KeepAliveResetTimer, 4721},
		{"generic", Ed4, SessionSystemStatusFirst, KeepAliveSystemStatus, 0},
	}
	for _, tc := range cases {
		d, err := DialectByName(strings.ToUpper(tc.name))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d.Name != tc.name || d.Edition != tc.edition || d.Session != tc.session || d.KeepAlive != tc.keepAlive ||
			d.DefaultPort != tc.port || d.Framing.Name() != "header" {
			t.Errorf("%s = %+v", tc.name, d)
		}
	}
	_, err := DialectByName("cisco")
	if err == nil || !strings.Contains(err.Error(), `"cisco"`) || !strings.Contains(err.Error(), "osv, osbiz, avaya, generic") {
		t.Errorf("unknown dialect error = %v, want the name and the valid names", err)
	}
}

func TestDialectDefaults(t *testing.T) {
	d := Dialect{Framing: NULFraming{}}.withDefaults()
	if d.Name != "generic" || d.Edition != Ed4 || d.Framing.Name() != "nul" || d.KeepAlive != KeepAliveSystemStatus {
		t.Errorf("defaults = %+v", d)
	}
	if KeepAliveResetTimer.String() != "ResetApplicationSessionTimer" || SessionApplication.String() != "applicationSession" {
		t.Error("String names changed")
	}
}

func TestConnEncodesInDialectEdition(t *testing.T) {
	ln := listen(t)
	accepted := acceptOne(t, ln)
	c, err := Dial(testCtx(t), ln.Addr().String(), Config{Dialect: DialectAvaya})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc := <-accepted
	defer nc.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(testCtx(t), &MonitorStart{MonitorObject: Device("201")})
		errc <- err
	}()
	f, err := HeaderFraming{}.NewReader(nc, 0).ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(f.Body, []byte(Ed3.Namespace())) {
		t.Errorf("avaya request not in the ed3 namespace: %s", f.Body)
	}
	body, _ := Encode(nil, &MonitorStartResponse{MonitorCrossRefID: "7"}, Ed3)
	out, _ := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: f.InvokeID, Body: body})
	if _, err := nc.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Error(err)
	}
}

func TestDialAddressWithoutPort(t *testing.T) {
	_, err := Dial(testCtx(t), "127.0.0.1", Config{})
	if err == nil || !strings.Contains(err.Error(), "no default port") {
		t.Errorf("generic dialect without port: err = %v", err)
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "pbx.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

func TestDialTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ln := tls.NewListener(listen(t), &tls.Config{Certificates: []tls.Certificate{cert}})
	handler := func(ctx context.Context, req Message) (Message, error) { return &SystemStatusResponse{}, nil }
	servers := make(chan *ServerConn, 1)
	go func() { // the TLS handshake needs the server reading while the client dials
		nc, err := ln.Accept()
		if err != nil {
			t.Error(err)
			close(servers)
			return
		}
		servers <- NewServerConn(nc, ServerConfig{Handler: handler})
	}()
	c, err := Dial(testCtx(t), ln.Addr().String(), Config{TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	s := <-servers
	defer func() {
		c.Close()
		s.Close()
		<-c.Done()
		<-s.Done()
	}()
	if _, err := c.KeepAlive(testCtx(t)); err != nil {
		t.Fatalf("keep-alive over TLS: %v", err)
	}
	if _, ok := c.nc.(*tls.Conn); !ok {
		t.Errorf("Dial with TLS config made a %T", c.nc)
	}

	// A client that does not trust the certificate fails to dial, with a clear error.
	handshook := make(chan struct{})
	go func() {
		defer close(handshook)
		if nc, err := ln.Accept(); err == nil {
			_ = nc.(*tls.Conn).HandshakeContext(testCtx(t)) // fails: the client hangs up
			nc.Close()
		}
	}()
	_, err = Dial(testCtx(t), ln.Addr().String(), Config{TLS: &tls.Config{ServerName: "127.0.0.1"}})
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) || !strings.Contains(err.Error(), "csta: dial") {
		t.Errorf("untrusted certificate: err = %v, want an unknown authority error", err)
	}
	<-handshook
}

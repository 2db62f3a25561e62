package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and its key as PEM files in dir.
func writeCert(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{name}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	for f, b := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(f, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// --check loads the HTTPS certificate and key as the listener will and names the file at fault.
func TestCheckHTTPTLSKeyPair(t *testing.T) {
	dir := t.TempDir()
	certA, keyA := writeCert(t, dir, "a")
	_, keyB := writeCert(t, dir, "b")
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "HQ_PW" {
			return "secret"
		}
		return ""
	}
	withTLS := func(cert, key string) string {
		return writeConfig(t, goodConfig+"http_tls: {cert_file: \""+cert+"\", key_file: \""+key+"\"}\n")
	}
	if _, err := loadConfig(withTLS(certA, keyA), env); err != nil {
		t.Fatalf("matching pair refused: %v", err)
	}
	for _, tc := range []struct{ name, cert, key, want string }{
		{"key of another certificate", certA, keyB, "http_tls.key_file: the key in " + keyB + " does not belong to the certificate in " + certA},
		{"no certificate in cert_file", junk, keyA, "http_tls.cert_file: " + junk + " holds no PEM CERTIFICATE block"},
		{"no key in key_file", certA, junk, "http_tls.key_file: " + junk + " holds no PEM private key block"},
		{"certificate given as key", certA, certA, "http_tls.key_file: " + certA + " holds no PEM private key block"},
	} {
		_, err := loadConfig(withTLS(tc.cert, tc.key), env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// The same through the command line.
	cmd := exec.Command(binPath, "-check", "-config", withTLS(certA, keyB))
	cmd.Env = append(os.Environ(), "HQ_PW=secret")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "http_tls.key_file") {
		t.Fatalf("--check with a mismatched key: %v\n%s", err, out)
	}
}

//go:build linux

package harness

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
)

// msiexec runs Wine's msiexec with args and fails the test unless it succeeds.
func msiexec(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.wine, append([]string{"msiexec"}, args...)...)
	cmd.Env = wineEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("msiexec %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestInstaller builds the MSI as `make msi` does, installs it silently with the bridge's
// URL and a token as properties, checks that the provider is in System32 and starts with
// that configuration, and uninstalls it.
func TestInstaller(t *testing.T) {
	needWine(t)
	wixl, err := exec.LookPath("wixl")
	if err != nil {
		t.Skip("wixl not installed; run `make deps` (Debian package wixl)")
	}
	wxs, err := filepath.Abs(filepath.Join("..", "installer", "ctibridge-tsp.wxs"))
	if err != nil {
		t.Fatal(err)
	}
	msi := filepath.Join(env.work, "ctibridge-tsp.msi")
	build := exec.Command(wixl, "-a", "x64", "-D", "TspDll=ctibridge.tsp", "-D", "Version=1.0.0", "-o", msi, wxs)
	build.Dir = env.work // wixl reads File/@Source relative to its working directory
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("wixl: %v\n%s", err, out)
	}

	// Start from a machine without the provider; the other tests find it back afterwards.
	installed := filepath.Join(env.system32, "ctibridge.tsp")
	if err := os.Remove(installed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := copyFile(env.dll, installed); err != nil {
			t.Error(err)
		}
	})
	del := exec.Command(env.wine, "reg", "delete", `HKLM\SOFTWARE\ctibridge`, "/f")
	del.Env = wineEnv()
	_ = del.Run() // absent already is fine

	b := startBridge(t)
	msiexec(t, "/i", winePath(msi), "URLS="+b.ws, "TOKEN="+clienttest.AliceToken, "MODE=user", "/qn")
	if _, err := os.Stat(installed); err != nil {
		t.Fatalf("ctibridge.tsp not in System32 after the installation: %v", err)
	}
	if got := regValue(t, regQuery(t), "URLs"); got != "REG_MULTI_SZ "+b.ws {
		t.Errorf("URLs after the installation: %s", got)
	}
	h := startHost(t)
	h.ok("load ctibridge.tsp")
	if r := h.ok("enum %d", providerID); r.attrs["lines"] != "1" {
		t.Fatalf("TSPI_providerEnumDevices after the installation: %s", r.line)
	}
	h.ok("init %d %d 1", providerID, lineBase)
	h.ok("open %d %#x", lineBase, htLine)
	shutdown(t, h, b.addr)

	msiexec(t, "/x", winePath(msi), "/qn")
	if _, err := os.Stat(installed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ctibridge.tsp still in System32 after uninstalling: %v", err)
	}
}

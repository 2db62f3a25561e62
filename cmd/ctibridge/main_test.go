package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

var binPath string

// TestMain builds the daemon once (testkit.Binary) for the tests that run it as a process.
func TestMain(m *testing.M) {
	var err error
	if binPath, err = testkit.Binary("./cmd/ctibridge"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	testkit.Eventually(t, what, f)
}

func getJSON(url, token string, v any) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

// TestEmbeddedDefault runs the binary with no configuration, as the README's quick start does,
// and checks the bridge serves the demo PBX through real listeners, then stops on SIGTERM.
func TestEmbeddedDefault(t *testing.T) {
	addr := testkit.FreeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "-listen", addr, "-traffic", "0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := testkit.ReadLines(stdout)
	out.Expect(t, "the banner's demo tokens", func(l string) bool { return strings.Contains(l, "admin-demo-token") })
	text := out.String()
	for _, want := range []string{"listening on http://" + addr, "PBX simulator: CSTA primary 127.0.0.1:", "alice-demo-token"} {
		if !strings.Contains(text, want) {
			t.Fatalf("banner lacks %q:\n%s", want, text)
		}
	}
	base := "http://" + addr
	waitFor(t, "readyz", func() bool {
		code, _ := getJSON(base+"/readyz", "", nil)
		return code == 200
	})
	var lines struct {
		Lines []struct {
			Name      string `json:"name"`
			InService bool   `json:"inService"`
		} `json:"lines"`
	}
	waitFor(t, "alice's line in service", func() bool {
		code, err := getJSON(base+"/api/v1/lines", "alice-demo-token", &lines)
		return code == 200 && err == nil && len(lines.Lines) == 1 && lines.Lines[0].InService
	})
	if lines.Lines[0].Name != "demo/201" {
		t.Fatalf("alice sees %+v", lines.Lines)
	}
	if code, _ := getJSON(base+"/api/v1/lines", "wrong-token", nil); code != 401 {
		t.Fatalf("wrong token: status %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-out.Done()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

func TestBrokenConfigExitsWithReason(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte("pbxs:\n  - name: hq\n    primary: 10.0.0.1\n    devices: [\"2xx\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binPath, "-config", p).CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v\n%s", err, out)
	}
	for _, want := range []string{`pbxs[0].primary: "10.0.0.1" is not host:port`, `pbxs[0].devices[0]: device "2xx": want digits`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(binPath, "-check").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "configuration OK") {
		t.Fatalf("-check of the embedded default: %v\n%s", err, out)
	}
}

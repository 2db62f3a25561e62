package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

func TestMain(m *testing.M) { clienttest.Main(m) }

// cliBinary is the cticlient binary, built once (testkit.Binary).
func cliBinary(t *testing.T) string {
	t.Helper()
	p, err := testkit.Binary("./cmd/cticlient")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cli runs the cticlient binary with env added and returns its output and exit code.
func cli(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliBinary(t), args...)
	cmd.Env = append(os.Environ(), "CTIBRIDGE_URL=", "CTIBRIDGE_TOKEN=")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// ok runs cticlient, expecting success and every want in its output.
func ok(t *testing.T, br *clienttest.Bridge, token string, want []string, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, nil, append([]string{"-url", br.URL, "-token", token}, args...)...)
	if code != 0 {
		t.Fatalf("cticlient %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("cticlient %v: output lacks %q:\n%s", args, w, out)
		}
	}
	return out
}

func lineState(t *testing.T, br *clienttest.Bridge) client.LineView {
	t.Helper()
	r, err := client.NewREST(br.URL, clienttest.AliceToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.Line(context.Background(), "demo/201")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestListings(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ok(t, br, clienttest.AliceToken, []string{"LINE", "demo/201", "Alice", "idle", "yes"}, "lines")
	if _, err := br.Control.Incoming(context.Background(), "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "ringing", func() bool { return lineState(t, br).Status == "ringing" })
	ok(t, br, clienttest.AliceToken, []string{"demo/201", "OFFERING", "EXTERNAL", "+4930555123"}, "calls")
	out := ok(t, br, clienttest.AliceToken, nil, "calls", "--json")
	var calls []map[string]any
	if err := json.Unmarshal([]byte(out), &calls); err != nil || len(calls) != 1 || calls[0]["state"] != "LINECALLSTATE_OFFERING" {
		t.Fatalf("calls --json = %s (%v)", out, err)
	}
	ok(t, br, clienttest.AdminToken, []string{"PBX", "demo", "primary", "up"}, "links")
	// URL and token from the environment.
	out, errOut, code := cli(t, []string{"CTIBRIDGE_URL=" + br.URL, "CTIBRIDGE_TOKEN=" + clienttest.SamToken}, "lines")
	if code != 0 || !strings.Contains(out, "demo/219") {
		t.Fatalf("lines from env: exit %d\n%s%s", code, out, errOut)
	}
}

func TestCallControl(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	if _, err := br.Control.Incoming(context.Background(), "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	clienttest.Eventually(t, "ringing", func() bool { return lineState(t, br).Status == "ringing" })
	ok(t, br, clienttest.AliceToken, []string{"answer demo/201: call demo:"}, "answer", "demo/201")
	if s := lineState(t, br).Status; s != "busy" {
		t.Fatalf("after answer: %s", s)
	}
	ok(t, br, clienttest.AliceToken, []string{"hold demo/201"}, "hold", "demo/201")
	clienttest.Eventually(t, "held", func() bool { return lineState(t, br).Status == "held" })
	ok(t, br, clienttest.AliceToken, []string{"retrieve demo/201"}, "retrieve", "demo/201")
	clienttest.Eventually(t, "busy", func() bool { return lineState(t, br).Status == "busy" })
	ok(t, br, clienttest.AliceToken, []string{"hangup demo/201"}, "hangup", "demo/201")
	clienttest.Eventually(t, "idle", func() bool { return lineState(t, br).Status == "idle" })

	out := ok(t, br, clienttest.AliceToken, nil, "dial", "demo/201", "202", "-ring-first=false", "--json")
	var d map[string]string
	if err := json.Unmarshal([]byte(out), &d); err != nil || !strings.HasPrefix(d["handle"], "demo:") {
		t.Fatalf("dial --json = %s (%v)", out, err)
	}
	ok(t, br, clienttest.AliceToken, []string{"hangup demo/201: call " + d["handle"]}, "hangup", "demo/201", "--call", d["handle"])

	ok(t, br, clienttest.AliceToken, []string{"do-not-disturb on on demo/201"}, "dnd", "demo/201", "on")
	clienttest.Eventually(t, "dnd", func() bool { return lineState(t, br).DND })
	ok(t, br, clienttest.AliceToken, []string{"forwarding UNCOND on demo/201 to 203"}, "forward", "demo/201", "uncond", "203")
	clienttest.Eventually(t, "forwarded", func() bool { return len(lineState(t, br).Forwarding) == 1 })
	ok(t, br, clienttest.AliceToken, []string{"forwarding UNCOND off"}, "forward", "demo/201", "off")
	clienttest.Eventually(t, "not forwarded", func() bool { return len(lineState(t, br).Forwarding) == 0 })

	ok(t, br, clienttest.AdminToken, []string{"PBX demo switched over"}, "switchover", "demo", "--reason", "test")
	r, _ := client.NewREST(br.URL, clienttest.AdminToken, nil)
	clienttest.Eventually(t, "standby active", func() bool {
		ls, err := r.Links(context.Background())
		return err == nil && len(ls) == 1 && ls[0].Active == "standby"
	})
}

func TestErrors(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-url", "ftp://x", "-token", "t", "lines"}, 1, []string{"scheme must be ws, wss, http or https"}},
		{[]string{"-url", "ftp://x", "-token", "t", "answer", "demo/201"}, 1, []string{"scheme must be"}},
		{[]string{"-url", br.URL, "-token", "nope", "lines"}, 1, []string{"refused the token"}},
		{[]string{"-url", br.URL, "-token", "nope", "answer", "demo/201"}, 1, []string{"refused the token"}},
		{[]string{"-url", br.URL, "-token", "nope", "watch", "demo/201"}, 1, []string{"refused the token"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "answer", "demo/999"}, 1, []string{"demo/999", "does not exist"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "dnd", "demo/999", "on"}, 1, []string{"LINEERR_BADDEVICEID", "demo/999"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "watch", "demo/999"}, 1, []string{"demo/999", "does not exist"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "answer", "demo/201"}, 1, []string{"no call in state OFFERING"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "switchover", "demo"}, 1, []string{"not an admin"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "forward", "demo/201", "sideways", "203"}, 2, []string{"forward mode"}},
		{[]string{"-url", br.URL, "-token", clienttest.AliceToken, "frobnicate"}, 2, []string{"unknown command"}},
		{[]string{"-token", "t", "lines"}, 2, []string{"CTIBRIDGE_URL"}},
		{[]string{"-url", "http://" + clienttest.FreeAddr(t), "-token", "t", "hangup", "demo/201"}, 1, []string{"no bridge reachable"}},
	}
	for _, c := range cases {
		_, errOut, code := cli(t, nil, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr lacks %q: %s", c.args, w, errOut)
			}
		}
	}
}

// TestWatch runs watch as a long-lived process, rings a call and reads the lines it prints,
// in text and JSON form; SIGINT ends it cleanly.
func TestWatch(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	bin := cliBinary(t)
	for _, asJSON := range []bool{false, true} {
		args := []string{"-url", br.URL, "-token", clienttest.AliceToken, "watch", "demo/201"}
		if asJSON {
			args = append(args, "--json")
		}
		cmd := exec.Command(bin, args...)
		stdout, _ := cmd.StdoutPipe()
		var stderr testkit.Buffer // written while the test reads it
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := testkit.ReadLines(stdout)
		expect := func(match func(string) bool, what string) {
			t.Helper()
			lines.Expect(t, what, match)
		}
		if asJSON {
			expect(func(l string) bool { return strings.Contains(l, `"kind":"synced"`) }, "synced record")
		} else {
			expect(func(l string) bool { return strings.Contains(l, "demo/201 in service") }, "initial state")
			expect(func(l string) bool { return strings.Contains(l, "demo up to date") }, "synced line")
		}
		if _, err := br.Control.Incoming(context.Background(), "+4930555777", "201"); err != nil {
			t.Fatal(err)
		}
		if asJSON {
			expect(func(l string) bool {
				var r struct {
					Kind  string `json:"kind"`
					Event struct {
						Type string `json:"type"`
						Line string `json:"line"`
					} `json:"event"`
				}
				return json.Unmarshal([]byte(l), &r) == nil && r.Kind == "event" && r.Event.Type == "LINE_NEWCALL" && r.Event.Line == "demo/201"
			}, "LINE_NEWCALL record")
		} else {
			expect(func(l string) bool { return strings.Contains(l, "NEWCALL EXTERNAL from +4930555777") }, "NEWCALL line")
			expect(func(l string) bool { return strings.HasSuffix(l, " OFFERING") }, "OFFERING line")
		}
		_ = br.Control.Device(context.Background(), "201", "answer", nil)
		_ = br.Control.Device(context.Background(), "201", "hangup", nil)
		_ = cmd.Process.Signal(syscall.SIGINT)
		<-lines.Done()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("watch after SIGINT: %v (%s)", err, stderr.String())
		}
	}
}

package client_test

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestExamples builds the example programs and runs them against a bridge: the popup
// printer shows a ringing call, click-to-dial reports the call answered.
func TestExamples(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	bin := func(name string) string {
		p, err := testkit.Binary("./clients/go/examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	popup := exec.CommandContext(ctx, bin("popup"), "-url", br.URL, "-token", clienttest.AliceToken, "demo/201")
	out, _ := popup.StdoutPipe()
	if err := popup.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = popup.Process.Kill(); _ = popup.Wait() }()
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "watching demo/201 as alice") {
		t.Fatalf("popup started with %q", sc.Text())
	}
	if _, err := br.Control.Incoming(ctx, "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		if strings.Contains(sc.Text(), "from +4930555123") {
			break
		}
	}
	if err := br.Control.Device(ctx, "201", "answer", nil); err != nil {
		t.Fatal(err)
	}
	if err := br.Control.Device(ctx, "201", "hangup", nil); err != nil {
		t.Fatal(err)
	}

	dial := exec.CommandContext(ctx, bin("clicktodial"), "-url", br.URL, "-token", clienttest.AliceToken, "demo/201", "202")
	dout, _ := dial.StdoutPipe()
	if err := dial.Start(); err != nil {
		t.Fatal(err)
	}
	ds := bufio.NewScanner(dout)
	if !ds.Scan() || !strings.HasPrefix(ds.Text(), "calling 202 from demo/201: call demo:") {
		t.Fatalf("clicktodial printed %q", ds.Text())
	}
	clienttest.Eventually(t, "202 rings", func() bool {
		return br.Control.Device(ctx, "202", "answer", nil) == nil
	})
	answered := false
	for ds.Scan() {
		answered = answered || ds.Text() == "answered"
	}
	if err := dial.Wait(); err != nil || !answered {
		t.Fatalf("clicktodial: %v, answered %v", err, answered)
	}
}

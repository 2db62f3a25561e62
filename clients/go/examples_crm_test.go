package client_test

import (
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestCRMExample runs the CRM example against a bridge: it subscribes itself to call
// webhooks, verifies a test delivery, names a ringing caller from its contacts and calls the
// caller back when the call is missed.
func TestCRMExample(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	bin, err := testkit.Binary("./clients/go/examples/crm")
	if err != nil {
		t.Fatal(err)
	}
	crm := exec.CommandContext(ctx, bin, "-bridge", br.URL, "-admin-token", clienttest.AdminToken,
		"-token", clienttest.AliceToken, "-line", "demo/201", "-contacts", "examples/crm/contacts.csv")
	out, _ := crm.StdoutPipe()
	var stderr testkit.Buffer // written while the test reads it
	crm.Stderr = &stderr
	if err := crm.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = crm.Process.Kill()
		_ = crm.Wait()
		if t.Failed() {
			t.Logf("crm's stderr:\n%s", stderr.String())
		}
	}()
	lines := testkit.ReadLines(out)
	expect := func(what string, re *regexp.Regexp) []string {
		t.Helper()
		return lines.ExpectMatch(t, what, re)
	}
	id := expect("its subscription", regexp.MustCompile(`^crm: webhook (\S+) receiving demo/201 calls at http://`))[1]

	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, br.URL+"/api/v1/webhooks/"+id+"/test", nil)
	req.Header.Set("Authorization", "Bearer "+clienttest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"delivered":true`) {
		t.Fatalf("test delivery: %d %s", resp.StatusCode, body)
	}
	expect("the verified test delivery", regexp.MustCompile(`^crm: test delivery received$`))

	if _, err := br.Control.Incoming(ctx, "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	expect("the caller's name", regexp.MustCompile(`^crm: demo/201: call from Jane Doe \(ACME GmbH\) \+4930555123$`))
	if err := br.Control.Device(ctx, "+4930555123", "hangup", nil); err != nil {
		t.Fatal(err)
	}
	expect("the missed call", regexp.MustCompile(`^crm: demo/201: missed call from Jane Doe`))
	expect("the call back", regexp.MustCompile(`^crm: calling back Jane Doe \(ACME GmbH\) \+4930555123 from demo/201: call demo:\d+$`))
}

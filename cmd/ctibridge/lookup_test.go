package main

import (
	"context"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestLookupConfigErrors: every lookup key that is wrong is named with what is expected.
func TestLookupConfigErrors(t *testing.T) {
	badCSV := filepath.Join(t.TempDir(), "phonebook.csv")
	require.NoError(t, os.WriteFile(badCSV, []byte("nummer,name\n201,Alice\n"), 0o600))
	body := goodConfig + `lookup:
  budget: -1s
  workers: -1
  directory: {file: ` + badCSV + `}
  ldap: {url: "http://dir", base_dn: "people", password_env: LDAP_PW}
  http: {url: "https://crm.example.com/contacts", token_env: CRM_TOKEN, headers: {"Bad Name": x}}
`
	_, err := loadConfig(writeConfig(t, body), func(k string) string {
		return map[string]string{"HQ_PW": "x"}[k]
	})
	require.Error(t, err)
	for _, want := range []string{
		"lookup.budget: -1s is negative",
		"lookup.workers: -1 out of range 1-1000",
		"lookup.directory.file: lookup: directory " + badCSV + `: csv header "nummer,name": want columns number and name`,
		`lookup.ldap.url: "http://dir" is not an ldap:// or ldaps:// URL`,
		`lookup.ldap.base_dn: "people" is not a DN`,
		"lookup.ldap.password_env: environment variable LDAP_PW is empty or unset",
		`lookup.http.url: "https://crm.example.com/contacts" has no {number}`,
		"lookup.http.token_env: environment variable CRM_TOKEN is empty or unset",
		`lookup.http.headers: "Bad Name" is not a header name`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func postJSON(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, b)
}

// TestCallerNamesEndToEnd runs the daemon with the simulator, extension names and a directory
// file: an internal call from 202 arrives named Bob, an outside caller gets the directory's
// name, and a name added to the file while the daemon runs is used for the next call.
func TestCallerNamesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "phonebook.csv")
	require.NoError(t, os.WriteFile(book, []byte("number,name,company\n+49 30 1234567,Dora Diaz,ACME\n"), 0o600))
	addr, control := testkit.FreeAddr(t), testkit.FreeAddr(t)
	cfgFile := filepath.Join(dir, "ctibridge.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(fmt.Sprintf(`listen: %q
simulator: {enabled: true, extensions: "200-209", traffic_cps: 0, control_addr: %q}
pbxs:
  - name: demo
    devices: ["200-203"]
    names: {"201": "Alice", "202": "Bob"}
    numbering: {country: "49", area: "30", outside_prefix: "0", extension_digits: 3}
users:
  - {name: admin, token_sha256: %q, role: admin}
lookup:
  directory: {file: %q, poll: 20ms}
`, addr, control, sha256Hex("admin-token"), book)), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "--config", cfgFile)
	logs := &testkit.Buffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, logs
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	}()
	base := "http://" + addr
	waitFor(t, "readyz", func() bool {
		code, _ := getJSON(base+"/readyz", "", nil)
		return code == 200
	})
	callerOf := func(line string) string {
		var res struct {
			Calls []struct {
				Info struct {
					Caller struct{ Number, Name string } `json:"caller"`
				} `json:"info"`
			} `json:"calls"`
		}
		code, err := getJSON(base+"/api/v1/lines/demo/"+line+"/calls", "admin-token", &res)
		if code != 200 || err != nil || len(res.Calls) != 1 {
			return ""
		}
		return res.Calls[0].Info.Caller.Name
	}
	waitFor(t, "lines in service", func() bool {
		var lines struct {
			Lines []struct{ InService bool } `json:"lines"`
		}
		code, err := getJSON(base+"/api/v1/lines", "admin-token", &lines)
		return code == 200 && err == nil && len(lines.Lines) == 4 && lines.Lines[0].InService && lines.Lines[3].InService
	})

	postJSON(t, "http://"+control+"/devices/202/dial", `{"to":"201"}`)
	waitFor(t, "Bob calling 201", func() bool { return callerOf("201") == "Bob" })

	postJSON(t, "http://"+control+"/incoming", `{"from":"+49301234567","to":"203"}`)
	waitFor(t, "Dora calling 203", func() bool { return callerOf("203") == "Dora Diaz" })
	postJSON(t, "http://"+control+"/devices/+49301234567/hangup", `{}`)
	waitFor(t, "Dora's call ended", func() bool { return callerOf("203") == "" })

	require.NoError(t, os.WriteFile(book, []byte("number,name\n+49 30 1234567,Dora Diaz\n030 7654321,Eve Smith\n"), 0o600))
	waitFor(t, "the file reloaded", func() bool { return strings.Contains(logs.String(), "directory file reloaded") })
	// The directory has the national form; the PBX reports the caller in E.164.
	postJSON(t, "http://"+control+"/incoming", `{"from":"+49307654321","to":"203"}`)
	waitFor(t, "Eve calling 203", func() bool { return callerOf("203") == "Eve Smith" })

	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(metrics), `ctibridge_lookup_requests_total{result="found",source="directory"}`)
	assert.Contains(t, string(metrics), `ctibridge_lookup_names_total{outcome="in_time",pbx="demo"}`)
}

//go:build linux

package harness

import (
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// rundll32 runs `rundll32 ctibridge.tsp,Configure OPTIONS` under Wine as an administrator
// would (the DLL installed in system32) and returns what the DLL wrote with
// OutputDebugString.
func rundll32(t *testing.T, options string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"rundll32", "ctibridge.tsp,Configure"}, strings.Fields(options)...)
	cmd := exec.CommandContext(ctx, env.wine, args...)
	// Wine traces OutputDebugString on its seh channel.
	cmd.Env = append(wineEnv(), "WINEDEBUG=-all,warn+seh")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rundll32 ctibridge.tsp,Configure %s: %v\n%s", options, err, out)
	}
	var msgs []string
	for _, m := range regexp.MustCompile(`OutputDebugString[AW] "(.*)\\n"`).FindAllSubmatch(out, -1) {
		msgs = append(msgs, strings.ReplaceAll(string(m[1]), `\"`, `"`))
	}
	return msgs
}

// regQuery returns `reg query` of the provider's key.
func regQuery(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(env.wine, "reg", "query", `HKLM\SOFTWARE\ctibridge\TSP`)
	cmd.Env = wineEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reg query: %v\n%s", err, out)
	}
	return string(out)
}

func regValue(t *testing.T, query, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+` + name + `\s+(REG_\w+)\s+(.*?)\s*$`).FindStringSubmatch(query)
	if m == nil {
		t.Fatalf("registry value %s missing:\n%s", name, query)
	}
	return m[1] + " " + m[2]
}

// TestConfigureWithRundll32: the administrator's command writes HKLM with the token
// DPAPI-protected, and the provider, loaded afresh, reads it back and logs in with it.
func TestConfigureWithRundll32(t *testing.T) {
	needWine(t)
	b := startBridge(t)
	msgs := rundll32(t, fmt.Sprintf("-quiet -urls %s -token %s -mode user -oos-ms 3000", b.ws, clienttest.AliceToken))
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "ctibridge TSP configuration saved.") {
		t.Fatalf("rundll32 reported %q, want the saved message", msgs)
	}
	q := regQuery(t)
	for name, want := range map[string]string{
		"URLs": "REG_MULTI_SZ " + b.ws, "Mode": "REG_SZ user", "OutOfServiceAfterMs": "REG_DWORD 0xbb8",
		"OpenTimeoutMs": "REG_DWORD 0x2710", "ConnectTimeoutMs": "REG_DWORD 0x3a98",
	} {
		if got := regValue(t, q, name); got != want {
			t.Errorf("HKLM\\SOFTWARE\\ctibridge\\TSP %s = %s, want %s", name, got, want)
		}
	}
	tok := regValue(t, q, "Token")
	if !strings.HasPrefix(tok, "REG_BINARY ") || strings.Contains(strings.ToLower(tok), hex.EncodeToString([]byte(clienttest.AliceToken))) {
		t.Errorf("Token is not a protected binary: %s", tok)
	}

	// A wrong option changes nothing and says why.
	msgs = rundll32(t, "-quiet -urls ftp://bridge -token x")
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], `ctibridge TSP configuration not saved: URLs[0]: bridge URL "ftp://bridge"`) {
		t.Errorf("rundll32 with a bad URL reported %q", msgs)
	}
	if got := regValue(t, regQuery(t), "URLs"); got != "REG_MULTI_SZ "+b.ws {
		t.Errorf("URLs after a refused configuration: %s", got)
	}

	h := startHost(t)
	h.ok("load ctibridge.tsp")
	if r := h.ok("enum %d", providerID); r.attrs["lines"] != "1" {
		t.Fatalf("TSPI_providerEnumDevices with the stored configuration: %s", r.line)
	}
	h.ok("init %d %d 1", providerID, lineBase)
	h.ok("open %d %#x", lineBase, htLine)
	if caps := h.ok("devcaps %d", lineBase); !strings.Contains(caps.attrs["name"], "demo/201") {
		t.Errorf("LINEDEVCAPS line name: %s", caps.line)
	}
	shutdown(t, h, b.addr)
}

// TestConfigurationProblems: a provider that cannot start tells TSPI_providerEnumDevices
// LINEERR_NODRIVER (tapisrv then skips it) and says why with OutputDebugString, in the words
// README.md documents.
func TestConfigurationProblems(t *testing.T) {
	needWine(t)
	b := startBridge(t)
	cases := []struct {
		name    string
		options string // empty: no configuration at all
		text    string // the debug output, a regular expression
	}{
		{"wrong token", "-urls " + b.ws + " -token not-a-token",
			`^ctibridge TSP: LINEERR_NODRIVER: connect to the bridge: .*(401|nauthori[sz]ed|token)`},
		{"unreachable bridge", "-urls ws://" + testkit.FreeAddr(t) + "/ws -token x -connect-ms 2000",
			`^ctibridge TSP: LINEERR_NODRIVER: connect to the bridge: ctibridge client: no bridge reachable: `},
		{"not configured", "",
			`^ctibridge TSP configuration: HKLM\\SOFTWARE\\ctibridge\\TSP is missing; configure with: rundll32 ctibridge.tsp,Configure `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.options == "" {
				cmd := exec.Command(env.wine, "reg", "delete", `HKLM\SOFTWARE\ctibridge`, "/f")
				cmd.Env = wineEnv()
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("reg delete: %v\n%s", err, out)
				}
			} else {
				rundll32(t, "-quiet "+tc.options)
			}
			h := startHost(t)
			h.ok("load ctibridge.tsp")
			from := h.mark()
			if r := h.call("enum %d", providerID); r.rc != lineErrNoDriver {
				t.Errorf("TSPI_providerEnumDevices: %s, want LINEERR_NODRIVER (0x80000043)", r.line)
			}
			if got := h.since(from, `^DEBUGSTR `); len(got) != 1 || !regexp.MustCompile(tc.text).MatchString(strings.TrimPrefix(got[0], "DEBUGSTR ")) {
				t.Errorf("debug output %q, want one line matching %q", got, tc.text)
			}
			h.send("quit")
			h.waitFor(from, `^BYE$`)
		})
	}
}

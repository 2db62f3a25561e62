package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/web"
)

func noEnv(string) string { return "" }

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodConfig = `
listen: "127.0.0.1:9090"
instance_id: a1
store:
  driver: redis
  redis: { addrs: ["127.0.0.1:6390"] }
pbxs:
  - name: hq
    dialect: osv
    primary: "10.1.0.10:8800"
    standby: "10.2.0.10:8800"
    auth: { user: cti, password_env: HQ_PW }
    heartbeat: 250ms
    misses: 3
    resync: cold
    failback: schedule
    business_hours: { days: "Mon-Fri", from: "08:00", to: "18:00", zone: "Europe/Berlin" }
    devices: ["200-299", "3001"]
    preferred_instance: a2
users:
  - name: alice
    token_sha256: "` + "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90" + `"
    role: user
    lines: ["hq/201"]
`

func TestLoadConfigGood(t *testing.T) {
	env := func(k string) string {
		if k == "HQ_PW" {
			return "secret"
		}
		return ""
	}
	c, err := loadConfig(writeConfig(t, goodConfig), env)
	if err != nil {
		t.Fatal(err)
	}
	p := c.PBXs[0]
	if p.Heartbeat != 250*time.Millisecond || p.Resync != "cold" || p.Failback != "schedule" || c.Store.Driver != "redis" {
		t.Fatalf("parsed %+v", p)
	}
	if c.Web.SendQueue != web.DefaultSendQueue || c.Store.MaxLogLen != memory.DefaultMaxLogLen || p.FailbackAfter != cti.DefaultFailbackAfter {
		t.Fatalf("defaults not applied: %+v %+v", c.Web, c.Store)
	}
	if replayCache(c) != web.DefaultReplayCache {
		t.Fatalf("replay cache %d, want the default %d", replayCache(c), web.DefaultReplayCache)
	}
	c.Store.MaxLogLen = 500
	if replayCache(c) != 500 {
		t.Fatalf("replay cache %d not capped at store.max_log_len 500", replayCache(c))
	}
	ec, err := engineConfig(c, nil, nil, logrus.NewEntry(logrus.New()))
	if err != nil {
		t.Fatal(err)
	}
	if ec.PBXs[0].PreferredInstance != "a2" {
		t.Fatalf("preferred_instance not passed to the engine: %+v", ec.PBXs[0])
	}
}

func TestLoadConfigEnvOverrides(t *testing.T) {
	env := func(k string) string {
		switch k {
		case "HQ_PW":
			return "x"
		case "CTIBRIDGE_LISTEN":
			return "127.0.0.1:7000"
		case "CTIBRIDGE_REDIS_ADDRS":
			return "10.0.0.1:6379, 10.0.0.2:6379"
		}
		return ""
	}
	c, err := loadConfig(writeConfig(t, goodConfig), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7000" || len(c.Store.Redis.Addrs) != 2 || c.Store.Redis.Addrs[1] != "10.0.0.2:6379" {
		t.Fatalf("overrides not applied: %s %v", c.Listen, c.Store.Redis.Addrs)
	}
}

func TestLoadConfigErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown key", "listen: ':1'\nlisten_port: 3\npbxs: []\n", []string{"ctibridge.yaml:2:1: listen_port: unknown key; did you mean `listen`?"}},
		{"wrong type", "pbxs:\n  - name: hq\n    misses: many\n", []string{"ctibridge.yaml:3:13: pbxs[0].misses: \"many\" is not a whole number"}},
		{"not yaml", "pbxs: [\n", []string{"config:"}},
		{"empty", "", []string{"empty"}},
		{"bad values", `
listen: "nocolon"
store: { driver: mongo }
pbxs:
  - name: "HQ!"
    dialect: nortel
    heartbeat: 10ms
    misses: 0
    linger: 1s
    resync: warm
    failback: sometimes
    devices: ["299-200", "abc"]
    numbering: { area: "3x" }
  - name: b
    primary: "1.2.3.4"
    failback: schedule
    business_hours: { days: "Mon-Fry", from: "8am", to: "18:00", zone: "Mars/Base" }
    devices: ["1"]
    numbering: { country: "999", national_prefix: "0x" }
  - name: c
    primary: "1.2.3.4:1"
    devices: ["1"]
    numbering: { country: "55" }
users:
  - name: bob
    token_sha256: "abc"
    role: god
    lines: ["nowhere/1"]
`, []string{
			"listen: \"nocolon\" is not host:port",
			"store.driver: \"mongo\" is not one of memory, redis",
			"pbxs[0].name:", "pbxs[0].dialect:", "nortel",
			"pbxs[0].heartbeat: 10ms is below the minimum 100ms",
			"pbxs[0].linger: 1s is more than 100ms (a negative duration such as -1ms turns the wait off)",
			"pbxs[0].resync: \"warm\"", "pbxs[0].failback: \"sometimes\"",
			"pbxs[0].devices[0]: device range \"299-200\": end is below start",
			"pbxs[0].devices[1]:", "pbxs[0].primary: is required",
			"pbxs[0].numbering.country: is required", "pbxs[0].numbering.area: \"3x\" must be digits only",
			"pbxs[1].primary: \"1.2.3.4\" is not host:port",
			"pbxs[1].business_hours: days: day \"fry\"", "pbxs[1].business_hours: from \"8am\": want HH:MM",
			"pbxs[1].business_hours: zone \"Mars/Base\"",
			"pbxs[1].numbering.national_prefix: \"0x\" must be digits only",
			"pbxs[1].numbering.country: country \"999\" is not a country calling code the numbering library knows",
			"pbxs[2].numbering.international_prefix: the numbering library has no single international prefix for country 55 (BR): set international_prefix",
			"users[0].token_sha256: must be 64 hex digits", "users[0].role: \"god\"",
			"users[0].lines[0]: \"nowhere/1\"",
		}},
		{"bad webhooks", `
pbxs: [{name: hq, primary: "127.0.0.1:1"}]
webhooks:
  lease_ttl: 10ms
  backoff_min: 10s
  backoff_max: 1s
  subscriptions:
    - {id: "a:b", url: "ftp://x/", kinds: [ringing], secret_env: NO_SUCH_VAR}
    - {id: ok, url: "https://crm.example.com/", lines: ["hq"], secret_env: A, secret_file: /b}
    - {id: ok, url: "https://crm.example.com/"}
    - {id: other, url: "https://crm.example.com/", lines: ["branch/*"], secret_file: /x}
`, []string{
			"webhooks.lease_ttl: 10ms is below the minimum 300ms",
			"webhooks.backoff_max: 1s is below backoff_min 10s",
			"webhooks.subscriptions[0].id:", "webhooks.subscriptions[0].secret_env: environment variable NO_SUCH_VAR is empty or unset",
			"webhooks.subscriptions[1].secret_file: give secret_env or secret_file, not both",
			"webhooks.subscriptions[1].lines: pattern \"hq\"",
			"webhooks.subscriptions[2].secret_env: give secret_env or secret_file",
			"webhooks.subscriptions[2].id: \"ok\" is used twice",
			"webhooks.subscriptions[3].lines[0]: \"branch/*\" names PBX \"branch\", which is not configured",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(writeConfig(t, tc.body), noEnv)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadConfigMissingSecretAndFile(t *testing.T) {
	_, err := loadConfig(writeConfig(t, goodConfig), noEnv)
	var ce ConfigErrors
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "pbxs[0].auth.password_env: environment variable HQ_PW is empty or unset") {
		t.Fatalf("got %v", err)
	}
	if _, err := loadConfig(filepath.Join(t.TempDir(), "missing.yaml"), noEnv); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestDemoConfigValid(t *testing.T) {
	c, err := loadConfig("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || !c.Simulator.Enabled || c.Store.Driver != "memory" || len(c.Users) != len(demoUsers) {
		t.Fatalf("demo config %+v", c)
	}
}

func TestFlagsOverride(t *testing.T) {
	o, err := parseFlags([]string{"-listen", "127.0.0.1:1234", "-redis", "127.0.0.1:1,127.0.0.1:2", "-traffic", "0"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.apply(c, noEnv); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:1234" || c.Store.Driver != "redis" || len(c.Store.Redis.Addrs) != 2 || c.Simulator.Traffic != 0 {
		t.Fatalf("flags not applied: %+v", c)
	}
	if _, err := parseFlags([]string{"-nope"}, new(strings.Builder)); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// TestLingerOffAndDefault: `linger: -1ms` (a negative duration) turns the pipeline's wait off (also with Redis, whose
// default is cti.DefaultLinger); a linger left out reaches the engine as 0, its default.
func TestLingerOffAndDefault(t *testing.T) {
	load := func(linger string) time.Duration {
		t.Helper()
		c, err := loadConfig(writeConfig(t, `
store: {driver: redis, redis: {addrs: ["127.0.0.1:1"]}}
pbxs:
  - name: hq
    primary: 192.0.2.10:8800
    devices: ["200-219"]
`+linger+`
users:
  - {name: alice, token_sha256: `+emptyTokenSHA256+`, role: user, lines: ["hq/201"]}
`), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		ec, err := engineConfig(c, memory.New(memory.Options{}), nil, logrus.NewEntry(logrus.New()))
		if err != nil {
			t.Fatal(err)
		}
		return ec.PBXs[0].Linger
	}
	if got := load("    linger: -1ms"); got >= 0 {
		t.Errorf("linger: -1ms gave %v, want a negative linger (none)", got)
	}
	if got := load(""); got != 0 {
		t.Errorf("no linger gave %v, want 0 (the engine's default for its store)", got)
	}
	if got := load("    linger: 5ms"); got != 5*time.Millisecond {
		t.Errorf("linger: 5ms gave %v", got)
	}
}

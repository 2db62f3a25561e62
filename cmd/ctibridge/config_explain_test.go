package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const aliceHash = "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"

// TestParseErrorsExplain: YAML mistakes name the key path, the line and column, what is
// expected or allowed, and the key that was probably meant. The old decoder said
// "field standyb not found in type main.PBXConfig" and "cannot unmarshal !!str `fast` into
// time.Duration".
func TestParseErrorsExplain(t *testing.T) {
	twoPBXs := "pbxs:\n  - name: hq\n    primary: \"10.0.0.1:8800\"\n    devices: [\"200\"]\n  - name: b\n    primary: \"10.0.0.2:8800\"\n"
	cases := []struct {
		name, body string
		want       []string
	}{
		{"typo in a key", twoPBXs + "    standyb: \"10.0.0.3:8800\"\n    devices: [\"300\"]\n",
			[]string{"ctibridge.yaml:7:5: pbxs[1].standyb: unknown key; did you mean `standby`?"}},
		{"not a duration", twoPBXs + "    heartbeat: fast\n    devices: [\"300\"]\n",
			[]string{"ctibridge.yaml:7:16: pbxs[1].heartbeat: \"fast\" is not a duration; want a duration such as 1s, 500ms or 2m"}},
		{"duration without unit", "store:\n  lease_ttl: 1500\n",
			[]string{"ctibridge.yaml:2:14: store.lease_ttl: 1500 has no unit; want a duration such as 1s"}},
		{"bad dialect", twoPBXs + "    dialect: nortel\n    devices: [\"300\"]\n",
			[]string{"ctibridge.yaml:7:14: pbxs[1].dialect: \"nortel\" is not one of osv, osbiz, avaya, generic"}},
		{"bad enums", "log: {level: loud, format: xml}\nstore: {driver: mongo}\n" + twoPBXs +
			"    resync: warm\n    failback: never\n    devices: [\"300\"]\nsimulator: {enabled: true, profile: cisco}\n" +
			"users: [{name: a, token_sha256: " + aliceHash + ", role: god}]\n",
			[]string{
				"ctibridge.yaml:1:14: log.level: \"loud\" is not one of debug, info, warn, error",
				"ctibridge.yaml:1:28: log.format: \"xml\" is not one of auto, text, json",
				"ctibridge.yaml:2:17: store.driver: \"mongo\" is not one of memory, redis",
				"pbxs[1].resync: \"warm\" is not one of hot, cold",
				"pbxs[1].failback: \"never\" is not one of auto, manual, sticky, schedule",
				"simulator.profile: \"cisco\" is not one of osv, osbiz, avaya, generic, minimal",
				"users[0].role: \"god\" is not one of user, supervisor, admin",
			}},
		{"whole number and bool", "pbxs:\n  - name: hq\n    misses: many\n    tls: {enabled: sure}\n",
			[]string{"ctibridge.yaml:3:13: pbxs[0].misses: \"many\" is not a whole number",
				"ctibridge.yaml:4:20: pbxs[0].tls.enabled: \"sure\" is not true or false"}},
		{"list expected", "pbxs:\n  - name: hq\n    devices: 200\n",
			[]string{"ctibridge.yaml:3:14: pbxs[0].devices: want a list"}},
		{"unknown key without a near one", "colour: blue\n",
			[]string{"ctibridge.yaml:1:1: colour: unknown key; valid keys here: listen, instance_id, http_tls, log, store, pbxs, users, web, webhooks, simulator"}},
		{"key given twice", "listen: \":1\"\nlisten: \":2\"\n",
			[]string{"ctibridge.yaml:2:1: listen: is given twice (first on line 1)"}},
		{"every problem at once", "lisen: \":1\"\nlog: {levle: debug}\n",
			[]string{"lisen: unknown key; did you mean `listen`?", "log.levle: unknown key; did you mean `level`?"}},
		{"not YAML", "pbxs: [\n", []string{"config: ", "not valid YAML"}},
		{"empty", "", []string{"the configuration file is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(writeConfig(t, tc.body), noEnv)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "main.", "Go type names leak")
			assert.NotContains(t, err.Error(), "time.Duration")
		})
	}
}

// runBinary runs the built ctibridge and returns its exit status, stdout and stderr.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "CTIBRIDGE_LISTEN=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, out.String(), errb.String()
}

// TestCheckRunsStartupChecks: --check refuses what start-up refuses, with the key paths; it
// used to say "configuration OK" for these files.
func TestCheckRunsStartupChecks(t *testing.T) {
	pbx := "pbxs:\n  - name: hq\n    primary: \"10.0.0.1:8800\"\n"
	user := "users:\n  - {name: alice, token_sha256: " + aliceHash + ", role: user, lines: [hq/201]}\n"
	cases := []struct {
		name, body string
		want       []string
	}{
		{"device listed twice in a PBX", pbx + "    devices: [\"200-219\", \"205\"]\n" + user,
			[]string{`ctibridge.yaml:4:26: pbxs[0].devices[1]: device 205 is listed twice (also in pbxs[0].devices[0]: "200-219")`}},
		{"group that is also a device", pbx + "    devices: [\"200-219\"]\n    groups: [\"600\", \"205\"]\n" + user,
			[]string{`pbxs[0].groups: entry 1 ("205"): a group is a number listed once and not among the devices`}},
		{"device listed twice in one range list", pbx + "    devices: [\"200-205,203\"]\n" + user,
			[]string{`pbxs[0].devices[0]: device 203 listed twice`}},
		{"two users with one token", pbx + "    devices: [\"200\"]\n" + user +
			"  - {name: bob, token_sha256: " + strings.ToUpper(aliceHash) + ", role: admin}\n",
			[]string{"ctibridge.yaml:7:31: users[1].token_sha256: is the same token as users[0] (alice)"}},
		{"port out of range", "listen: \":99999\"\n" + pbx + "    devices: [\"200\"]\n" + user,
			[]string{`ctibridge.yaml:1:9: listen: ":99999" has port 99999, outside 0..65535`}},
		{"address not parseable", "listen: \"bad host:80\"\n" + pbx + "    standby: \"10.0.0.1:8800\"\n    devices: [\"200\"]\n" + user,
			[]string{`listen: "bad host:80" is not host:port`, `pbxs[0].standby: "10.0.0.1:8800" is the same address as primary`}},
		{"webhook not a URL", pbx + "    devices: [\"200\"]\n" + user + "web: {alert_webhooks: [\"hooks.example.com\"]}\n",
			[]string{`web.alert_webhooks[0]: "hooks.example.com" is not an http:// or https:// URL`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, "--check", "--config", writeConfig(t, tc.body))
			assert.Equal(t, 1, code, stderr)
			assert.NotContains(t, stdout, "configuration OK")
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

// TestCheckWarnsNobodyCanLogIn: a file nobody can work with passes, with a warning.
func TestCheckWarnsNobodyCanLogIn(t *testing.T) {
	pbx := "pbxs:\n  - name: hq\n    primary: \"10.0.0.1:8800\"\n    devices: [\"200\"]\n"
	cases := []struct {
		name, users, warn string
	}{
		{"no users", "", "no users are configured, so nobody can log in"},
		{"users without lines", "users:\n  - {name: a, token_sha256: " + aliceHash + ", role: supervisor}\n", "no user has a line or the admin role"},
		{"an admin", "users:\n  - {name: a, token_sha256: " + aliceHash + ", role: admin}\n", ""},
		{"a user with a line", "users:\n  - {name: a, token_sha256: " + aliceHash + ", role: user, lines: [hq/200]}\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, "--check", "--config", writeConfig(t, pbx+tc.users))
			assert.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, "configuration OK")
			if tc.warn == "" {
				assert.NotContains(t, stderr, "warning")
			} else {
				assert.Contains(t, stderr, "config: warning: users: "+tc.warn)
			}
		})
	}
}

// TestStrayArguments: an argument that is not a flag is an error that is printed, exit 2.
func TestStrayArguments(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"site.yaml"}, "unexpected argument site.yaml; to use a configuration file: ctibridge --config site.yaml"},
		{[]string{"--check", "site.yml"}, "ctibridge --config site.yml"},
		{[]string{"start"}, "unexpected argument start; the bridge takes only flags"},
		{[]string{"a.yaml", "b.yaml"}, "unexpected arguments a.yaml b.yaml"},
		{[]string{"config"}, "usage: ctibridge config defaults"},
		{[]string{"config", "show"}, "usage: ctibridge config defaults"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runBinary(t, tc.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestConfigDefaults: `ctibridge config defaults` prints every key with a comment; the output
// parses back to the defaults, passes every check, and applying the defaults changes nothing.
func TestConfigDefaults(t *testing.T) {
	code, out, stderr := runBinary(t, "config", "defaults")
	require.Equal(t, 0, code, stderr)
	var want bytes.Buffer
	require.NoError(t, writeDefaults(&want))
	assert.Equal(t, want.String(), out)

	c, _, err := parseConfigBytes("defaults.yaml", []byte(out))
	require.NoError(t, err)
	assert.Equal(t, fullDefaults(), c)
	for _, k := range configKeys {
		leaf := k.Key[strings.LastIndex(k.Key, ".")+1:]
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s*(- )?# .+\n\s*(- )?`+regexp.QuoteMeta(leaf)+`:`), out, "no comment above %s", k.Key)
	}

	applied, _, err := parseConfigBytes("defaults.yaml", []byte(out))
	require.NoError(t, err)
	applied.applyDefaults()
	assert.Empty(t, applied.checkConfig(noEnv))
	assert.Empty(t, applied.warnings())
	applied.InstanceID, applied.PBXs[0].Trace.File = "", ""
	assert.Equal(t, c, applied, "a printed value is not the default")
}

// TestConfigKeysMatchCodeAndDocs: configKeys lists every key of FileConfig, its literal
// defaults are the values the code uses, and docs/config.md's tables have the same keys and
// defaults.
func TestConfigKeysMatchCodeAndDocs(t *testing.T) {
	var listed []string
	for _, k := range configKeys {
		listed = append(listed, k.Key)
	}
	assert.ElementsMatch(t, leafKeys(reflect.TypeOf(FileConfig{}), ""), listed, "configKeys and FileConfig")

	literal := regexp.MustCompile("^`([^`]*)`$")
	defaults := fullDefaults()
	// instance_id is chosen at start; users[].lines holds the example user's line.
	notAValue := map[string]bool{"instance_id": true, "users[].lines": true}
	for _, k := range configKeys {
		if notAValue[k.Key] {
			continue
		}
		if m := literal.FindStringSubmatch(k.Default); m != nil {
			got, ok := valueAt(defaults, k.Key)
			if assert.True(t, ok, k.Key) {
				assert.Equal(t, m[1], got, "default of %s", k.Key)
			}
		} else if strings.HasPrefix(k.Default, "empty") {
			got, _ := valueAt(defaults, k.Key)
			assert.Contains(t, []string{`""`, "[]", "map[]"}, got, "default of %s", k.Key)
		}
	}

	docs := docsKeyDefaults(t, filepath.Join("..", "..", "docs", "config.md"))
	code := map[string]string{}
	for _, k := range configKeys {
		code[k.Key] = k.Default
	}
	assert.Equal(t, code, docs, "docs/config.md tables (key and default) differ from configKeys")
}

// docsKeyDefaults reads the `| key | default | meaning |` tables of docs/config.md; rows
// naming several keys ("`a`, `b`", "`x.from`, `.to`", "`a` / `b`") are split, and so is a
// default of as many values ("`600`, `100`").
func docsKeyDefaults(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]string{}
	prefix, inTable := "", false
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			prefix, inTable = "", false
			if m := tick.FindStringSubmatch(line); m != nil && strings.Contains(line, "(list)") {
				prefix = m[1] + "[]."
			}
		case strings.HasPrefix(line, "| key | default | meaning |"):
			inTable = true
		case inTable && strings.HasPrefix(line, "|---"):
		case inTable && strings.HasPrefix(line, "| "):
			cells := strings.Split(line, " | ")
			require.GreaterOrEqual(t, len(cells), 3, line)
			var keys []string
			for _, m := range tick.FindAllStringSubmatch(cells[0], -1) {
				k := m[1]
				if strings.HasPrefix(k, ".") && len(keys) > 0 {
					k = parentPath(keys[len(keys)-1]) + k
				} else {
					k = prefix + k
				}
				keys = append(keys, k)
			}
			def := strings.ReplaceAll(cells[1], `\|`, "|") // a | in a table cell is written \|
			defs := strings.Split(def, ", ")
			for i, k := range keys {
				if len(keys) > 1 && len(defs) == len(keys) {
					out[k] = defs[i]
				} else {
					out[k] = def
				}
			}
		default:
			inTable = false
		}
	}
	return out
}

// TestDemoListensOnLoopback: the embedded demo, whose tokens are well known, binds 127.0.0.1
// unless told otherwise, and says so; a real configuration keeps :8080.
func TestDemoListensOnLoopback(t *testing.T) {
	file := writeConfig(t, goodConfig)
	hqEnv := func(k string) string {
		return map[string]string{"HQ_PW": "x"}[k]
	}
	cases := []struct {
		name, path, flag, env, want string
	}{
		{"demo", "", "", "", "127.0.0.1:8080"},
		{"demo with --listen", "", ":8080", "", ":8080"},
		{"demo with CTIBRIDGE_LISTEN", "", "", "0.0.0.0:9000", "0.0.0.0:9000"},
		{"file without listen", "", "", "", ""},
		{"file with listen", file, "", "", "127.0.0.1:9090"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			want := tc.want
			if tc.name == "file without listen" {
				path = writeConfig(t, strings.Replace(goodConfig, "listen: \"127.0.0.1:9090\"\n", "", 1))
				want = defaultListen
			}
			o, err := parseFlags([]string{"-listen", tc.flag}, new(bytes.Buffer))
			require.NoError(t, err)
			env := func(k string) string {
				if k == "CTIBRIDGE_LISTEN" {
					return tc.env
				}
				return hqEnv(k)
			}
			c, err := loadConfigWith(path, env, o)
			require.NoError(t, err)
			assert.Equal(t, want, c.Listen)
		})
	}

	var b bytes.Buffer
	printBanner(&b, demoConfig(), "127.0.0.1:8080", nil)
	assert.Contains(t, b.String(), "listening on 127.0.0.1 only: the demo tokens are well known; use --listen :8080 to open it")
	b.Reset()
	printBanner(&b, demoConfig(), "[::]:8080", nil)
	assert.Contains(t, b.String(), "warning: listening on [::]:8080: the demo tokens below are well known")
}

func TestEditDistanceSuggestions(t *testing.T) {
	keys := structKeys(reflect.TypeOf(PBXConfig{}))
	sort.Strings(keys)
	for typo, want := range map[string]string{"standyb": "standby", "hearbeat": "heartbeat", "dialet": "dialect",
		"device": "devices", "failback_afer": "failback_after", "primary_addr": "primary"} {
		assert.Equal(t, "unknown key; did you mean `"+want+"`?", unknownKeyReason(typo, keys), typo)
	}
	assert.Equal(t, 1, editDistance("standyb", "standby"))
}

package main

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// keyDoc is one configuration key: its path (list entries as "pbxs[]."), its default as the
// default column of docs/config.md shows it, and its meaning in one line. configKeys is the
// one list of keys: `ctibridge config defaults` prints it as comments, and a test holds it
// against docs/config.md, against FileConfig's fields and against the defaults in code.
type keyDoc struct {
	Key, Default, Meaning string
}

// fromCode as a key's Default stands for the value applyDefaults gives the key, which comes
// from the package that uses the setting (cti.DefaultConfig, web.DefaultConfig, ...): the
// list, `config defaults` and docs/config.md (tested against the list) show what the code
// does, and cannot drift from it.
const fromCode = "\x00from code"

// configKeys is keyList with every fromCode default written out from fullDefaults.
var configKeys = codeDefaults(keyList)

// codeDefaults replaces each fromCode default of keys by its value in fullDefaults, as
// docs/config.md writes it (`1.5s`).
func codeDefaults(keys []keyDoc) []keyDoc {
	c := fullDefaults()
	out := make([]keyDoc, len(keys))
	for i, k := range keys {
		if k.Default == fromCode {
			v, ok := valueAt(c, k.Key)
			if !ok {
				panic("configKeys: no value for " + k.Key)
			}
			k.Default = "`" + v + "`"
		}
		out[i] = k
	}
	return out
}

var keyList = []keyDoc{
	{"listen", fromCode, "HTTP listen address for REST (/api/v1), WebSocket (/ws), dashboard, /metrics, /healthz, /readyz. The embedded demo listens on 127.0.0.1:8080."},
	{"instance_id", "`hostname-pid`", "Name of this instance (lease owner, logs); give each instance a stable, unique name."},
	{"http_tls.cert_file", "empty (plain HTTP)", "Certificate to serve HTTPS and WSS with; key_file with it."},
	{"http_tls.key_file", "empty (plain HTTP)", "Private key of cert_file."},
	{"log.level", fromCode, "One of debug, info, warn, error."},
	{"log.format", fromCode, "One of text, json, auto (text on a terminal, JSON otherwise)."},

	{"store.driver", fromCode, "One of memory (one instance), redis (several instances share state and take over)."},
	{"store.max_log_len", fromCode, "Events kept per PBX for client resume; minimum 100."},
	{"store.lease_ttl", fromCode, "Lifetime of the per-PBX ownership lease; minimum 300ms."},
	{"store.history_max_age", fromCode, "How long call records are kept; minimum 1h."},
	{"store.history_max_records", fromCode, "Call records kept per PBX at most; minimum 100."},
	{"store.degrade_after", fromCode, "How long store writes may keep failing before the owner gives the link up; minimum 100ms."},
	{"store.redis.addrs", "`[\"127.0.0.1:6379\"]`", "One address: standalone; several: Cluster; with master_name: Sentinel addresses."},
	{"store.redis.master_name", "empty", "Sentinel master name; enables Sentinel."},
	{"store.redis.db", "`0`", "Database number (standalone and Sentinel only)."},
	{"store.redis.password_env", "empty", "Environment variable holding the Redis password."},
	{"store.redis.password_file", "empty", "File holding the Redis password."},
	{"store.redis.key_prefix", fromCode, "Prefix of every key."},

	{"pbxs[].name", "required", "Short name ([a-z0-9_-], 1-32); lines are named name/extension."},
	{"pbxs[].dialect", fromCode, "One of osv, osbiz, avaya, generic."},
	{"pbxs[].primary", "required", "host:port of the primary node (optional with simulator.enabled)."},
	{"pbxs[].standby", "empty", "host:port of the standby node."},
	{"pbxs[].tls.enabled", "`false`", "Speak CSTA over TLS."},
	{"pbxs[].tls.ca_file", "empty", "CA to verify the PBX with."},
	{"pbxs[].tls.cert_file", "empty", "Client certificate."},
	{"pbxs[].tls.key_file", "empty", "Key of the client certificate."},
	{"pbxs[].tls.server_name", "empty", "Name to verify the PBX's certificate against."},
	{"pbxs[].auth.user", "empty", "User for StartApplicationSession (dialects with application sessions)."},
	{"pbxs[].auth.password_env", "empty", "Environment variable holding the password."},
	{"pbxs[].auth.password_file", "empty", "File holding the password."},
	{"pbxs[].heartbeat", fromCode, "Keep-alive interval on the active link; minimum 100ms."},
	{"pbxs[].misses", fromCode, "Consecutive unanswered heartbeats that mark a node down (1-100)."},
	{"pbxs[].monitor_concurrency", fromCode, "MonitorStart and SnapshotDevice requests in flight per link during a resync (1-1000); raise it for many devices if the switch accepts more outstanding requests."},
	{"pbxs[].linger", "`2ms` with store.driver redis, none with memory", "How long the pipeline waits for more CSTA events before applying a batch, from its oldest event (at most 100ms; 0s or left out: the default; a negative duration such as -1ms: none, at once); trades that much latency for fewer store and WebSocket writes per event."},
	{"pbxs[].resync", fromCode, "After a switchover: one of hot (reconcile, calls keep handles), cold (start fresh)."},
	{"pbxs[].failback", fromCode, "One of auto, manual, sticky, schedule (manual inside business_hours, auto outside)."},
	{"pbxs[].failback_after", fromCode, "How long the primary must be healthy before an automatic failback."},
	{"pbxs[].business_hours.days", "required for `schedule`", "Mon-Fri, Mon,Wed,Fri, Sat-Sun..."},
	{"pbxs[].business_hours.from", "required for `schedule`", "HH:MM local time."},
	{"pbxs[].business_hours.to", "required for `schedule`", "HH:MM local time."},
	{"pbxs[].business_hours.zone", fromCode, "IANA time zone, e.g. Europe/Berlin."},
	{"pbxs[].numbering.country", "empty", "Country code without +, e.g. 49; required once any numbering key is set."},
	{"pbxs[].numbering.area", "empty", "Area code without trunk prefix, e.g. 30."},
	{"pbxs[].numbering.outside_prefix", "empty", "Digit(s) for an outside line, e.g. 0."},
	{"pbxs[].numbering.extension_digits", "`0` (unknown)", "Length of internal extensions (0-12)."},
	{"pbxs[].numbering.national_prefix", "the country's", "Trunk prefix before national numbers, e.g. 0 (49), 1 (1)."},
	{"pbxs[].numbering.international_prefix", "the country's", "Prefix before international numbers, e.g. 00 (49), 011 (1)."},
	{"pbxs[].devices", "required", "Extensions to monitor: numbers and ranges, e.g. [\"200-299\", \"3001\"]."},
	{"pbxs[].groups", "empty", "ACD or hunt group numbers to monitor for queue figures; agent states are then resynchronised too."},
	{"pbxs[].names", "empty", "Display names by extension, e.g. {\"201\": \"Alice\"}; also the extension's name as a party of calls."},
	{"pbxs[].preferred_instance", "empty (any)", "Instance ID that should own this PBX's link when instances share Redis."},
	{"pbxs[].trace.enabled", "`false`", "Record every CSTA message of the link (docs/trace.md)."},
	{"pbxs[].trace.file", "`ctibridge-trace-<name>.log` in the temporary directory", "Trace file; rotated files are FILE.1 .. FILE.<max_files-1>."},
	{"pbxs[].trace.max_size_mb", fromCode, "Size cap of one trace file in MiB (1-10240)."},
	{"pbxs[].trace.max_files", fromCode, "The trace file and its rotated predecessors (1-100)."},

	{"users[].name", "required", "User name (audit log, diagnostics)."},
	{"users[].token_sha256", "required", "SHA-256 (hex) of the bearer token: printf %s \"$TOKEN\" | sha256sum."},
	{"users[].role", "required", "One of user (own lines), supervisor (sees all lines), admin (also links, switchover)."},
	{"users[].lines", "empty", "Lines the user owns: pbx/extension, pbx/* or *."},

	{"web.allowed_origins", "empty (same origin only)", "Origins allowed to open /ws and call REST (CORS) from a browser; * admits all, without credentials."},
	{"web.dial_rate_per_minute", fromCode, "Click-to-dial requests per token per minute."},
	{"web.send_queue", fromCode, "Outbound messages queued per WebSocket client; minimum 16."},
	{"web.behind_limit", fromCode, "How long a WebSocket client may be behind (in total within a minute) before it is disconnected."},
	{"web.late_after", fromCode, "Events that reach this instance's clients this late count as overload here: its sessions are probed and the slowest shed; a negative duration such as -1s disables."},
	{"web.replay_cache", fromCode, "Newest event log entries per PBX kept in memory for replays; -1 disables."},
	{"web.max_message_bytes", fromCode, "Largest WebSocket message accepted from a client; minimum 1024."},
	{"web.audit_log", "empty (log only)", "File the audit log is appended to, as JSON lines."},
	{"web.alert_webhooks", "empty", "http(s) URLs that receive a JSON POST on link events."},
	{"web.header_timeout", fromCode, "Time a client has to send a request's headers."},
	{"web.read_timeout", fromCode, "Time a client has to send a whole request with its body."},
	{"web.write_timeout", fromCode, "Time to write a response once the request is read."},
	{"web.idle_timeout", fromCode, "How long a keep-alive connection may sit idle."},
	{"web.shutdown_timeout", fromCode, "On SIGTERM, how long requests in flight may finish."},
	{"web.max_conns_per_ip", fromCode, "Open HTTP connections of one remote address; -1 disables."},
	{"web.unauth_rate_per_ip", fromCode, "Requests per minute of one address without a valid token; -1 disables."},
	{"web.unauth_burst_per_ip", fromCode, "Burst of unauth_rate_per_ip."},
	{"web.user_command_rate", fromCode, "Commands per user per minute; -1 disables."},
	{"web.user_command_burst", fromCode, "Burst of user_command_rate."},
	{"web.line_command_rate", fromCode, "Commands per acting line per minute; -1 disables."},
	{"web.line_command_burst", fromCode, "Burst of line_command_rate."},
	{"web.max_sessions_per_user", fromCode, "WebSocket sessions one user may hold at once; -1 disables."},

	{"webhooks.retry_for", fromCode, "How long a call webhook delivery is retried before it is kept as failed."},
	{"webhooks.timeout", fromCode, "Bound of one delivery attempt."},
	{"webhooks.backoff_min", fromCode, "Ceiling of the first retry's random wait; it doubles per attempt."},
	{"webhooks.backoff_max", fromCode, "Largest ceiling of a retry's random wait."},
	{"webhooks.lease_ttl", fromCode, "Delivery lease per subscription and PBX: how long a killed deliverer's work waits for another instance; minimum 300ms."},
	{"webhooks.refresh", fromCode, "How often subscriptions made through another instance's REST API are picked up."},
	{"webhooks.subscriptions[].id", "required", "Subscription ID: letters, digits, - and _, at most 64."},
	{"webhooks.subscriptions[].url", "required", "http(s) URL that receives the signed POSTs."},
	{"webhooks.subscriptions[].lines", "all lines", "Line patterns: pbx/extension, pbx/* or *."},
	{"webhooks.subscriptions[].kinds", "all kinds", "Event kinds: offering, connected, held, transferred, ended, agent.state."},
	{"webhooks.subscriptions[].secret_env", "one of the two", "Environment variable holding the signing secret."},
	{"webhooks.subscriptions[].secret_file", "one of the two", "File holding the signing secret."},

	{"lookup.budget", fromCode, "How long an event waits for a name from directory, LDAP or HTTP; a later name follows as LINE_CALLINFO."},
	{"lookup.workers", fromCode, "Lookups in flight per PBX; more waiting than a queue holds are not made (counted as dropped)."},
	{"lookup.cache.ttl", fromCode, "How long a name found is cached; negative disables."},
	{"lookup.cache.negative_ttl", fromCode, "How long a number nobody knows is cached as unknown; negative disables."},
	{"lookup.cache.size", fromCode, "Numbers cached; the least recently used go first."},
	{"lookup.directory.file", "empty (none)", "CSV (number,name[,company]) or vCard file of contacts, read again when it changes."},
	{"lookup.directory.poll", fromCode, "How often the directory file is checked for changes."},
	{"lookup.ldap.url", "empty (none)", "ldap:// or ldaps:// URL of a directory server to search."},
	{"lookup.ldap.base_dn", "required with `url`", "Where the search starts (whole subtree)."},
	{"lookup.ldap.bind_dn", "empty (anonymous)", "DN to bind as."},
	{"lookup.ldap.password_env", "empty", "Environment variable holding the bind password."},
	{"lookup.ldap.password_file", "empty", "File holding the bind password."},
	{"lookup.ldap.filter", fromCode, "Search filter; {number} is replaced by the escaped number."},
	{"lookup.ldap.name_attribute", fromCode, "Attribute holding the name."},
	{"lookup.ldap.company_attribute", "empty", "Attribute holding the company, e.g. o."},
	{"lookup.ldap.timeout", fromCode, "Bound of connecting, binding and one search."},
	{"lookup.http.url", "empty (none)", "CRM lookup URL with {number}, e.g. https://crm.example.com/api/contacts?phone={number}."},
	{"lookup.http.timeout", fromCode, "Bound of one request."},
	{"lookup.http.headers", "empty", "Headers sent with every request, e.g. {\"X-Tenant\": \"acme\"}."},
	{"lookup.http.token_env", "empty", "Environment variable holding a token sent as Authorization: Bearer."},
	{"lookup.http.token_file", "empty", "File holding that token."},
	{"lookup.http.name_field", fromCode, "Where the name is in the JSON answer: members and array indexes joined by dots."},
	{"lookup.http.company_field", "empty", "Where the company is in the JSON answer."},

	{"simulator.enabled", "`false`", "Start the built-in duplex PBX simulator; PBXs without primary use its nodes."},
	{"simulator.extensions", "`200-219` in the demo", "Extensions the simulator has (a range)."},
	{"simulator.traffic_cps", "`0.2` in the demo", "Calls per second the traffic generator places; 0 = none."},
	{"simulator.control_addr", "`127.0.0.1:0` in the demo", "HTTP control API of the simulator; empty = off."},
	{"simulator.profile", "`\"\"`", "Vendor profile: one of osv, osbiz, avaya, generic, minimal, or empty for the simulator's own shapes."},
	{"simulator.prompt_answer", "`2s` in the demo, else `0`", "With prompt mode, the simulated calling phone accepts the prompt after this long; 0 leaves it to the control API."},
}

// sectionDocs are the comments of the keys that hold other keys.
var sectionDocs = map[string]string{
	"http_tls":  "HTTPS for the HTTP/WebSocket listener.",
	"log":       "Logging.",
	"store":     "The shared store.",
	"pbxs":      "The PBXs, each with its two nodes.",
	"users":     "Client identities: bearer tokens stored as SHA-256.",
	"web":       "The client interfaces (REST, WebSocket, dashboard).",
	"webhooks":  "Call webhooks: signed POSTs of call events to CRMs (docs/webhooks.md).",
	"simulator": "The built-in PBX simulator.",
	"lookup":    "Caller lookup: names for numbers beyond pbxs[].names (directory file, LDAP, CRM over HTTP).",
}

// emptyTokenSHA256 is the SHA-256 of the empty token, which the bridge never accepts: a
// placeholder nobody can log in with.
var emptyTokenSHA256 = sha256Hex("")

// fullDefaults is the configuration `config defaults` prints: every key at the value it has
// when left out, with one example PBX, one example user and one example webhook subscription
// for the keys that are required.
func fullDefaults() *FileConfig {
	c := &FileConfig{
		PBXs: []PBXConfig{{Name: "hq", Primary: "192.0.2.10:8800", Devices: []string{"200-219"}, Groups: []string{},
			Names: map[string]string{}}},
		Users: []User{{Name: "alice", TokenSHA256: emptyTokenSHA256, Role: "user", Lines: []string{"hq/201"}}},
		Webhooks: WebhooksConfig{Subscriptions: []WebhookSubscription{{ID: "crm", URL: "https://crm.example.com/ctibridge",
			Lines: []string{"hq/*"}, Kinds: []string{"offering", "ended"}, SecretFile: "/etc/ctibridge/crm-webhook.secret"}}},
	}
	c.applyDefaults()
	c.InstanceID = ""         // hostname-pid, chosen at start
	c.PBXs[0].Trace.File = "" // follows the PBX's name
	c.Store.Redis.Addrs = []string{defaultRedisAddr}
	c.Web.AllowedOrigins, c.Web.AlertWebhooks = []string{}, []string{}
	c.Lookup.HTTP.Headers = map[string]string{}
	return c
}

// writeDefaults prints fullDefaults as YAML with each key's meaning and default as a comment.
func writeDefaults(out io.Writer) error {
	var doc yaml.Node
	if err := doc.Encode(fullDefaults()); err != nil {
		return err
	}
	docs := map[string]keyDoc{}
	for _, k := range configKeys {
		docs[k.Key] = k
	}
	annotate(&doc, reflect.TypeOf(FileConfig{}), "", docs)
	doc.HeadComment = "ctibridge configuration: every key at its default, with one example PBX, user and webhook\n" +
		"(docs/config.md). The example webhook subscription's secret_file must exist to start.\n" +
		"The example user's token_sha256 is the SHA-256 of the empty token, which is\n" +
		"never accepted: put your own. Check a file with: ctibridge --check --config FILE"
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := out.Write(b.Bytes())
	return err
}

var backticksRE = regexp.MustCompile("`([^`]*)`")

// annotate attaches the comments of configKeys to the key nodes and writes durations as
// people do (120s, not 2m0s).
func annotate(n *yaml.Node, t reflect.Type, path string, docs map[string]keyDoc) {
	switch {
	case t == durationType:
		if n.Kind == yaml.ScalarNode {
			if d, err := time.ParseDuration(n.Value); err == nil {
				n.Value = fmtDuration(d)
			}
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			if name := yamlName(t.Field(i)); name != "" {
				fields[name] = t.Field(i).Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			kp := joinPath(path, k.Value)
			if d, ok := docs[kp]; ok {
				def := backticksRE.ReplaceAllString(d.Default, "$1")
				if strings.HasPrefix(def, "required") {
					k.HeadComment = d.Meaning + " R" + def[1:] + "."
				} else {
					k.HeadComment = d.Meaning + " Default: " + def + "."
				}
			} else if s, ok := sectionDocs[kp]; ok {
				k.HeadComment = s
			}
			if ft, ok := fields[k.Value]; ok {
				annotate(n.Content[i+1], ft, kp, docs)
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		if t.Elem().Kind() != reflect.Struct {
			n.Style = yaml.FlowStyle
		}
		for _, e := range n.Content {
			annotate(e, t.Elem(), path+"[]", docs)
		}
	}
}

// fmtDuration writes whole hours of a day or more as "720h", whole seconds as "120s" and
// anything else as time.Duration does.
func fmtDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// runConfigCommand is `ctibridge config defaults`.
func runConfigCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "defaults" {
		fmt.Fprintln(stderr, "usage: ctibridge config defaults    print every configuration key with its default and meaning")
		return 2
	}
	if err := writeDefaults(stdout); err != nil {
		fmt.Fprintln(stderr, "ctibridge:", err)
		return 1
	}
	return 0
}

// leafKeys lists the YAML key paths of type t that hold values, list entries as "[]".
func leafKeys(t reflect.Type, path string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		kp := joinPath(path, name)
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct && ft != durationType:
			out = append(out, leafKeys(ft, kp)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, leafKeys(ft.Elem(), kp+"[]")...)
		default:
			out = append(out, kp)
		}
	}
	return out
}

// valueAt formats the value at key path p ("pbxs[].heartbeat": of the first entry) of c as
// docs/config.md writes defaults.
func valueAt(c *FileConfig, p string) (string, bool) {
	v := reflect.ValueOf(c).Elem()
	for _, part := range strings.Split(p, ".") {
		list := strings.HasSuffix(part, "[]")
		part = strings.TrimSuffix(part, "[]")
		found := false
		for i := 0; i < v.NumField(); i++ {
			if yamlName(v.Type().Field(i)) == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return "", false
		}
		if list {
			if v.Len() == 0 {
				return "", false
			}
			v = v.Index(0)
		}
	}
	switch {
	case v.Type() == durationType:
		return fmtDuration(time.Duration(v.Int())), true
	case v.Kind() == reflect.String:
		if v.String() == "" {
			return `""`, true
		}
		return v.String(), true
	case v.Kind() == reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, fmt.Sprintf("%q", v.Index(i).Interface()))
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	}
	return fmt.Sprint(v.Interface()), true
}

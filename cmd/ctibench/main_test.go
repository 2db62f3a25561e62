package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as a bridge instance, as the real binary does.
func TestMain(m *testing.M) {
	if cfg := os.Getenv(childEnv); cfg != "" {
		if err := runInstance(cfg, os.Stdout, os.Stderr); err != nil {
			os.Stderr.WriteString("instance: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(clientsEnv) != "" {
		if err := runClientProc(os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString("clients: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// jsonFields lists every member the JSON report must carry, as dotted paths.
var jsonFields = []string{
	"config.store", "config.instances", "config.clients", "config.devices", "config.rate_cps",
	"config.duration_s", "config.failover", "config.cpus", "config.go_version",
	"throughput.csta_events_in", "throughput.csta_events_per_s", "throughput.engine_csta_events",
	"throughput.client_events_out", "throughput.client_events_per_s", "throughput.calls_started",
	"latency.end_to_end.p50_ms", "latency.end_to_end.p99_ms", "latency.end_to_end.p99_9_ms",
	"latency.bridge_to_client.p99_ms", "latency.sim_to_bridge.p99_ms",
	"latency.failover_bridge_to_client.count",
	"failover.kind", "failover.detection_ms", "failover.resync_complete_ms", "failover.takeover_ms",
	"failover.lease_taken_ms", "failover.engine_detection_ms",
	"memory.per_client_bytes", "memory.per_device_bytes", "memory.instances",
	"cpu.bridge_cores", "cpu.bench_cores", "cpu.redis_cores", "cpu.instances",
	"verification.lost", "verification.duplicated", "verification.log_events",
	"verification.clients_checked", "verification.complete",
	"verification.truth.checked", "verification.truth.lines", "verification.truth.differ",
	"verification.truth.differences", "config.profile", "config.dialect",
	"samples", "errors", "log_dir",
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// A tiny real run: simulator, one instance process, a few clients, a node kill. It checks
// the outputs are complete and consistent, never how fast anything was.
func TestTinyRunWritesCompleteReports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs for several seconds")
	}
	dir := t.TempDir()
	jsonPath, mdPath, pngPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md"), filepath.Join(dir, "r.png")
	var stdout, stderr bytes.Buffer
	code := realMain([]string{"-clients", "5", "-devices", "20", "-rate", "5", "-duration", "4s",
		"-warmup", "500ms", "-failover", "node-kill", "-json", jsonPath, "-md", mdPath, "-png", pngPath,
		"-logdir", filepath.Join(dir, "logs")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}

	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	for _, f := range jsonFields {
		if _, ok := lookup(m, f); !ok {
			t.Errorf("JSON report lacks %s", f)
		}
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Throughput.CSTAEventsIn == 0 || r.Throughput.ClientEventsOut == 0 {
		t.Errorf("no traffic measured: %+v", r.Throughput)
	}
	if len(r.Samples) == 0 {
		t.Error("no per-second samples")
	}
	if r.Failover.Kind != failNodeKill || r.Failover.Error != "" || r.Failover.ResyncCompleteMs <= 0 {
		t.Errorf("node kill not measured: %+v", r.Failover)
	}
	if v := r.Verification; v.Lost != 0 || v.Duplicated != 0 || v.ClientsChecked != 5 || !v.Complete {
		t.Errorf("verification: %+v", v)
	}
	if tc := r.Verification.Truth; !tc.Checked || tc.Lines != 20 || tc.Differ != 0 {
		t.Errorf("truth check after the node kill: %+v", tc)
	}

	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(md, stdout.Bytes()) {
		t.Error("the -md file differs from the table on stdout")
	}
	for _, want := range []string{"| CSTA events in |", "| PBX switchover |", "| lost / duplicated events | 0 / 0",
		"| truth | 20 lines checked, 0 differ"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
		t.Errorf("PNG is %v, want %dx%d", b, chartW, chartH)
	}
}

// Short runs against vendor profiles: the osv session dialect (an application session without
// credentials) and the minimal switch that sends no callIDs. No event may be lost or
// duplicated, and every line's calls must end up as the switch has them.
func TestProfileRunsMatchTheSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs for several seconds")
	}
	for _, profile := range []string{"minimal", "osv"} {
		t.Run(profile, func(t *testing.T) {
			dir := t.TempDir()
			jsonPath := filepath.Join(dir, "r.json")
			var stdout, stderr bytes.Buffer
			code := realMain([]string{"-profile", profile, "-clients", "3", "-devices", "12", "-rate", "6",
				"-ring", "300ms", "-talk", "600ms", "-duration", "2s", "-warmup", "500ms", "-quiet",
				"-json", jsonPath, "-logdir", filepath.Join(dir, "logs")}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			raw, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			var r Result
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if r.Config.Profile != profile || r.Config.Dialect != map[string]string{"minimal": "generic", "osv": "osv"}[profile] {
				t.Errorf("config: profile %q, dialect %q", r.Config.Profile, r.Config.Dialect)
			}
			if r.Throughput.CSTAEventsIn == 0 {
				t.Errorf("no traffic measured: %+v", r.Throughput)
			}
			if v := r.Verification; v.Lost != 0 || v.Duplicated != 0 || !v.Complete || v.ClientsChecked != 3 {
				t.Errorf("verification: %+v", v)
			}
			if tc := r.Verification.Truth; !tc.Checked || tc.Lines != 12 || tc.Differ != 0 {
				t.Errorf("truth: %+v", tc)
			}
		})
	}
}

func TestFlagsAreValidated(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-store", "disk"}, `-store "disk"`},
		{[]string{"-instances", "2"}, "needs -store redis"},
		{[]string{"-failover", "instance-kill", "-store", "redis"}, "needs -instances 2"},
		{[]string{"-failover", "meteor"}, `-failover "meteor"`},
		{[]string{"-devices", "1"}, "-devices 1"},
		{[]string{"-devices", "100001"}, "-devices 100001: want 2 to 100000"},
		{[]string{"-clients", "4", "-slow-clients", "5"}, "-slow-clients 5"},
		{[]string{"-window", "1001"}, "-window 1001"},
		{[]string{"-rate", "0"}, "-rate 0"},
		{[]string{"-bridge-gogc", "0"}, `-bridge-gogc "0": want a positive percentage or off`},
		{[]string{"-bridge-gogc", "lots"}, `-bridge-gogc "lots"`},
		{[]string{"-bridge-gomaxprocs", "-1"}, "-bridge-gomaxprocs -1: want 0 (the host's cores) or more"},
		{[]string{"-linger", "1s"}, "-linger 1s: want at most 100ms (a negative duration: none)"},
		{[]string{"-heartbeat", "10ms"}, "minimum is 100ms"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-profile", "nec"}, `-profile "nec": want one of osv, osbiz, avaya, generic, minimal`},
	} {
		var stderr bytes.Buffer
		if code := realMain(c.args, &bytes.Buffer{}, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, stderr.String(), c.want)
		}
	}
}

// TestExtensionRanges: ranges are cut where the numbers gain a digit (a range's ends must have
// as many digits as each other), so 100,000 devices from 10000 are two ranges.
func TestExtensionRanges(t *testing.T) {
	for _, c := range []struct {
		first, n int
		want     string
	}{
		{10000, 2, "10000-10001"},
		{10000, 90000, "10000-99999"},
		{10000, 100000, "10000-99999,100000-109999"},
		{95, 10, "95-99,100-104"},
	} {
		if got := extensionRanges(c.first, c.n); got != c.want {
			t.Errorf("extensionRanges(%d, %d) = %q, want %q", c.first, c.n, got, c.want)
		}
	}
}

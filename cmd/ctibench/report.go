package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
)

// Result is everything a run reports; the JSON form is the -json file.
type Result struct {
	Config       RunConfig    `json:"config"`
	Throughput   Throughput   `json:"throughput"`
	Latency      Latencies    `json:"latency"`
	Failover     Failover     `json:"failover"`
	Overload     Overload     `json:"overload"`
	Memory       Memory       `json:"memory"`
	Connect      ConnectStats `json:"connect"`
	CPU          CPU          `json:"cpu"`
	Verification Verification `json:"verification"`
	Samples      []Sample     `json:"samples"`
	Errors       []string     `json:"errors"`
	LogDir       string       `json:"log_dir"`
}

// RunConfig echoes the flags and the machine.
type RunConfig struct {
	Store       string  `json:"store"`
	Profile     string  `json:"profile"` // simulator vendor profile, "" for the default
	Dialect     string  `json:"dialect"` // session dialect of simulator and instances
	Instances   int     `json:"instances"`
	Clients     int     `json:"clients"`
	Devices     int     `json:"devices"`
	RateCPS     float64 `json:"rate_cps"`
	DurationS   float64 `json:"duration_s"`
	WarmupS     float64 `json:"warmup_s"`
	Failover    string  `json:"failover"`
	RingMs      float64 `json:"ring_ms"`
	TalkMs      float64 `json:"talk_ms"`
	HeartbeatMs float64 `json:"heartbeat_ms"`
	Misses      int     `json:"misses"`
	LeaseTTLMs  float64 `json:"lease_ttl_ms"`
	SendQueue   int     `json:"send_queue"`
	BridgeGOGC  string  `json:"bridge_gogc,omitempty"`       // -bridge-gogc; "" when the instances inherit the bench's
	BridgeProcs int     `json:"bridge_gomaxprocs,omitempty"` // -bridge-gomaxprocs; 0 when the runtime's default
	LingerMs    float64 `json:"linger_ms,omitempty"`         // the bridge's linger: -linger, or its default for the store (effectiveLinger)
	CPUs        int     `json:"cpus"`
	GoVersion   string  `json:"go_version"`
	Started     string  `json:"started"`
	// Load averages (1 min) before and after: other work on the host skews every figure.
	LoadStart float64 `json:"load_avg_start"`
	LoadEnd   float64 `json:"load_avg_end"`
}

// loadAvg is the 1-minute load average (Linux), 0 when unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// Overload is how the bridge coped with more than it could do in the measured window: the
// overload episodes its instances reported, and the slow clients (-slow-clients) it shed.
type Overload struct {
	Episodes    uint64  `json:"episodes"`
	SlowClients int     `json:"slow_clients"`
	SlowDelayMs float64 `json:"slow_delay_ms"`
	SlowEvents  uint64  `json:"slow_client_events"`
	SlowShed    uint64  `json:"slow_clients_shed"` // disconnects with 4008 slow consumer
	FastShed    uint64  `json:"fast_clients_shed"` // the same, of clients that keep up
	// BridgeShed is the 4008 disconnects as the instances logged them (whole run): a shed
	// client whose socket is full may see a reset instead of the frame, which the two
	// counts above, the clients' own, miss.
	BridgeShed Shed `json:"bridge_shed"`
}

// Throughput counts the measured window.
type Throughput struct {
	CSTAEventsIn     uint64  `json:"csta_events_in"` // CSTA events on the bridge's link (tap)
	CSTAPerSecond    float64 `json:"csta_events_per_s"`
	EngineCSTAEvents uint64  `json:"engine_csta_events"` // CSTA events the engine applied
	ClientEventsOut  uint64  `json:"client_events_out"`  // events all clients received
	ClientPerSecond  float64 `json:"client_events_per_s"`
	Calls            uint64  `json:"calls_started"` // whole run, warm-up included
	MeasuredSeconds  float64 `json:"measured_s"`
}

// Latencies: end to end is measured per event, from the simulator's send time the bridge
// passes on (tapi.Event.SwitchTime) to the client's receive time; the legs are measured apart
// as well: sim->bridge at the tap, bridge->client from tapi.Event.Time. Events the bridge makes
// itself (replies, link status) carry no switch time and count in bridge->client only.
type Latencies struct {
	E2E                 Latency `json:"end_to_end"`
	FaultE2E            Latency `json:"failover_end_to_end"`
	BridgeToClient      Latency `json:"bridge_to_client"`
	SimToBridge         Latency `json:"sim_to_bridge"`
	FaultBridgeToClient Latency `json:"failover_bridge_to_client"`
	FaultSimToBridge    Latency `json:"failover_sim_to_bridge"`
}

// Memory is live heap plus goroutine stacks (after GC) of the instances.
type Memory struct {
	PerClientBytes float64 `json:"per_client_bytes"`
	// PerClientRSSBytes is the instances' resident set growth while the clients connected,
	// per client.
	PerClientRSSBytes float64          `json:"per_client_rss_bytes"`
	PerDeviceBytes    float64          `json:"per_device_bytes"` // owner ready, minus a two-device instance, per device
	Instances         []InstanceMemory `json:"instances"`
}

// InstanceMemory is one instance's heap at the three points of the run.
type InstanceMemory struct {
	ID              string `json:"id"`
	HeapStart       uint64 `json:"heap_start"`
	HeapReady       uint64 `json:"heap_ready"`
	HeapWithClients uint64 `json:"heap_with_clients"`
	RSS             uint64 `json:"rss"`
	RSSReady        uint64 `json:"rss_ready"` // before the clients connected
}

// CPU is cores used on average over the measured window.
type CPU struct {
	BridgeCores float64 `json:"bridge_cores"`
	BenchCores  float64 `json:"bench_cores"` // simulator, taps and clients
	RedisCores  float64 `json:"redis_cores"`
	// BridgeUsPerClientEvent is the bridge's CPU over the client events out: an upper bound of
	// the cost of one, since it includes the CSTA work.
	BridgeUsPerClientEvent float64       `json:"bridge_us_per_client_event"`
	Instances              []InstanceCPU `json:"instances"`
	// CPU time per CSTA event received, in microseconds: cores over events per second.
	BridgeUsPerCSTA float64 `json:"bridge_us_per_csta_event"`
	RedisUsPerCSTA  float64 `json:"redis_us_per_csta_event"`
}

// InstanceCPU is one instance's share.
type InstanceCPU struct {
	ID    string  `json:"id"`
	Cores float64 `json:"cores"`
}

func newResult(o *options) *Result {
	return &Result{Config: RunConfig{Store: o.store, Profile: o.profile, Instances: o.instances, Clients: o.clients,
		Devices: o.devices, RateCPS: o.rate, DurationS: o.duration.Seconds(), WarmupS: o.warmup.Seconds(),
		Failover: o.failover, RingMs: ms(o.ring), TalkMs: ms(o.talk), HeartbeatMs: ms(o.heartbeat),
		Misses: o.misses, LeaseTTLMs: ms(o.leaseTTL), SendQueue: o.sendQueue, BridgeGOGC: o.bridgeGOGC, BridgeProcs: o.bridgeProcs, LingerMs: ms(effectiveLinger(o)), CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), Started: time.Now().UTC().Format(time.RFC3339), LoadStart: loadAvg()},
		Failover: Failover{Kind: o.failover}, Samples: []Sample{}, Errors: []string{},
		Memory: Memory{Instances: []InstanceMemory{}}, CPU: CPU{Instances: []InstanceCPU{}},
		Verification: Verification{Truth: TruthCheck{Differences: []string{}}}}
}

// writeOutputs prints the markdown table and writes the requested files.
func writeOutputs(r *Result, o *options, stdout io.Writer) error {
	md := markdown(r)
	fmt.Fprint(stdout, md)
	if o.jsonPath != "" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if o.mdPath != "" {
		if err := os.WriteFile(o.mdPath, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if o.pngPath != "" {
		f, err := os.Create(o.pngPath)
		if err != nil {
			return err
		}
		if err := drawChart(f, r); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}

func markdown(r *Result) string {
	var b strings.Builder
	c := r.Config
	profile := ""
	if c.Profile != "" {
		profile = ", profile " + c.Profile
	}
	if c.BridgeGOGC != "" {
		profile += ", bridge GOGC " + c.BridgeGOGC
	}
	if c.BridgeProcs > 0 {
		profile += fmt.Sprintf(", bridge GOMAXPROCS %d", c.BridgeProcs)
	}
	if c.LingerMs > 0 {
		profile += fmt.Sprintf(", linger %g ms", c.LingerMs)
	}
	fmt.Fprintf(&b, "### ctibench: %s store, %d instance(s), %d clients, %d devices, %.0f calls/s, failover %s%s\n\n",
		c.Store, c.Instances, c.Clients, c.Devices, c.RateCPS, c.Failover, profile)
	b.WriteString("| metric | value |\n|---|---|\n")
	row := func(k, format string, a ...any) { fmt.Fprintf(&b, "| %s | "+format+" |\n", append([]any{k}, a...)...) }
	t, l := r.Throughput, r.Latency
	row("CSTA events in", "%.0f /s (%d in %.1f s)", t.CSTAPerSecond, t.CSTAEventsIn, t.MeasuredSeconds)
	row("client events out", "%.0f /s (%d)", t.ClientPerSecond, t.ClientEventsOut)
	lat := func(x Latency) string {
		return fmt.Sprintf("%.2f / %.2f / %.2f ms (max %.1f, n=%d)", x.P50, x.P99, x.P999, x.Max, x.Count)
	}
	row("latency end to end p50/p99/p99.9 (switch stamp -> client)", "%s", lat(l.E2E))
	row("  sim -> bridge (tap)", "%s", lat(l.SimToBridge))
	row("  bridge -> client", "%s", lat(l.BridgeToClient))
	if f := r.Failover; f.Kind != failNone {
		row("failover", "%s of %s at %.1f s", f.Kind, f.Target, f.AtS)
		if f.Error != "" {
			row("failover error", "%s", f.Error)
		}
		if f.Kind == failInstanceKill {
			row("bridge takeover", "lease taken %.0f ms, resync complete %.0f ms; slowest client reconnect %.0f ms",
				f.LeaseTakenMs, f.TakeoverMs, f.MaxReconnectMs)
		} else {
			row("PBX switchover", "detection %.0f ms, resync complete %.0f ms (engine: %.0f + %.0f ms)",
				f.DetectionMs, f.ResyncCompleteMs, f.EngineDetectionMs, f.EngineResyncMs)
			row("switchover CPU", "bridge %.0f ms (%.1f us per device), redis %.0f ms, bench (simulator, clients) %.0f ms",
				f.BridgeCPUMs, f.BridgeCPUPerDevice, f.RedisCPUMs, f.BenchCPUMs)
		}
		row("latency during failover, end to end p50/p99/p99.9", "%s", lat(l.FaultE2E))
		row("  bridge -> client during failover", "%s", lat(l.FaultBridgeToClient))
	}
	if ol := r.Overload; ol.Episodes > 0 || ol.SlowClients > 0 {
		row("overload", "%d episode(s); slow clients %d (pausing %.0f ms per event, %d events): shed %d time(s) as slow consumers; clients that keep up shed %d time(s)",
			ol.Episodes, ol.SlowClients, ol.SlowDelayMs, ol.SlowEvents, ol.SlowShed, ol.FastShed)
		bs := ol.BridgeShed
		row("shed (bridge log, 4008)", "slow clients %d under overload + %d other; clients that keep up %d + %d; auditor %d + %d",
			bs.SlowOverload, bs.SlowOther, bs.FastOverload, bs.FastOther, bs.AuditOverload, bs.AuditOther)
	}
	row("client connect", "%d clients in %.1f s, bridge CPU %.2f ms per client (hello, welcome, subscribe, resync; welcome lines: %v)",
		c.Clients, r.Connect.Seconds, r.Connect.BridgeCPUMsPerClient, r.Connect.WelcomeLines)
	row("memory per client", "%.1f KiB heap, %.1f KiB RSS", r.Memory.PerClientBytes/1024, r.Memory.PerClientRSSBytes/1024)
	row("memory per monitored device", "%.1f KiB", r.Memory.PerDeviceBytes/1024)
	row("CPU (cores)", "bridge %.2f, redis %.2f, bench (sim+clients) %.2f of %d", r.CPU.BridgeCores, r.CPU.RedisCores, r.CPU.BenchCores, c.CPUs)
	row("CPU per CSTA event", "bridge %.1f µs, redis %.1f µs", r.CPU.BridgeUsPerCSTA, r.CPU.RedisUsPerCSTA)
	row("bridge CPU per client event", "%.1f µs (all of the bridge's CPU over client events out)", r.CPU.BridgeUsPerClientEvent)
	row("host load average", "%.1f at start, %.1f at end", c.LoadStart, c.LoadEnd)
	v := r.Verification
	row("lost / duplicated events", "%d / %d (%d clients checked against %d log events; complete %v)", v.Lost, v.Duplicated, v.ClientsChecked, v.LogEvents, v.Complete)
	row("client reconnects / resyncs", "%d / %d", v.ClientReconnect, v.ClientResyncs)
	if tc := v.Truth; tc.Checked {
		s := fmt.Sprintf("%d lines checked, %d differ (%d PBX connections; settled in %.0f ms)",
			tc.Lines, tc.Differ, tc.Connections, tc.SettleMs)
		if len(tc.Differences) > 0 {
			s += "; first: " + strings.Join(tc.Differences, "; ")
		}
		row("truth", "%s", strings.ReplaceAll(s, "|", "/"))
		for _, d := range tc.Diagnosis {
			row("truth diagnosis", "%s", strings.ReplaceAll(d, "|", "/"))
		}
	} else {
		row("truth", "not checked")
	}
	if len(r.Errors) > 0 {
		row("errors", "%d (first: %s)", len(r.Errors), strings.ReplaceAll(r.Errors[0], "|", "/"))
	}
	return b.String()
}

// effectiveLinger is the linger the bridge instances run with: -linger, or when 0 the
// engine's default for the store (cti.LingerFor of the store's type; none when negative).
func effectiveLinger(o *options) time.Duration {
	l := o.linger
	if l == 0 && o.store == "redis" {
		l = cti.LingerFor((*redisstore.Store)(nil))
	}
	return max(l, 0)
}

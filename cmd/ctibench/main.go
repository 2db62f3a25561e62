// Command ctibench measures ctibridge end to end: it runs the PBX simulator at a given call
// rate, one or more bridge instances (as child processes of itself, with the memory or Redis
// store) and N lean WebSocket clients, optionally injects a PBX node or bridge instance
// failure, and reports CSTA events in, client events out, latency percentiles, switchover and
// takeover times, memory per client and per device, CPU use, and a lost/duplicate check.
// Results go to stdout as a markdown table and optionally to JSON, markdown and PNG files.
//
// Latency is measured per event from the simulator to the client: the simulator stamps each
// event with its send time (pbxsim Config.StampEvents, the standard CSTA security timestamp),
// the bridge passes it on as tapi.Event.SwitchTime, and each client subtracts it from its
// receive time (end to end). The two legs are measured as well: a transparent tap in front of
// each simulator node reads the stamp as the frame goes to the bridge (sim -> bridge), and each
// client subtracts tapi.Event.Time, when the bridge received the CSTA event (bridge -> client).
// Everything runs on one host, so the clocks agree.
//
// Lost and duplicated events are checked with an auditor: one extra client subscribed to every
// line, whose log offsets must be contiguous; every client's per-line count after its starting
// position must equal the auditor's. The auditor also mirrors every line's calls from its
// events, as a desktop client does; at the end the traffic generator stops (the switch's calls
// freeze as they are) and the mirror must come to equal the simulator's truth within 15 s:
// the same calls, by PBX call ID (by state alone for calls without one) in compatible states.
// The exit status is 3 when an event was lost or duplicated or a line differs, after the
// reports are written; 1 when the run failed, 2 for bad flags.
//
// Beyond 15,000 clients (or with -client-procs N) the clients run in child processes of the
// bench, each under the file limit, which report their latency histograms, counts and
// per-line counts back over a pipe (clientwire.go), so that one instance can hold as many
// client sockets as its own limit allows and several instances can be fed more than one
// process could open.
//
// -profile runs the simulator as a vendor's switch (pbxsim profiles: osv, osbiz, avaya,
// generic, minimal); the instances then speak the profile's session dialect.
//
// Typical runs:
//
//	ctibench -clients 1000 -devices 1000 -rate 400 -ring 300ms -talk 700ms
//	ctibench -store redis -instances 2 -failover instance-kill -json r.json -png r.png
//	ctibench -profile minimal -clients 50 -devices 200 -rate 20 -duration 15s
//	ctibench -store redis -instances 3 -clients 54000 -devices 1000 -rate 25 -ring 300ms -talk 700ms
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti"
)

// options are the command-line flags.
type options struct {
	store       string
	profile     string
	redisAddr   string
	instances   int
	clients     int
	devices     int
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	failover    string
	ring        time.Duration
	talk        time.Duration
	heartbeat   time.Duration
	misses      int
	leaseTTL    time.Duration
	sendQueue   int
	window      int
	slowClients int
	logLen      int
	slowDelay   time.Duration
	syncWait    time.Duration
	cpuProf     string
	bridgeGOGC  string
	bridgeProcs int
	bridgeQueue int    // cti PBXConfig.Queue (0: the default)
	bridgeLog   string // the instances' log level
	simQueue    int    // pbxsim Config.EventQueue
	linger      time.Duration
	failProf    string
	seed        uint64
	jsonPath    string
	mdPath      string
	pngPath     string
	logDir      string
	quiet       bool
	clientOptions
}

// Failure kinds of -failover.
const (
	failNone         = "none"
	failNodeKill     = "node-kill"
	failNodeFreeze   = "node-freeze"
	failInstanceKill = "instance-kill"
)

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("ctibench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.store, "store", "memory", "store of the bridge instances: memory or redis")
	fs.StringVar(&o.profile, "profile", "", "simulator vendor profile: "+strings.Join(pbxsim.ProfileNames(), ", ")+
		" (default: the simulator's own generic shapes); the bridge instances use its dialect")
	fs.StringVar(&o.redisAddr, "redis", "", "Redis address host:port (default: start a redis-server on a free port)")
	fs.IntVar(&o.instances, "instances", 1, "bridge instances (more than one needs -store redis)")
	fs.IntVar(&o.clients, "clients", 100, "WebSocket clients; each subscribes to its share of the lines")
	fs.IntVar(&o.devices, "devices", 1000, "monitored devices (simulated extensions 10000...)")
	fs.Float64Var(&o.rate, "rate", 100, "simulated calls started per second (events/s are reported)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "measuring time")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "traffic before measuring starts")
	fs.StringVar(&o.failover, "failover", failNone, "fault injected half way: none, node-kill, node-freeze or instance-kill")
	fs.DurationVar(&o.ring, "ring", time.Second, "simulated ring time per call (±50 %)")
	fs.DurationVar(&o.talk, "talk", 3*time.Second, "simulated talk time per call (±50 %)")
	fs.DurationVar(&o.heartbeat, "heartbeat", 250*time.Millisecond, "bridge heartbeat interval to the PBX")
	fs.IntVar(&o.misses, "misses", 3, "unanswered heartbeats that mark a PBX node down")
	fs.DurationVar(&o.leaseTTL, "lease-ttl", 2*time.Second, "bridge ownership lease TTL (bounds takeover time)")
	fs.IntVar(&o.sendQueue, "send-queue", 1024, "WebSocket outbound queue per client, in messages")
	fs.IntVar(&o.window, "window", 0, "CSTA requests in flight per PBX link during a resync (cti PBXConfig.MonitorConcurrency; 0: the bridge's default)")
	fs.IntVar(&o.slowClients, "slow-clients", 0, "how many of the clients are slow: they pause -slow-delay after each event (not in the latencies; shed ones are counted)")
	fs.IntVar(&o.clientProcs, "client-procs", -1, "child processes that run the clients (0: the bench's own process; default: 0 up to 15000 clients, else one per 15000), so that no process needs more sockets than the file limit")
	fs.BoolVar(&o.welcomeLines, "welcome-lines", false, "clients take the welcome with every line the bench's user sees (default: their hellos ask for omitLines, and the resync brings their lines)")
	fs.IntVar(&o.logLen, "log-len", 0, "event log entries the memory store keeps (0: its default, 100,000); an overload run needs more, so that the auditor, when it falls behind and is shed, resumes from its cursor instead of resyncing")
	fs.DurationVar(&o.slowDelay, "slow-delay", 5*time.Millisecond, "a slow client's pause after each event")
	fs.DurationVar(&o.syncWait, "sync-wait", 0, "how long a batch of 250 connecting clients may take to sync, at least (default: 60s plus 1ms per device; raise it on a loaded host)")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of each bridge instance over the measured window to this path plus .<instance>, and its allocations to that plus .allocs0 (window start) and .allocs1 (end; go tool pprof -base)")
	fs.DurationVar(&o.linger, "linger", 0, "the bridge's pipeline linger (pbxs[].linger): how long it waits for more CSTA events before applying a batch; 0 takes the bridge's default (2ms with -store redis, none with memory), a negative duration such as -1ms applies at once")
	fs.StringVar(&o.bridgeGOGC, "bridge-gogc", "", "GOGC for the bridge instances only (a percentage or off; \"\": what the bench itself runs with), to measure the collector's share of the CPU per event against its memory (docs/capacity.md)")
	fs.StringVar(&o.bridgeLog, "bridge-log-level", "warn", "the bridge instances' log level (info logs each line repair and resync, into -logdir)")
	fs.IntVar(&o.bridgeQueue, "bridge-queue", 0, "the bridge's pipeline queue per PBX (cti PBXConfig.Queue; 0: its default), small to drive an overload into the link's event overflow and resync")
	fs.IntVar(&o.simQueue, "sim-queue", 1<<17, "the simulator's event queue per CTI session (pbxsim Config.EventQueue); a session that overflows it is dropped, as a switch drops a slow link")
	fs.IntVar(&o.bridgeProcs, "bridge-gomaxprocs", 0, "GOMAXPROCS for the bridge instances only (0: the Go runtime's default, the host's cores), to measure what the scheduler's idle threads cost per event (docs/perf/cpu-per-event.md)")
	fs.StringVar(&o.failProf, "failover-cpuprofile", "", "write a CPU profile of the owning instance from the fault to the resync completed (node faults) to this path")
	fs.Uint64Var(&o.seed, "seed", 1, "traffic generator seed")
	fs.StringVar(&o.jsonPath, "json", "", "write the results as JSON to this file")
	fs.StringVar(&o.mdPath, "md", "", "write the results as a markdown table to this file")
	fs.StringVar(&o.pngPath, "png", "", "write a chart of latency over time (failovers marked) to this PNG file")
	fs.StringVar(&o.logDir, "logdir", "", "directory for instance and redis logs (default: a new temporary directory)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress display")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return o, o.validate()
}

func (o *options) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	o.validateSetup(bad)
	o.validateLoad(bad)
	o.validateTiming(bad)
	if g := o.bridgeGOGC; g != "" && g != "off" {
		if n, err := strconv.Atoi(g); err != nil || n <= 0 {
			bad("-bridge-gogc %q: want a positive percentage or off", g)
		}
	}
	if o.bridgeQueue < 0 || o.simQueue < 1 {
		bad("-bridge-queue %d, -sim-queue %d: want 0 (the default) or more, and 1 or more", o.bridgeQueue, o.simQueue)
	}
	if o.bridgeProcs < 0 {
		bad("-bridge-gomaxprocs %d: want 0 (the host's cores) or more", o.bridgeProcs)
	}
	if o.linger > cti.MaxLinger {
		bad("-linger %v: want at most %v (a negative duration: none)", o.linger, cti.MaxLinger)
	}
	o.resolveClientProcs(bad)
	return errors.Join(errs...)
}

// validateSetup checks what runs: store, profile, instances and the fault.
func (o *options) validateSetup(bad func(string, ...any)) {
	if o.store != "memory" && o.store != "redis" {
		bad("-store %q: want memory or redis", o.store)
	}
	if p, err := pbxsim.ProfileByName(o.profile); err != nil {
		bad("-profile %q: want one of %s", o.profile, strings.Join(pbxsim.ProfileNames(), ", "))
	} else {
		o.profile = p.Name // the preset's spelling, for the report
	}
	if o.redisAddr != "" && o.store != "redis" {
		bad("-redis %s given with -store %s: use -store redis", o.redisAddr, o.store)
	}
	if o.instances < 1 || o.instances > 16 {
		bad("-instances %d: want 1 to 16", o.instances)
	}
	if o.instances > 1 && o.store != "redis" {
		bad("-instances %d needs -store redis: instances share state only through Redis", o.instances)
	}
	switch o.failover {
	case failNone, failNodeKill, failNodeFreeze:
	case failInstanceKill:
		if o.instances < 2 {
			bad("-failover instance-kill needs -instances 2 or more (and -store redis)")
		}
	default:
		bad("-failover %q: want none, node-kill, node-freeze or instance-kill", o.failover)
	}
}

// validateLoad checks the traffic: clients, devices, call rate and call phases.
func (o *options) validateLoad(bad func(string, ...any)) {
	if o.clients < 0 || o.clients > 100000 {
		bad("-clients %d: want 0 to 100000", o.clients)
	}
	if o.devices < 2 || o.devices > csta.MaxDeviceList {
		bad("-devices %d: want 2 to %d", o.devices, csta.MaxDeviceList)
	}
	if o.rate <= 0 || o.rate > 100000 {
		bad("-rate %v: want calls per second in (0, 100000]", o.rate)
	}
	if o.ring <= 0 || o.talk <= 0 {
		bad("-ring and -talk must be positive")
	}
	if o.window < 0 || o.window > 1000 {
		bad("-window %d: want 0 (the default) to 1000", o.window)
	}
	if o.logLen < 0 || (o.logLen > 0 && o.store != "memory") {
		bad("-log-len %d: want 0, or a positive length with -store memory", o.logLen)
	}
	if o.slowClients < 0 || o.slowClients > o.clients {
		bad("-slow-clients %d: want 0 to -clients (%d)", o.slowClients, o.clients)
	}
	if o.syncWait < 0 {
		bad("-sync-wait %v: must not be negative", o.syncWait)
	}
	if o.sendQueue < 1 {
		bad("-send-queue %d: want at least 1", o.sendQueue)
	}
}

// validateTiming checks durations and the bridge's timing flags.
func (o *options) validateTiming(bad func(string, ...any)) {
	if o.duration < time.Second {
		bad("-duration %v: want at least 1s", o.duration)
	}
	if o.warmup < 0 {
		bad("-warmup %v: must not be negative", o.warmup)
	}
	if o.failover != failNone && o.duration < 4*time.Second {
		bad("-duration %v: a failover run needs at least 4s", o.duration)
	}
	if o.heartbeat < 100*time.Millisecond {
		bad("-heartbeat %v: the bridge's minimum is 100ms", o.heartbeat)
	}
	if o.misses < 1 {
		bad("-misses %d: want at least 1", o.misses)
	}
	if o.leaseTTL < 300*time.Millisecond {
		bad("-lease-ttl %v: the bridge's minimum is 300ms", o.leaseTTL)
	}
}

func main() {
	if cfg := os.Getenv(childEnv); cfg != "" {
		if err := runInstance(cfg, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "ctibench instance:", err)
			os.Exit(1)
		}
		return
	}
	if os.Getenv(clientsEnv) != "" {
		if err := runClientProc(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "ctibench clients:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ctibench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ctibench:", err)
		return 1
	}
	if err := writeOutputs(res, o, stdout); err != nil {
		fmt.Fprintln(stderr, "ctibench:", err)
		return 1
	}
	if why := res.Verification.failure(); why != "" {
		fmt.Fprintln(stderr, "ctibench: check failed:", why)
		return 3
	}
	return 0
}

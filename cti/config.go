package cti

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/sirupsen/logrus"
)

// ResyncMode says how a PBX's state is rebuilt after a switchover or takeover.
type ResyncMode string

// Resync modes.
const (
	ResyncHot  ResyncMode = "hot"  // SnapshotDevice every device, reconciled: calls keep handles
	ResyncCold ResyncMode = "cold" // every call ends for clients, then fresh from snapshots
)

// FailbackPolicy says when a PBX link returns to its primary node.
type FailbackPolicy string

// Failback policies.
const (
	FailbackAuto     FailbackPolicy = "auto"     // once the primary has been healthy for FailbackAfter
	FailbackManual   FailbackPolicy = "manual"   // only by an admin request
	FailbackSticky   FailbackPolicy = "sticky"   // roles swap: the node in use stays preferred
	FailbackSchedule FailbackPolicy = "schedule" // manual inside business hours, auto outside
)

// Defaults of the engine and of every PBX link: the one place they are written. WithDefaults,
// DefaultConfig and DefaultPBXConfig use them, and so does the daemon (cmd/ctibridge), whose
// docs/config.md is tested against them.
const (
	DefaultHeartbeat          = time.Second
	MinHeartbeat              = 100 * time.Millisecond
	DefaultMisses             = 3
	DefaultConnectTimeout     = 5 * time.Second
	DefaultBackoffMin         = 200 * time.Millisecond
	DefaultBackoffMax         = 10 * time.Second
	DefaultOutOfServiceGrace  = 2 * time.Second
	DefaultFailbackAfter      = 30 * time.Second
	DefaultProbeInterval      = 5 * time.Second
	DefaultRequestTimeout     = 10 * time.Second
	DefaultMonitorConcurrency = 32
	// DefaultLeaseTTL bounds how long a PBX link stays unowned after its owner died: another
	// instance takes over within about this long. 1.5s is the daemon's documented takeover
	// time and what the fault suite runs; a longer lease only delays takeover (followers poll
	// five times per TTL), a shorter one risks losing the lease to a pause of the process.
	DefaultLeaseTTL        = 1500 * time.Millisecond
	MinLeaseTTL            = 300 * time.Millisecond
	DefaultDegradeAfter    = 3 * time.Second // store.degrade_after
	DefaultSessionDuration = 180             // seconds asked for in StartApplicationSession
	DefaultMaxBatch        = 4096
	MaxLinger              = 100 * time.Millisecond // linger: more would be latency for nothing
	// DefaultLinger is the linger with a store whose writes are round trips (store.RoundTrips,
	// Redis): 2 ms cut the bridge's CPU per event by a fifth and Redis's by a sixth at 6,600
	// to 20,700 CSTA events/s (docs/perf/cpu-per-event.md, "The linger's default"), for 2-3 ms
	// of median latency. With the memory store the default is none: there a batch's fixed cost
	// is small and the wait showed in p99 with many clients.
	DefaultLinger         = 2 * time.Millisecond
	DefaultQueue          = 65536
	DefaultTraceMaxSizeMB = 10 // trace.max_size_mb
	DefaultTraceMaxFiles  = 3  // trace.max_files: FILE, FILE.1, FILE.2
	// DefaultNameBudget is how long an event waits for a caller lookup (lookup.budget): short
	// enough that nobody sees the delay, long enough for a cached, local or LAN answer. A
	// slower answer follows as LINE_CALLINFO.
	DefaultNameBudget  = 50 * time.Millisecond
	DefaultNameWorkers = 16   // lookups in flight per PBX (lookup.workers)
	DefaultNameQueue   = 1024 // lookups waiting for a worker per PBX
)

// DefaultTraceFile is where a PBX's wire trace goes when no file is configured.
func DefaultTraceFile(pbx string) string {
	return filepath.Join(os.TempDir(), "ctibridge-trace-"+pbx+".log")
}

// TraceConfig configures a PBX's CSTA wire trace (docs/trace.md). It can be switched on and
// off at run time (Engine.SetTrace); the rest is fixed at start.
type TraceConfig struct {
	// Enabled starts the trace with the engine.
	Enabled bool
	// File is the trace file (default DefaultTraceFile); rotated files are FILE.1 ..
	// FILE.<MaxFiles-1>.
	File string
	// MaxBytes caps one file (default DefaultTraceMaxSizeMB MiB); MaxFiles counts FILE and
	// its rotated predecessors (default DefaultTraceMaxFiles).
	MaxBytes int64
	MaxFiles int
}

// Config is the engine's configuration. The daemon fills it from its YAML file; zero values
// take the documented defaults (see WithDefaults).
type Config struct {
	// InstanceID names this bridge instance in leases and logs. Required.
	InstanceID string
	// Store holds state, event logs and leases. Required.
	Store store.Store
	// PBXs are the PBX links; at least one.
	PBXs []PBXConfig
	// LeaseTTL is how long a link lease lasts without renewal (default 1.5s, at least 300ms);
	// the owner renews it well before it lapses and followers poll for it five times per TTL.
	// An owner that cannot renew within LeaseTTL drops its links.
	LeaseTTL time.Duration
	// DegradeAfter bounds how long an owner's store write may keep failing (an error, a
	// refusal such as Redis's OOM, or no answer) before the owner marks the link degraded,
	// refuses commands, stops renewing its lease and gives the link up so that a healthy
	// instance takes over (default 3s, at least 100ms).
	DegradeAfter time.Duration
	// Log receives the engine's log lines; nil discards them.
	Log *logrus.Entry
	// Metrics, when set, is told about batches, switchovers and commands.
	Metrics Metrics
	// Clock is the wall clock for business hours (schedule failback); nil is time.Now.
	Clock func() time.Time
	// Names finds the names of calls' parties (caller lookup, names.go).
	Names NamesConfig
	// onTermEnd, when set (tests), is called the moment an ownership term is ended by a
	// fence or a degradation, after the term stopped acting as the owner.
	onTermEnd func(pbx string, cause error)
}

// PBXConfig configures one PBX link.
type PBXConfig struct {
	// Name is the PBX's name in line names ("hq" in "hq/201"). Required; no '/' or ':'.
	Name string
	// Dialect is a csta dialect name: osv, osbiz, avaya or generic (default generic).
	Dialect string
	// Primary and Standby are the nodes' host:port addresses. Primary is required.
	Primary string
	Standby string
	// TLS, when set, is used for both nodes.
	TLS *tls.Config
	// User and Password are StartApplicationSession credentials (dialects with sessions).
	User     string
	Password string
	// Heartbeat is the keep-alive interval (default 1s, at least 100ms); Misses consecutive
	// unanswered heartbeats (default 3) mark the node down.
	Heartbeat time.Duration
	Misses    int
	// ConnectTimeout bounds connecting and starting a session on one node (default 5s).
	ConnectTimeout time.Duration
	// BackoffMin and BackoffMax bound the jittered exponential backoff between rounds of
	// connection attempts when no node answers (defaults 200ms and 10s).
	BackoffMin time.Duration
	BackoffMax time.Duration
	// OutOfServiceGrace is how long lines stay in service while no node is reachable
	// (default 2s).
	OutOfServiceGrace time.Duration
	// Resync is hot or cold (default hot).
	Resync ResyncMode
	// Failback is auto, manual, sticky or schedule (default auto).
	Failback FailbackPolicy
	// FailbackAfter is how long the primary must answer probes before an automatic failback
	// (default 30s); ProbeInterval how often it is probed (default 5s).
	FailbackAfter time.Duration
	ProbeInterval time.Duration
	// BusinessHours is required for the schedule policy.
	BusinessHours BusinessHours
	// PreferredInstance, when set, is the instance ID that should own this PBX's link: other
	// instances take a free lease only after giving it a head start, and hand the link over
	// when it comes back. Naming different instances for different PBXs spreads the links.
	PreferredInstance string
	// Devices are the monitored extensions: numbers and ranges like "200-299".
	Devices []string
	// Groups are ACD or hunt group numbers to monitor as lines of their own that carry the
	// group's queue figures (tapi.Line.Queue); with groups, agent states are asked with
	// GetAgentState after every resync. A group must not be in Devices.
	Groups []string
	// DisplayNames optionally names lines by extension.
	DisplayNames map[string]string
	// MonitorConcurrency bounds MonitorStart and SnapshotDevice requests in flight on a link:
	// the resync's window per node. The default, 32, is what switches generally accept from
	// one application; a large site whose switch takes more raises it (256 resynced 100,000
	// devices 2.5 times as fast as 32 against the simulator; docs/perf/switchover-100k.md).
	MonitorConcurrency int
	// RequestTimeout bounds one client command's CSTA request (default 10s).
	RequestTimeout time.Duration
	// SessionDuration is the ECMA-354 session duration asked for, in seconds (default 180).
	SessionDuration int
	// MaxBatch bounds the events written to the store in one step (default 4096); Queue bounds
	// the events waiting for the pipeline (default 65536).
	MaxBatch int
	Queue    int
	// Linger is how long the pipeline waits for more CSTA events before it applies a batch, as
	// measured from the batch's oldest event. A millisecond or two spreads each batch's fixed
	// costs (the fenced store write, the clients' WebSocket writes) over more events at low
	// and middle rates, for that much latency; a client's command never waits for it. Zero
	// takes the default (Config.WithDefaults: DefaultLinger with a store.RoundTrips store,
	// none otherwise); a negative value is none (LingerOff).
	Linger time.Duration
	// Trace is the CSTA wire trace of this PBX's link.
	Trace TraceConfig
}

// DefaultConfig is the engine configuration with every default filled in; InstanceID, Store
// and PBXs are left for the caller. Zero fields of a Config take these values (WithDefaults).
func DefaultConfig() Config {
	return Config{LeaseTTL: DefaultLeaseTTL, DegradeAfter: DefaultDegradeAfter,
		Names: NamesConfig{Budget: DefaultNameBudget, Workers: DefaultNameWorkers, Queue: DefaultNameQueue}}
}

// DefaultPBXConfig is a PBX link's configuration with every default filled in; Name, Primary,
// Devices and the rest that has no default are left for the caller, and Trace.File follows
// the name (DefaultTraceFile). Zero fields of a PBXConfig take these values (WithDefaults).
func DefaultPBXConfig() PBXConfig {
	return PBXConfig{
		Dialect:            csta.DialectGeneric.Name,
		Heartbeat:          DefaultHeartbeat,
		Misses:             DefaultMisses,
		ConnectTimeout:     DefaultConnectTimeout,
		BackoffMin:         DefaultBackoffMin,
		BackoffMax:         DefaultBackoffMax,
		OutOfServiceGrace:  DefaultOutOfServiceGrace,
		Resync:             ResyncHot,
		Failback:           FailbackAuto,
		FailbackAfter:      DefaultFailbackAfter,
		ProbeInterval:      DefaultProbeInterval,
		MonitorConcurrency: DefaultMonitorConcurrency,
		RequestTimeout:     DefaultRequestTimeout,
		SessionDuration:    DefaultSessionDuration,
		MaxBatch:           DefaultMaxBatch,
		Queue:              DefaultQueue,
		Trace:              TraceConfig{MaxBytes: DefaultTraceMaxSizeMB << 20, MaxFiles: DefaultTraceMaxFiles},
	}
}

// orDefault sets *v to def when *v is the zero value.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// LingerOff as PBXConfig.Linger applies what has queued at once, whatever the store.
const LingerOff time.Duration = -1

// LingerFor returns the default linger with store s: DefaultLinger when its writes are round
// trips (store.RoundTrips), else none (0).
func LingerFor(s store.Store) time.Duration {
	if rt, ok := s.(store.RoundTrips); ok && rt.RoundTrips() {
		return DefaultLinger
	}
	return 0
}

// WithDefaults returns c with every zero value replaced by its default (DefaultConfig; a
// PBX's linger by LingerFor its store).
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.LeaseTTL, d.LeaseTTL)
	orDefault(&c.DegradeAfter, d.DegradeAfter)
	orDefault(&c.Names.Budget, d.Names.Budget)
	orDefault(&c.Names.Workers, d.Names.Workers)
	orDefault(&c.Names.Queue, d.Names.Queue)
	if c.Clock == nil {
		c.Clock = time.Now
	}
	pbxs := make([]PBXConfig, len(c.PBXs))
	for i, p := range c.PBXs {
		pbxs[i] = p.WithDefaults()
		orDefault(&pbxs[i].Linger, LingerFor(c.Store))
	}
	c.PBXs = pbxs
	return c
}

// WithDefaults returns p with every zero value replaced by its default (DefaultPBXConfig).
func (p PBXConfig) WithDefaults() PBXConfig {
	d := DefaultPBXConfig()
	orDefault(&p.Dialect, d.Dialect)
	orDefault(&p.Heartbeat, d.Heartbeat)
	orDefault(&p.Misses, d.Misses)
	orDefault(&p.ConnectTimeout, d.ConnectTimeout)
	orDefault(&p.BackoffMin, d.BackoffMin)
	orDefault(&p.BackoffMax, d.BackoffMax)
	orDefault(&p.OutOfServiceGrace, d.OutOfServiceGrace)
	orDefault(&p.Resync, d.Resync)
	orDefault(&p.Failback, d.Failback)
	orDefault(&p.FailbackAfter, d.FailbackAfter)
	orDefault(&p.ProbeInterval, d.ProbeInterval)
	orDefault(&p.MonitorConcurrency, d.MonitorConcurrency)
	orDefault(&p.RequestTimeout, d.RequestTimeout)
	orDefault(&p.SessionDuration, d.SessionDuration)
	orDefault(&p.MaxBatch, d.MaxBatch)
	orDefault(&p.Queue, d.Queue)
	if p.Trace.File == "" && p.Name != "" {
		p.Trace.File = DefaultTraceFile(p.Name)
	}
	orDefault(&p.Trace.MaxBytes, d.Trace.MaxBytes)
	orDefault(&p.Trace.MaxFiles, d.Trace.MaxFiles)
	return p
}

// Validate checks a configuration after WithDefaults; errors name the offending field.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.InstanceID) == "" {
		errs = append(errs, errors.New("cti: instance_id: must not be empty"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("cti: store: no store given"))
	}
	if c.LeaseTTL < MinLeaseTTL {
		errs = append(errs, fmt.Errorf("cti: lease_ttl: %v is too short (minimum %v)", c.LeaseTTL, MinLeaseTTL))
	}
	if c.DegradeAfter < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("cti: degrade_after: %v is too short (minimum 100ms)", c.DegradeAfter))
	}
	if c.Names.Budget < 0 || c.Names.Workers < 1 || c.Names.Queue < 1 {
		errs = append(errs, fmt.Errorf("cti: names: budget %v, workers %d, queue %d: want a budget of 0 or more and at least one worker and queue slot",
			c.Names.Budget, c.Names.Workers, c.Names.Queue))
	}
	if len(c.PBXs) == 0 {
		errs = append(errs, errors.New("cti: pbxs: at least one PBX is required"))
	}
	seen := map[string]bool{}
	devIDs := map[uint32]string{}
	for i, p := range c.PBXs {
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("cti: pbxs[%d]: %w", i, err))
			continue
		}
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("cti: pbxs[%d].name: %q is used twice", i, p.Name))
		}
		seen[p.Name] = true
		exts, _ := csta.ExpandDevices(p.Devices)
		for _, x := range exts {
			name := p.Name + "/" + x
			id := tapi.LineDeviceID(name)
			if other, dup := devIDs[id]; dup {
				errs = append(errs, fmt.Errorf("cti: pbxs[%d].devices: line %s has the same device ID as %s; rename one", i, name, other))
			}
			devIDs[id] = name
		}
	}
	return errors.Join(errs...)
}

// Validate checks one PBX's configuration after WithDefaults.
func (p PBXConfig) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	p.validateLink(bad)
	p.validatePolicy(bad)
	p.validateLimits(bad)
	return errors.Join(errs...)
}

// configProblem reports one problem of a setting.
type configProblem func(field, format string, a ...any)

// validateLink checks the name, dialect, nodes and the link's timing.
func (p PBXConfig) validateLink(bad configProblem) {
	switch {
	case strings.TrimSpace(p.Name) == "":
		bad("name", "must not be empty")
	case strings.ContainsAny(p.Name, "/: \t"):
		bad("name", "%q must not contain '/', ':' or spaces", p.Name)
	}
	if _, err := csta.DialectByName(p.Dialect); err != nil {
		bad("dialect", "%v", err)
	}
	if p.Primary == "" {
		bad("primary", "address required (host:port)")
	}
	if p.Standby != "" && p.Standby == p.Primary {
		bad("standby", "%q is the same address as primary", p.Standby)
	}
	if p.Heartbeat < MinHeartbeat {
		bad("heartbeat", "%v is below the minimum of %v", p.Heartbeat, MinHeartbeat)
	}
	if p.Misses < 1 || p.Misses > 100 {
		bad("misses", "%d out of range 1-100", p.Misses)
	}
	for field, d := range map[string]time.Duration{"connect_timeout": p.ConnectTimeout,
		"backoff_min": p.BackoffMin, "backoff_max": p.BackoffMax, "out_of_service_grace": p.OutOfServiceGrace,
		"failback_after": p.FailbackAfter, "probe_interval": p.ProbeInterval, "request_timeout": p.RequestTimeout} {
		if d < 0 {
			bad(field, "%v must not be negative", d)
		}
	}
	if p.BackoffMax < p.BackoffMin {
		bad("backoff_max", "%v is below backoff_min %v", p.BackoffMax, p.BackoffMin)
	}
}

// validatePolicy checks the resync and failback policies.
func (p PBXConfig) validatePolicy(bad configProblem) {
	switch p.Resync {
	case ResyncHot, ResyncCold:
	default:
		bad("resync", "%q: want hot or cold", p.Resync)
	}
	switch p.Failback {
	case FailbackAuto, FailbackManual, FailbackSticky:
	case FailbackSchedule:
		if _, err := p.BusinessHours.compile(); err != nil {
			bad("business_hours", "%v", err)
		}
	default:
		bad("failback", "%q: want auto, manual, sticky or schedule", p.Failback)
	}
}

// validateLimits checks the devices, groups, queues and the trace's sizes.
func (p PBXConfig) validateLimits(bad configProblem) {
	devs, err := csta.ExpandDevices(p.Devices)
	if err != nil {
		bad("devices", "%v", err)
	}
	for i, g := range p.Groups {
		if g == "" || slices.Contains(devs, g) || slices.Contains(p.Groups[:i], g) {
			bad("groups", "entry %d (%q): a group is a number listed once and not among the devices", i, g)
		}
	}
	if p.MonitorConcurrency < 1 || p.MonitorConcurrency > 1000 {
		bad("monitor_concurrency", "%d out of range 1-1000", p.MonitorConcurrency)
	}
	if p.MaxBatch < 1 {
		bad("max_batch", "%d must be positive", p.MaxBatch)
	}
	if p.Linger > MaxLinger {
		bad("linger", "%v out of range: at most %v (negative: none)", p.Linger, MaxLinger)
	}
	if p.Queue < 16 {
		bad("queue", "%d is too small (minimum 16)", p.Queue)
	}
	if p.Trace.MaxBytes < 1024 {
		bad("trace.max_size_mb", "%d bytes is too small (minimum 1 KiB)", p.Trace.MaxBytes)
	}
	if p.Trace.MaxFiles < 1 || p.Trace.MaxFiles > 100 {
		bad("trace.max_files", "%d out of range 1-100", p.Trace.MaxFiles)
	}
}

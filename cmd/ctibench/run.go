package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

const (
	pbxName  = "hq"
	firstExt = 10000
)

// bench is one run: the simulator and its taps, the store, the instances and the clients.
type bench struct {
	o       *options
	stderr  io.Writer
	outMu   sync.Mutex
	logDir  string
	rec     *recorder
	audit   *auditLog
	sim     *pbxsim.PBX
	taps    map[string]*tap // by node name
	redis   *redisServer
	insts   []*instance
	token   string
	calHeap uint64 // live memory of the two-device calibration instance
	auditor *benchClient
	clients []*benchClient

	clientCtx  context.Context
	stopClient context.CancelFunc
	clientWG   sync.WaitGroup

	// Client processes (-client-procs): their handles, and what went wrong collecting their
	// clients' counts. procMu guards these and b.clients while the processes report.
	procMu   sync.Mutex
	procs    []*clientProcHandle
	procErrs []string
}

// run performs a whole benchmark and always tears down what it started.
func run(ctx context.Context, o *options, stderr io.Writer) (*Result, error) {
	b := &bench{o: o, stderr: stderr, rec: newRecorder(), audit: newAuditLog(), taps: map[string]*tap{}}
	defer b.teardown()
	res := newResult(o)
	if err := b.setup(ctx, res); err != nil {
		return nil, err
	}
	if err := b.connectClients(ctx, res); err != nil {
		return nil, err
	}
	if err := b.measure(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

// progress prints one line; the sampler and the failover goroutine both call it.
func (b *bench) progress(format string, a ...any) {
	if b.o.quiet {
		return
	}
	b.outMu.Lock()
	defer b.outMu.Unlock()
	fmt.Fprintf(b.stderr, format+"\n", a...)
}

// dialect is the session dialect of -profile: the profile's, or generic without one.
func (b *bench) dialect() string {
	if p, err := pbxsim.ProfileByName(b.o.profile); err == nil && p.Dialect != "" {
		return p.Dialect
	}
	return "generic"
}

// extensions are the simulated extensions firstExt... as device ranges; a range's ends have
// as many digits as each other (csta.ExpandDevices), so the numbers are cut where they gain
// a digit.
func (b *bench) extensions() string {
	return extensionRanges(firstExt, b.o.devices)
}

func extensionRanges(first, n int) string {
	var parts []string
	for lo, last := first, first+n-1; lo <= last; {
		hi := last
		if next := nextPowerOf10(lo); next <= hi {
			hi = next - 1
		}
		parts = append(parts, fmt.Sprintf("%d-%d", lo, hi))
		lo = hi + 1
	}
	return strings.Join(parts, ",")
}

// nextPowerOf10 is the smallest power of ten above n: the first number with one digit more.
func nextPowerOf10(n int) int {
	p := 1
	for p <= n {
		p *= 10
	}
	return p
}

// prepareLogDir makes the folder of the run's logs: -log-dir, or a new temporary one.
func (b *bench) prepareLogDir() error {
	b.logDir = b.o.logDir
	if b.logDir == "" {
		d, err := os.MkdirTemp("", "ctibench-")
		if err != nil {
			return err
		}
		b.logDir = d
		return nil
	}
	return os.MkdirAll(b.logDir, 0o755)
}

// startSimulator starts the stamping simulator with its two nodes, each behind a tap.
func (b *bench) startSimulator(ctx context.Context, dialect string) error {
	sim, err := pbxsim.New(pbxsim.Config{Extensions: []string{b.extensions()}, Profile: b.o.profile,
		Dialect: dialect, StampEvents: true, EventQueue: b.o.simQueue})
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	b.sim = sim
	for _, name := range []string{"primary", "standby"} {
		n, err := sim.StartNode(ctx, name, "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("simulator node %s: %w", name, err)
		}
		t, err := startTap(ctx, n.Addr(), b.rec)
		if err != nil {
			return err
		}
		b.taps[name] = t
	}
	return nil
}

func (b *bench) setup(ctx context.Context, res *Result) error {
	o := b.o
	if err := b.prepareLogDir(); err != nil {
		return err
	}
	res.LogDir = b.logDir
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	b.token = hex.EncodeToString(tok)
	sum := sha256.Sum256([]byte(b.token))

	redisAddr := o.redisAddr
	if o.store == "redis" && redisAddr == "" {
		r, err := startRedis(ctx, b.logDir)
		if err != nil {
			return err
		}
		b.redis, redisAddr = r, r.addr
		b.progress("redis-server on %s", redisAddr)
	}

	// The profile shapes the simulator's CSTA; its dialect is the session both sides speak.
	// Application-session dialects (osv, avaya) need no credentials: pbxsim accepts any when
	// Config.User is empty, and the instances send none.
	dialect := b.dialect()
	res.Config.Dialect = dialect
	if err := b.startSimulator(ctx, dialect); err != nil {
		return err
	}

	icfg := func(id, pbx string, devices []string) instanceConfig {
		prof := ""
		if o.cpuProf != "" {
			prof = o.cpuProf + "." + id
		}
		return instanceConfig{CPUProfile: prof, InstanceID: id, Store: o.store, RedisAddr: redisAddr,
			PBX: pbx, Dialect: dialect, Primary: b.taps["primary"].addr(), Standby: b.taps["standby"].addr(),
			Devices: devices, Heartbeat: o.heartbeat, Misses: o.misses,
			LeaseTTL: o.leaseTTL, SendQueue: o.sendQueue, Window: o.window, LogLen: o.logLen, TokenSHA256: hex.EncodeToString(sum[:]),
			LogLevel: o.bridgeLog, GOGC: o.bridgeGOGC, GOMAXPROCS: o.bridgeProcs, Linger: o.linger, Queue: o.bridgeQueue}
	}
	// A calibration instance with two devices gives the fixed cost of an instance, so that the
	// per-device figure is the slope, not fixed cost spread over the devices.
	cal, err := startInstance(ctx, icfg("calibration", "cal", []string{fmt.Sprintf("%d-%d", firstExt, firstExt+1)}), b.logDir)
	if err != nil {
		return err
	}
	err = b.waitReady(ctx, cal, 2, true)
	if err == nil {
		var s instanceStats
		if s, err = cal.stats(ctx, true); err == nil {
			b.calHeap = s.HeapAlloc
		}
	}
	cal.stop()
	if err != nil {
		return fmt.Errorf("calibration instance: %w", err)
	}
	for i := range o.instances {
		inst, err := startInstance(ctx, icfg("bench-"+strconv.Itoa(i+1), pbxName, []string{b.extensions()}), b.logDir)
		if err != nil {
			return err
		}
		b.insts = append(b.insts, inst)
		if i == 0 {
			// The first instance takes the lease, so the owner is known before others start.
			if err := b.waitReady(ctx, inst, o.devices, true); err != nil {
				return err
			}
		}
	}
	for _, inst := range b.insts[1:] {
		if err := b.waitReady(ctx, inst, o.devices, false); err != nil {
			return err
		}
	}
	b.progress("%d instance(s) ready, %d devices in service", len(b.insts), o.devices)
	return nil
}

// waitReady waits until the instance shows its lines in service (and owns the PBX if asked).
func (b *bench) waitReady(ctx context.Context, inst *instance, devices int, owner bool) error {
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second+time.Duration(devices)*5*time.Millisecond)
	defer cancel()
	err := waitFor(wctx, "instance "+inst.cfg.InstanceID+" ready", func() bool {
		if !inst.alive() {
			return true
		}
		s, err := inst.statsQuery(wctx, url.Values{"lines": {"1"}})
		return err == nil && s.InService == devices && (!owner || s.Owned)
	})
	if err == nil && !inst.alive() {
		err = fmt.Errorf("instance %s exited; see %s", inst.cfg.InstanceID, inst.logf)
	}
	return err
}

// lineAssignment gives client i its lines: one line each when there are at least as many
// clients as devices (lines then have several clients), else every clients-th line.
func (b *bench) lineAssignment(i int) []string {
	line := func(d int) string { return pbxName + "/" + strconv.Itoa(firstExt+d) }
	n, d := b.o.clients, b.o.devices
	if n >= d {
		return []string{line(i % d)}
	}
	var ls []string
	for j := i; j < d; j += n {
		ls = append(ls, line(j))
	}
	return ls
}

func (b *bench) urls() []string {
	var us []string
	for _, in := range b.insts {
		us = append(us, in.wsURL())
	}
	return us
}

// connectClients connects the auditor, then the clients in batches, and measures the memory
// they cost the instances.
func (b *bench) connectClients(ctx context.Context, res *Result) error {
	before := make([]instanceStats, len(b.insts))
	rssBefore := make([]uint64, len(b.insts))
	for i, in := range b.insts {
		s, err := in.stats(ctx, true)
		if err != nil {
			return err
		}
		before[i] = s
		rssBefore[i], _ = in.rss()
	}
	b.clientCtx, b.stopClient = context.WithCancel(context.WithoutCancel(ctx))
	dialer := &websocket.Dialer{ReadBufferSize: 4096, WriteBufferSize: 1024, HandshakeTimeout: 10 * time.Second}
	urls := b.urls()
	b.auditor = newBenchClient(0, urls, b.token, pbxName, nil, b.rec, dialer)
	b.auditor.audit = b.audit
	b.auditor.mirror = newCallMirror()
	b.startClient(b.auditor)
	if err := b.waitSynced(ctx, []*benchClient{b.auditor}); err != nil {
		return err
	}
	cpu0, t0 := b.cpuSnapshot(), time.Now()
	if b.o.clientProcs > 0 {
		if err := b.connectClientProcs(ctx, urls); err != nil {
			return err
		}
	} else if err := b.connectLocalClients(ctx, urls, dialer); err != nil {
		return err
	}
	res.Connect = b.connectStats(cpu0, b.cpuSnapshot(), time.Since(t0))
	b.progress("%d clients connected in %.1f s (bridge CPU %.2f ms per client)", b.o.clients,
		res.Connect.Seconds, res.Connect.BridgeCPUMsPerClient)
	return b.clientMemory(ctx, res, before, rssBefore)
}

// connectLocalClients connects the clients in the bench's own process, in batches.
func (b *bench) connectLocalClients(ctx context.Context, urls []string, dialer *websocket.Dialer) error {
	const batch = 250
	for i := 0; i < b.o.clients; i += batch {
		var group []*benchClient
		for j := i; j < min(i+batch, b.o.clients); j++ {
			c := newBenchClient(j+1, urls, b.token, pbxName, b.lineAssignment(j), b.rec, dialer)
			c.welcomeLines = b.o.welcomeLines
			if j >= b.o.clients-b.o.slowClients {
				c.isSlow = true
				c.slow.Store(int64(b.o.slowDelay))
			}
			b.clients = append(b.clients, c)
			group = append(group, c)
			b.startClient(c)
		}
		if err := b.waitSynced(ctx, group); err != nil {
			return err
		}
	}
	return nil
}

// clientMemory measures what the connected clients cost the instances.
func (b *bench) clientMemory(ctx context.Context, res *Result, before []instanceStats, rssBefore []uint64) error {
	res.Memory.Instances = make([]InstanceMemory, len(b.insts))
	var grow, rssGrow int64
	for i, in := range b.insts {
		s, err := in.stats(ctx, true)
		if err != nil {
			return err
		}
		rss, _ := in.rss()
		res.Memory.Instances[i] = InstanceMemory{ID: in.cfg.InstanceID, HeapStart: s.HeapBase,
			HeapReady: before[i].HeapAlloc, HeapWithClients: s.HeapAlloc, RSS: rss, RSSReady: rssBefore[i]}
		grow += int64(s.HeapAlloc) - int64(before[i].HeapAlloc)
		rssGrow += int64(rss) - int64(rssBefore[i])
		if before[i].Owned {
			perDev := int64(before[i].HeapAlloc) - int64(b.calHeap)
			res.Memory.PerDeviceBytes = float64(perDev) / float64(b.o.devices-2)
		}
	}
	if b.o.clients > 0 {
		res.Memory.PerClientBytes = float64(grow) / float64(b.o.clients)
		res.Memory.PerClientRSSBytes = float64(rssGrow) / float64(b.o.clients)
	}
	return nil
}

func (b *bench) startClient(c *benchClient) {
	b.clientWG.Add(1)
	go func() {
		defer b.clientWG.Done()
		c.run(b.clientCtx)
	}()
}

func (b *bench) waitSynced(ctx context.Context, cs []*benchClient) error {
	return waitClientsSynced(ctx, cs, b.syncLimit())
}

// teardown stops clients, instances, taps, simulator and Redis, in that order.
func (b *bench) teardown() {
	if b.stopClient != nil {
		b.stopClient()
		b.clientWG.Wait()
	}
	var wg sync.WaitGroup
	for _, in := range b.insts {
		wg.Add(1)
		go func() { defer wg.Done(); in.stop() }()
	}
	wg.Wait()
	for _, t := range b.taps {
		t.close()
	}
	if b.sim != nil {
		_ = b.sim.Close()
	}
	if b.redis != nil {
		b.redis.stop()
	}
}

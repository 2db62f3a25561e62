package e2e

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// clusterOpts shape one scenario's deployment.
type clusterOpts struct {
	sentinel   bool   // Redis as master, replica and three Sentinels instead of standalone
	extensions int    // lines on the PBX (from 200)
	perClient  int    // lines per client; one more client watches every line
	slowBuffer int    // event buffer of the every-line client (small makes it a slow consumer)
	preferred  string // the PBX's preferred_instance, if any
	profile    string // pbxsim vendor profile (default: the -profile flag, else generic shapes)

	degradeAfter time.Duration // store.degrade_after, if set
	readTimeout  time.Duration // web.read_timeout, if set
}

// cluster is one running deployment: Redis, the simulator, CSTA proxies in front of its
// nodes, three bridge instances, relays in front of them, and clients on every line.
type cluster struct {
	t    testing.TB
	ctx  context.Context
	opts clusterOpts

	redis    *redistest.Server
	sentinel *redistest.Sentinel
	sim      *simProc
	reqs     *requestLog
	proxies  map[string]*cstaProxy // by node name
	config   string
	bridges  []*bridgeProc
	relays   []*tcpRelay
	rec      *recorder
	gen      *callGen
	clients  []*observer
	watcher  *observer // the every-line client
	exts     []string

	pidMu sync.Mutex
	pids  map[int]string // bridge process -> instance ID
}

func newCluster(t *testing.T, ctx context.Context, opts clusterOpts) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end failover scenario; skipped with -short")
	}
	if opts.extensions == 0 {
		opts.extensions = 24
	}
	if opts.perClient == 0 {
		opts.perClient = 3
	}
	if opts.slowBuffer == 0 {
		opts.slowBuffer = 256
	}
	c := &cluster{t: t, ctx: ctx, opts: opts, reqs: &requestLog{}, proxies: map[string]*cstaProxy{}, pids: map[int]string{}}
	for i := range opts.extensions {
		c.exts = append(c.exts, strconv.Itoa(200+i))
	}
	devices := fmt.Sprintf("%s-%s", c.exts[0], c.exts[len(c.exts)-1])

	var addrs []string
	ropts := redisstore.Options{}
	master := ""
	if opts.sentinel {
		c.sentinel = redistest.StartSentinel(t)
		addrs, master = c.sentinel.Addrs(), redistest.MasterName
		ropts.MasterName = master
	} else {
		c.redis = redistest.Start(t)
		addrs = []string{c.redis.Addr}
	}
	ropts.Addrs = addrs

	if opts.profile == "" {
		opts.profile = *profile
	}
	dialect := "generic"
	if opts.profile != "" {
		prof, err := pbxsim.ProfileByName(opts.profile)
		if err != nil {
			t.Fatal(err)
		}
		dialect = prof.Dialect
	}
	c.opts = opts
	c.sim = startSim(t, ctx, dialect, opts.profile, devices)
	who := func(remote, local *net.TCPAddr) string {
		c.pidMu.Lock()
		defer c.pidMu.Unlock()
		return socketOwner(remote, local, c.pids)
	}
	c.proxies["primary"] = startProxy(t, "primary", c.sim.primary, c.reqs, who)
	c.proxies["standby"] = startProxy(t, "standby", c.sim.standby, c.reqs, who)
	c.config = bridgeConfig(t, c.proxies["primary"].addr(), c.proxies["standby"].addr(), addrs, master, devices, opts.preferred, dialect, opts)

	for i := range 3 {
		c.bridges = append(c.bridges, c.startBridge(fmt.Sprintf("bridge-%c", 'a'+i)))
	}
	for _, b := range c.bridges {
		if err := b.ready(ctx); err != nil {
			t.Fatal(err)
		}
		c.relays = append(c.relays, startRelay(t, b.url[len("http://"):]))
	}
	c.rec = startRecorder(t, ctx, ropts)
	c.gen = newCallGen(c.sim, c.exts, 40*time.Millisecond)

	// Clients on every line, spread over the instances: client i starts at instance i mod 3
	// and fails over to the next.
	for i := 0; i*opts.perClient < len(c.exts); i++ {
		lines := []string{}
		for _, e := range c.exts[i*opts.perClient : min((i+1)*opts.perClient, len(c.exts))] {
			lines = append(lines, pbxName+"/"+e)
		}
		c.clients = append(c.clients, startObserver(t, ctx, fmt.Sprintf("client-%d", i), c.urls(i), lines, 64))
	}
	var all []string
	for _, e := range c.exts {
		all = append(all, pbxName+"/"+e)
	}
	c.watcher = startObserver(t, ctx, "watcher", c.urls(len(c.clients)), all, opts.slowBuffer)
	c.clients = append(c.clients, c.watcher)
	c.waitOwned()
	return c
}

// startBridge starts instance id with the cluster's configuration, its CSTA connections
// attributed to it.
func (c *cluster) startBridge(id string) *bridgeProc {
	return startBridge(c.t, c.ctx, c.config, id, func(pid int) {
		c.pidMu.Lock()
		c.pids[pid] = id
		c.pidMu.Unlock()
	})
}

// urls returns the relay URLs rotated to start at instance i mod 3.
func (c *cluster) urls(i int) []string {
	var out []string
	for k := range c.relays {
		out = append(out, c.relays[(i+k)%len(c.relays)].url())
	}
	return out
}

// waitOwned waits until some instance holds the lease and the link is carrying events.
func (c *cluster) waitOwned() {
	c.t.Helper()
	err := poll(c.ctx, 30*time.Second, func() error {
		if c.owner() == nil {
			return fmt.Errorf("no instance owns PBX %s", pbxName)
		}
		return nil
	})
	if err != nil {
		c.t.Fatal(err)
	}
}

// owner returns the bridge holding the lease according to the latest sample, or nil.
func (c *cluster) owner() *bridgeProc {
	_, _, leases, _ := c.rec.snapshot()
	for i := len(leases) - 1; i >= 0; i-- {
		if leases[i].OK {
			for _, b := range c.bridges {
				if b.id == leases[i].Owner {
					return b
				}
			}
			return nil
		}
	}
	return nil
}

// others returns the bridges other than b.
func (c *cluster) others(b *bridgeProc) []*bridgeProc {
	var out []*bridgeProc
	for _, x := range c.bridges {
		if x != b {
			out = append(out, x)
		}
	}
	return out
}

// truth reads the simulator's ground truth.
func (c *cluster) truth() (pbxsim.Truth, error) { return c.sim.truth(c.ctx) }

// poll calls f until it returns nil, ctx ends or d passes; it returns f's last error.
func poll(ctx context.Context, d time.Duration, f func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

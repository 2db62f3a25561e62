package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// Failover is what one injected fault cost. Bridge-side times come from the events' own
// times (the bridge stamps them when it acts; same host clock); client-side ones from when the
// auditor client received them.
type Failover struct {
	Kind   string  `json:"kind"`
	AtS    float64 `json:"at_s"` // seconds into the measured window
	Target string  `json:"target"`
	// Node faults: failure -> BRIDGE_SWITCHOVER (detection) and -> BRIDGE_RESYNC completed.
	DetectionMs      float64 `json:"detection_ms"`
	ResyncCompleteMs float64 `json:"resync_complete_ms"`
	ClientSawMs      float64 `json:"client_saw_resync_ms"`
	// The engine's own account of the switchover (cti.SwitchoverInfo).
	EngineDetectionMs float64 `json:"engine_detection_ms"`
	EngineResyncMs    float64 `json:"engine_resync_ms"`
	// CPU the owning instance (and Redis) used from the fault to the resync completed, and the
	// bridge's share per monitored device: wall time alone depends on what else the host runs.
	BridgeCPUMs        float64 `json:"bridge_cpu_ms"`
	RedisCPUMs         float64 `json:"redis_cpu_ms"`
	BridgeCPUPerDevice float64 `json:"bridge_cpu_per_device_us"`
	// The bench process's own CPU over the same span: the simulator answering the requests
	// (and the clients), which shares the host with the bridge.
	BenchCPUMs float64 `json:"bench_cpu_ms"`
	// Instance kill: kill -> another instance holds the lease; -> its resync completed
	// (takeover); -> every client synced again.
	NewOwner       string  `json:"new_owner"`
	LeaseTakenMs   float64 `json:"lease_taken_ms"`
	TakeoverMs     float64 `json:"takeover_ms"`
	ClientsBackMs  float64 `json:"clients_back_ms"`
	MaxReconnectMs float64 `json:"max_client_reconnect_ms"`
	Error          string  `json:"error"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// inject applies the configured fault and measures the recovery. It runs once, half way
// through the measured window; latencies recorded until a second after recovery count as
// failover latencies.
func (b *bench) inject(ctx context.Context, start time.Time) Failover {
	f := Failover{Kind: b.o.failover}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	owner, ostats, err := b.owner(fctx)
	if err != nil {
		f.Error = err.Error()
		return f
	}
	b.rec.inFault.Store(true)
	defer func() {
		_ = sleep(ctx, time.Second)
		b.rec.inFault.Store(false)
	}()
	stopProfile := b.startFailoverProfile(fctx, owner)
	defer stopProfile()
	cpu0, redis0 := b.ownerCPU(owner)
	bench0 := cputime.Process()
	t0 := time.Now()
	f.AtS = t0.Sub(start).Seconds()
	switch b.o.failover {
	case failNodeKill, failNodeFreeze:
		active := ""
		if len(ostats.Links) > 0 {
			active = ostats.Links[0].Active
		}
		node := b.sim.Node(active)
		if node == nil {
			f.Error = fmt.Sprintf("no active node (active %q)", active)
			return f
		}
		f.Target = active
		if b.o.failover == failNodeKill {
			node.Kill()
		} else {
			node.Freeze(true)
		}
		sw, err := b.audit.waitBridge(fctx, t0, func(e *tapi.Event) bool { return e.Type == tapi.BridgeSwitchover })
		if err != nil {
			f.Error = "no BRIDGE_SWITCHOVER: " + err.Error()
			return f
		}
		f.DetectionMs = ms(sw.ev.Time.Sub(t0))
		rs, err := b.audit.waitBridge(fctx, t0, resyncCompleted)
		if err != nil {
			f.Error = "no BRIDGE_RESYNC completed: " + err.Error()
			return f
		}
		f.ResyncCompleteMs, f.ClientSawMs = ms(rs.ev.Time.Sub(t0)), ms(rs.recv.Sub(t0))
		cpu1, redis1 := b.ownerCPU(owner)
		bench1 := cputime.Process()
		stopProfile()
		f.BridgeCPUMs, f.RedisCPUMs, f.BenchCPUMs = ms(cpu1-cpu0), ms(redis1-redis0), ms(bench1-bench0)
		f.BridgeCPUPerDevice = f.BridgeCPUMs * 1000 / float64(b.o.devices)
		if s, err := owner.stats(fctx, false); err == nil && len(s.Links) > 0 && s.Links[0].LastSwitchover != nil {
			f.EngineDetectionMs = ms(s.Links[0].LastSwitchover.Detection)
			f.EngineResyncMs = ms(s.Links[0].LastSwitchover.ResyncTook)
		}
	case failInstanceKill:
		f.Target = owner.cfg.InstanceID
		owner.kill()
		var newOwner *instance
		err := waitFor(fctx, "a new lease owner", func() bool {
			for _, in := range b.insts {
				if in == owner || !in.alive() {
					continue
				}
				if s, err := in.stats(fctx, false); err == nil && s.Owned {
					newOwner = in
					return true
				}
			}
			return false
		})
		if err != nil {
			f.Error = err.Error()
			return f
		}
		f.LeaseTakenMs, f.NewOwner = ms(time.Since(t0)), newOwner.cfg.InstanceID
		rs, err := b.audit.waitBridge(fctx, t0, resyncCompleted)
		if err != nil {
			f.Error = "no BRIDGE_RESYNC completed after takeover: " + err.Error()
			return f
		}
		f.TakeoverMs, f.ClientSawMs = ms(rs.ev.Time.Sub(t0)), ms(rs.recv.Sub(t0))
		want := int64(b.o.clients + 1)
		if err := waitFor(fctx, "clients to reconnect", func() bool { return b.rec.connected.Load() >= want }); err != nil {
			f.Error = err.Error()
		}
		f.ClientsBackMs = ms(time.Since(t0))
		f.MaxReconnectMs = ms(time.Duration(b.rec.maxReconn.Load()))
	}
	b.progress("failover %s of %s: %s", f.Kind, f.Target, f.describe())
	return f
}

// ownerCPU reads the CPU time used so far by the owning instance and by Redis (0 without).
func (b *bench) ownerCPU(owner *instance) (bridge, redis time.Duration) {
	bridge, _ = owner.cpuTime()
	if b.redis != nil {
		redis, _ = procCPU(b.redis.pid())
	}
	return bridge, redis
}

// startFailoverProfile starts a CPU profile of the owner for -failover-cpuprofile, and one of
// the bench process itself (the simulator and the clients) to that path plus ".bench"; the
// returned stop writes them (once, whichever caller comes first).
func (b *bench) startFailoverProfile(ctx context.Context, owner *instance) (stop func()) {
	if b.o.failProf == "" {
		return func() {}
	}
	if err := owner.profile(ctx, "start", b.o.failProf); err != nil {
		b.progress("failover profile: %v", err)
		return func() {}
	}
	stopSelf, err := startCPUProfile(b.o.failProf + ".bench")
	if err != nil {
		b.progress("failover profile of the bench: %v", err)
		stopSelf = func() {}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			stopSelf()
			if err := owner.profile(context.WithoutCancel(ctx), "stop", ""); err != nil {
				b.progress("failover profile: %v", err)
			}
		})
	}
}

func resyncCompleted(e *tapi.Event) bool {
	return e.Type == tapi.BridgeResync && e.Resync != nil && e.Resync.Phase == "completed"
}

func (f Failover) describe() string {
	if f.Error != "" {
		return "error: " + f.Error
	}
	if f.Kind == failInstanceKill {
		return fmt.Sprintf("lease taken after %.0f ms, takeover complete after %.0f ms, all clients back after %.0f ms",
			f.LeaseTakenMs, f.TakeoverMs, f.ClientsBackMs)
	}
	return fmt.Sprintf("detected after %.0f ms, resync complete after %.0f ms, bridge CPU %.0f ms (%.1f us per device)",
		f.DetectionMs, f.ResyncCompleteMs, f.BridgeCPUMs, f.BridgeCPUPerDevice)
}

// owner finds the instance holding the PBX's lease.
func (b *bench) owner(ctx context.Context) (*instance, instanceStats, error) {
	for _, in := range b.insts {
		if !in.alive() {
			continue
		}
		s, err := in.stats(ctx, false)
		if err != nil {
			return nil, s, err
		}
		if s.Owned {
			return in, s, nil
		}
	}
	return nil, instanceStats{}, fmt.Errorf("no instance owns PBX %s", pbxName)
}

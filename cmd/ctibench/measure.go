package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// measure runs the traffic: warm-up, the measured window (with the fault half way), drain,
// then the truth check, the lost/duplicate check and the CPU and throughput figures.
func (b *bench) measure(ctx context.Context, res *Result) error {
	o := b.o
	traffic, err := b.sim.StartTraffic(ctx, pbxsim.TrafficConfig{CallsPerSecond: o.rate, Seed: o.seed,
		RingTime: o.ring, TalkTime: o.talk})
	if err != nil {
		return err
	}
	defer traffic.Stop()
	b.progress("traffic at %.0f calls/s; warming up for %v", o.rate, o.warmup)
	if err := sleep(ctx, o.warmup); err != nil {
		return err
	}

	b.profiles(ctx, "start")
	cpu0 := b.cpuSnapshot()
	csta0 := b.tapEvents()
	eng0 := b.engineEvents(ctx)
	ol0 := b.overloadEpisodes(ctx)
	b.rec.rotate()
	b.rec.measuring.Store(true)
	start := time.Now()

	faultDone := make(chan struct{})
	go func() {
		defer close(faultDone)
		if o.failover == failNone {
			return
		}
		t := time.NewTimer(o.duration / 2)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		res.Failover = b.inject(ctx, start)
	}()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	end := start.Add(o.duration)
	lastT, lastCSTA, lastOut := start, csta0, uint64(0)
	for now := time.Now(); now.Before(end); {
		select {
		case <-ctx.Done():
			<-faultDone
			return ctx.Err()
		case now = <-tick.C:
		}
		w := b.rec.rotate()
		cs, out := b.tapEvents(), b.rec.eventsOut.Load()
		dt := now.Sub(lastT).Seconds()
		s := Sample{T: now.Sub(start).Seconds(), CSTAIn: float64(cs-lastCSTA) / dt,
			EventsOut: float64(out-lastOut) / dt, P50: w.b2c.quantile(0.5), P99: w.b2c.quantile(0.99),
			P999: w.b2c.quantile(0.999), SimP99: w.s2b.quantile(0.99), E2EP99: w.e2e.quantile(0.99),
			Connected: b.rec.connected.Load(), SampleCount: w.b2c.n.Load()}
		res.Samples = append(res.Samples, s)
		lastT, lastCSTA, lastOut = now, cs, out
		b.progress("%5.0fs  csta in %7.0f/s  client events out %8.0f/s  bridge->client p50 %6.2f ms  p99 %7.2f ms  sim->bridge p99 %6.2f ms  end to end p99 %7.2f ms  clients %d",
			s.T, s.CSTAIn, s.EventsOut, s.P50, s.P99, s.SimP99, s.E2EP99, s.Connected)
	}
	<-faultDone
	b.rec.measuring.Store(false)
	elapsed := time.Since(start)
	cpu1 := b.cpuSnapshot()
	csta1 := b.tapEvents()
	eng1 := b.engineEvents(ctx)
	b.profiles(ctx, "stop")
	res.Overload = b.overloadResult(ol0, b.overloadEpisodes(ctx))
	// Stopping the generator freezes the switch: its calls stay as they are (ringing,
	// talking, held, half transferred), because every next step of a generated call is the
	// generator's. The truth check below compares the auditor with that still switch, calls in
	// progress included, which checks far more than letting the calls end and comparing idle
	// lines would; and a still switch gives the bridge a definite state to settle to.
	traffic.Stop()

	secs := elapsed.Seconds()
	res.Throughput = Throughput{CSTAEventsIn: csta1 - csta0, CSTAPerSecond: float64(csta1-csta0) / secs,
		EngineCSTAEvents: engineDelta(eng0, eng1), ClientEventsOut: b.rec.eventsOut.Load(),
		ClientPerSecond: float64(b.rec.eventsOut.Load()) / secs, Calls: traffic.Stats().Started,
		MeasuredSeconds: secs}
	res.CPU = b.cpuUse(cpu0, cpu1, elapsed)
	if n := res.Throughput.CSTAPerSecond; n > 0 {
		res.CPU.BridgeUsPerCSTA = res.CPU.BridgeCores / n * 1e6
		res.CPU.RedisUsPerCSTA = res.CPU.RedisCores / n * 1e6
	}
	if n := res.Throughput.ClientPerSecond; n > 0 {
		res.CPU.BridgeUsPerClientEvent = res.CPU.BridgeCores / n * 1e6
	}
	res.Config.LoadEnd = loadAvg()
	res.Latency = Latencies{E2E: b.rec.e2e.summary(), BridgeToClient: b.rec.b2c.summary(), SimToBridge: b.rec.s2b.summary(),
		FaultE2E: b.rec.e2eFault.summary(), FaultBridgeToClient: b.rec.b2cFault.summary(), FaultSimToBridge: b.rec.s2bFault.summary()}

	b.progress("draining")
	drainErr := b.drain(ctx)
	if drainErr != nil {
		res.Errors = append(res.Errors, drainErr.Error())
	}
	b.progress("comparing the auditor's calls with the switch")
	truth := b.checkTruth(ctx)
	b.stopClient()
	b.clientWG.Wait()
	res.Verification = b.audit.verify(b.clients, drainErr == nil)
	var logs []string
	for _, in := range b.insts {
		logs = append(logs, in.logf)
	}
	res.Overload.BridgeShed = shedTally(logs)
	res.Verification.Truth = truth
	res.Errors = append(res.Errors, b.procErrs...)
	for _, c := range append([]*benchClient{b.auditor}, b.clients...) {
		for _, e := range c.errs {
			if len(res.Errors) < 20 {
				res.Errors = append(res.Errors, fmt.Sprintf("client %d: %s", c.id, e))
			}
		}
	}
	return nil
}

// profiles starts or stops the live instances' window profiles when -cpuprofile asks for them;
// a failure is reported, not fatal: the run's figures do not depend on it.
func (b *bench) profiles(ctx context.Context, action string) {
	if b.o.cpuProf == "" {
		return
	}
	for _, in := range b.insts {
		if !in.alive() {
			continue
		}
		if err := in.windowProfile(ctx, action); err != nil {
			b.progress("%v", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// overloadEpisodes sums the overload episodes the live instances report (cti.LinkInfo).
func (b *bench) overloadEpisodes(ctx context.Context) uint64 {
	var n uint64
	for _, in := range b.insts {
		if !in.alive() {
			continue
		}
		if s, err := in.stats(ctx, false); err == nil {
			for _, li := range s.Links {
				n += li.OverloadEpisodes
			}
		}
	}
	return n
}

func (b *bench) overloadResult(ep0, ep1 uint64) Overload {
	return Overload{Episodes: ep1 - min(ep0, ep1), SlowClients: b.o.slowClients, SlowDelayMs: ms(b.o.slowDelay),
		SlowEvents: b.rec.slowEvents.Load(), SlowShed: b.rec.slowShed.Load(), FastShed: b.rec.fastShed.Load()}
}

func (b *bench) tapEvents() uint64 {
	var n uint64
	for _, t := range b.taps {
		n += t.events.Load()
	}
	return n
}

// engineEvents reads the CSTA events each live instance's engine applied.
func (b *bench) engineEvents(ctx context.Context) map[string]uint64 {
	n := map[string]uint64{}
	for _, in := range b.insts {
		if !in.alive() {
			continue
		}
		if s, err := in.stats(ctx, false); err == nil {
			n[in.cfg.InstanceID] = s.CSTAEvents
		}
	}
	return n
}

// engineDelta sums the growth of instances seen both times (a killed one drops out).
func engineDelta(a, z map[string]uint64) uint64 {
	var n uint64
	for id, v := range z {
		if v0, ok := a[id]; ok && v >= v0 {
			n += v - v0
		}
	}
	return n
}

// drain waits until the auditor has the whole log and every client has stopped receiving.
func (b *bench) drain(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var head uint64
	err := waitFor(dctx, "the auditor to reach the log head", func() bool {
		for _, in := range b.insts {
			if !in.alive() {
				continue
			}
			s, err := in.statsQuery(dctx, url.Values{"head": {"1"}})
			if err != nil {
				return false
			}
			head = s.Head.Offset
			return b.audit.lastOffset() >= head
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("%w (auditor at %d, log head %d)", err, b.audit.lastOffset(), head)
	}
	// Slow clients catch up at full speed now, to be checked like the others.
	for _, c := range b.clients {
		c.slow.Store(0)
	}
	b.unslowClientProcs()
	// Clients fed by another instance may trail the auditor a little: wait for silence.
	last := b.rec.eventsSeen.Load()
	for quiet := 0; quiet < 5; {
		if err := sleep(dctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("clients still receiving events after 30s")
		}
		if n := b.rec.eventsSeen.Load(); n == last {
			quiet++
		} else {
			last, quiet = n, 0
		}
	}
	return nil
}

// cpuSnap is CPU time used so far by each process of the run.
type cpuSnap struct {
	at    time.Time
	bench time.Duration
	insts []time.Duration
	redis time.Duration
}

func (b *bench) cpuSnapshot() cpuSnap {
	s := cpuSnap{at: time.Now()}
	s.bench = cputime.Process() + b.clientProcsCPU()
	for _, in := range b.insts {
		d, _ := in.cpuTime() // a killed instance keeps its last reading out: 0
		s.insts = append(s.insts, d)
	}
	if b.redis != nil {
		s.redis, _ = procCPU(b.redis.pid())
	}
	return s
}

func (b *bench) cpuUse(a, z cpuSnap, elapsed time.Duration) CPU {
	cores := func(d time.Duration) float64 { return d.Seconds() / elapsed.Seconds() }
	c := CPU{BenchCores: cores(z.bench - a.bench), RedisCores: cores(z.redis - a.redis)}
	for i, in := range b.insts {
		d := z.insts[i] - a.insts[i]
		if z.insts[i] == 0 {
			d = 0 // killed during the run
		}
		c.Instances = append(c.Instances, InstanceCPU{ID: in.cfg.InstanceID, Cores: cores(max(d, 0))})
		c.BridgeCores += cores(max(d, 0))
	}
	return c
}

package pbxsim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// TrafficConfig drives the traffic generator: calls start at a steady rate with scenarios
// drawn from Mix, over the given extensions. The sequence of choices is fixed by Seed.
type TrafficConfig struct {
	CallsPerSecond float64
	// Extensions the generator uses; default all. A scenario only picks idle extensions that
	// no other generated scenario holds; when none is free the call is skipped.
	Extensions []string
	Mix        Mix
	Seed       uint64
	// RingTime is how long a called party rings before answering; TalkTime how long parties
	// talk before hanging up. Each is varied by up to ±50 %. Defaults 1s and 3s.
	RingTime, TalkTime time.Duration
}

// Mix weights the scenarios; a zero Mix weights all equally.
type Mix struct {
	Internal        int // extension calls extension, answered, hung up
	InboundExternal int // external caller rings in, answered, hangs up
	Outbound        int // extension calls out over the trunk, far end answers
	Hold            int // internal call, held and retrieved
	Transfer        int // inbound call, consultation and transfer to a colleague
	Busy            int // extension calls a busy far end and gets Failed(busy)
	NoAnswer        int // extension calls extension, nobody answers, caller gives up
}

func (m Mix) total() int {
	return m.Internal + m.InboundExternal + m.Outbound + m.Hold + m.Transfer + m.Busy + m.NoAnswer
}

// busyExternal is the far end that is always engaged, for the busy scenario.
const busyExternal = "+4930999999"

// Traffic is a running generator; it stops when its context ends or on Stop.
type Traffic struct {
	p      *PBX
	cfg    TrafficConfig
	rng    *rand.Rand
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	inUse   map[string]bool // guarded by p.mu
	pending actionHeap      // owned by the generator goroutine

	started, completed, skipped, aborted atomic.Uint64
}

// TrafficStats counts generated scenarios.
type TrafficStats struct {
	Started, Completed, Skipped, Aborted uint64
}

// normalize checks a traffic configuration and fills its defaults.
func (cfg *TrafficConfig) normalize() error {
	if cfg.CallsPerSecond <= 0 || cfg.CallsPerSecond > 100000 {
		return fmt.Errorf("traffic: calls per second %v out of range (0, 100000]", cfg.CallsPerSecond)
	}
	m := cfg.Mix
	for _, w := range []int{m.Internal, m.InboundExternal, m.Outbound, m.Hold, m.Transfer, m.Busy, m.NoAnswer} {
		if w < 0 {
			return errors.New("traffic: mix weights must not be negative")
		}
	}
	if m.total() == 0 {
		cfg.Mix = Mix{1, 1, 1, 1, 1, 1, 1}
	}
	if cfg.RingTime <= 0 {
		cfg.RingTime = time.Second
	}
	if cfg.TalkTime <= 0 {
		cfg.TalkTime = 3 * time.Second
	}
	return nil
}

// trafficExtensions checks the generator's extensions, all of the PBX's when none are given.
// It runs under p.mu.
func (p *PBX) trafficExtensions(cfg *TrafficConfig) error {
	if len(cfg.Extensions) == 0 {
		for n, d := range p.devices {
			if d.kind == kindExtension {
				cfg.Extensions = append(cfg.Extensions, n)
			}
		}
		slices.Sort(cfg.Extensions)
	}
	for _, e := range cfg.Extensions {
		if d := p.devices[e]; d == nil || d.kind != kindExtension {
			return fmt.Errorf("traffic: %s is not an extension", e)
		}
	}
	if len(cfg.Extensions) < 2 {
		return errors.New("traffic: need at least two extensions")
	}
	return nil
}

// StartTraffic starts a generator owned by the PBX; it ends with ctx, Stop, or Close.
func (p *PBX) StartTraffic(ctx context.Context, cfg TrafficConfig) (*Traffic, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if err := p.lockOpen(); err != nil {
		return nil, err
	}
	if err := p.trafficExtensions(&cfg); err != nil {
		p.mu.Unlock()
		return nil, err
	}
	p.extDevice(busyExternal).busy = true
	ctx, cancel := context.WithCancel(ctx)
	t := &Traffic{
		p: p, cfg: cfg, cancel: cancel, done: make(chan struct{}),
		rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		inUse: map[string]bool{},
	}
	p.traffic = append(p.traffic, t)
	p.mu.Unlock()
	go t.run(ctx)
	return t, nil
}

// Stop ends the generator and waits for it. Calls in progress stay as they are.
func (t *Traffic) Stop() {
	t.once.Do(t.cancel)
	<-t.done
}

// Stats returns the counters.
func (t *Traffic) Stats() TrafficStats {
	return TrafficStats{Started: t.started.Load(), Completed: t.completed.Load(),
		Skipped: t.skipped.Load(), Aborted: t.aborted.Load()}
}

// action is a scheduled scenario step.
type action struct {
	at   time.Time
	step func() time.Duration // runs under p.mu; returns the delay to the next step, <0 when done
}

type actionHeap []*action

func (h actionHeap) Len() int           { return len(h) }
func (h actionHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h actionHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *actionHeap) Push(x any)        { *h = append(*h, x.(*action)) }
func (h *actionHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	*h = old[:len(old)-1]
	return a
}

func (t *Traffic) run(ctx context.Context) {
	defer close(t.done)
	interval := time.Duration(float64(time.Second) / t.cfg.CallsPerSecond)
	nextCall := time.Now().Add(interval)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		wake := nextCall
		if len(t.pending) > 0 && t.pending[0].at.Before(wake) {
			wake = t.pending[0].at
		}
		timer.Reset(time.Until(wake))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now()
		t.p.mu.Lock()
		if t.p.closed {
			t.p.mu.Unlock()
			return
		}
		t.runDue(now)
		for !nextCall.After(now) {
			t.startScenario(now)
			nextCall = nextCall.Add(interval)
		}
		t.p.mu.Unlock()
	}
}

// runDue runs every scheduled step due at now; p.mu is held.
func (t *Traffic) runDue(now time.Time) {
	for len(t.pending) > 0 && !t.pending[0].at.After(now) {
		a := heap.Pop(&t.pending).(*action)
		if d := a.step(); d >= 0 {
			a.at = now.Add(d)
			heap.Push(&t.pending, a)
		}
	}
}

// vary returns d varied by up to ±50 %.
func (t *Traffic) vary(d time.Duration) time.Duration {
	return d/2 + time.Duration(t.rng.Int64N(int64(d)+1))
}

// pickIdle reserves an idle extension, or returns nil.
func (t *Traffic) pickIdle() *device {
	exts := t.cfg.Extensions
	for range 8 {
		n := exts[t.rng.IntN(len(exts))]
		d := t.p.devices[n]
		if !t.inUse[n] && len(d.conns) == 0 && !d.dnd && !d.busy {
			t.inUse[n] = true
			return d
		}
	}
	return nil
}

func (t *Traffic) release(devs ...*device) {
	for _, d := range devs {
		if d.kind == kindExternal {
			t.p.forgetIdleExternal(d)
		} else {
			delete(t.inUse, d.number)
		}
	}
}

func (t *Traffic) externalNumber() string {
	return fmt.Sprintf("+4930%07d", t.rng.IntN(10000000))
}

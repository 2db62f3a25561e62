package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// callGen plays people at the phones through the simulator's control API: it dials, rings
// in from outside, answers, holds, consults, transfers and hangs up at random, so that many
// lines have calls in every state when a fault hits. It can be stopped, unlike the
// simulator's own generator, so that the final state can be compared with the truth.
// It remembers every call ID the simulator handed out: a client may show no other.
type callGen struct {
	sim  *simProc
	exts []string
	rate time.Duration // pause between actions

	mu      sync.Mutex
	callIDs map[string]bool
	actions map[string]int // accepted actions by name
	errs    []error        // failures other than refusals
	stop    context.CancelFunc
	done    chan struct{}
}

func newCallGen(sim *simProc, exts []string, rate time.Duration) *callGen {
	return &callGen{sim: sim, exts: exts, rate: rate, callIDs: map[string]bool{}, actions: map[string]int{}}
}

// start runs the generator until stopGen.
func (g *callGen) start(ctx context.Context, seed uint64) {
	ctx, g.stop = context.WithCancel(ctx)
	g.done = make(chan struct{})
	go func() {
		defer close(g.done)
		rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
		for ctx.Err() == nil {
			g.step(ctx, rng)
			select {
			case <-ctx.Done():
			case <-time.After(g.rate):
			}
		}
	}()
}

func (g *callGen) stopGen() {
	if g.stop != nil {
		g.stop()
		<-g.done
		g.stop = nil
	}
}

// step performs one random action. Weights favour building calls up over tearing them down
// so that calls pile up in progress.
func (g *callGen) step(ctx context.Context, rng *rand.Rand) {
	ext := g.exts[rng.IntN(len(g.exts))]
	other := g.exts[rng.IntN(len(g.exts))]
	var (
		id     string
		err    error
		action string
	)
	switch r := rng.IntN(100); {
	case r < 22:
		action = "dial"
		id, err = g.sim.action(ctx, ext, "dial", map[string]string{"to": other})
	case r < 34:
		action = "incoming"
		id, err = g.sim.incoming(ctx, fmt.Sprintf("+4930555%04d", rng.IntN(10000)), ext)
	case r < 56:
		action = "answer"
		_, err = g.sim.action(ctx, ext, "answer", nil)
	case r < 64:
		action = "hold"
		if !g.answered(ctx, ext) {
			return
		}
		_, err = g.sim.action(ctx, ext, "hold", nil)
	case r < 70:
		action = "retrieve"
		_, err = g.sim.action(ctx, ext, "retrieve", nil)
	case r < 74:
		action = "consult"
		if !g.answered(ctx, ext) {
			return
		}
		id, err = g.sim.action(ctx, ext, "consult", map[string]string{"to": other})
	case r < 77:
		action = "transfer"
		_, err = g.sim.action(ctx, ext, "transfer", nil)
	case r < 79:
		action = "conference"
		_, err = g.sim.action(ctx, ext, "conference", nil)
	default:
		action = "hangup"
		_, err = g.sim.action(ctx, ext, "hangup", nil)
	}
	if err != nil && (action == "dial" || action == "consult") {
		// A refused dial may still have left a call (dial tone, failed): learn its ID.
		var d struct {
			Connections []struct {
				CallID string `json:"callID"`
			} `json:"connections"`
		}
		if g.sim.get(ctx, "/devices/"+ext, &d) == nil {
			g.mu.Lock()
			for _, cn := range d.Connections {
				g.callIDs[cn.CallID] = true
			}
			g.mu.Unlock()
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if id != "" {
		g.callIDs[id] = true
	}
	var ce *controlError
	switch {
	case err == nil:
		g.actions[action]++
	case errors.As(err, &ce) && ce.Status == 409, ctx.Err() != nil:
		// refused (busy, nothing to answer...) or stopping: what people get too
	default:
		g.errs = append(g.errs, fmt.Errorf("%s %s: %w", action, ext, err))
	}
}

// answered reports whether ext's connected call has been answered by every party. Holding a
// call that still rings out is left out: the reducer's handling of it is not what this suite
// is about (see the report of issue 9).
func (g *callGen) answered(ctx context.Context, ext string) bool {
	tr, err := g.sim.truth(ctx)
	if err != nil {
		return false
	}
	for _, c := range tr.Calls {
		mine, all := false, true
		for _, p := range c.Parties {
			if p.Device == ext && p.State == csta.StateConnected {
				mine = true
			}
			if p.State != csta.StateConnected && p.State != csta.StateHold {
				all = false
			}
		}
		if mine {
			return all
		}
	}
	return false
}

// learn records a call ID the PBX had.
func (g *callGen) learn(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.callIDs[id] = true
}

func (g *callGen) known(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.callIDs[id]
}

func (g *callGen) summary() (calls int, actions map[string]int, errs []error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := map[string]int{}
	for k, v := range g.actions {
		a[k] = v
	}
	return len(g.callIDs), a, append([]error(nil), g.errs...)
}

package cti

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// owned is one term of ownership of a PBX link: from acquiring the lease to losing or
// releasing it. It composes four parts, each owning its fields and goroutines (their types
// say which), all under the term's context (term.ctx): any part that ends ends the term.
//   - term (term.go): the lease, its deadline and the fence; goroutine renewLoop.
//   - link (link.go, supervisor.go, session.go, resync.go, monitors.go, ...): the CSTA
//     session to one node; goroutines supervise (with resyncs and moves) and repairLoop.
//   - pipeline (pipeline.go): the reducer state and the store writes; goroutines
//     runPipeline, watchLog and the namer's.
//   - router (commands.go, command_build.go, routing.go): requests become CSTA services;
//     goroutine serveCommands, plus the callers' own goroutines.
//
// The methods of every part name their receiver o, as they did when they were all owned's:
// they moved without their bodies changing.
type owned struct {
	*term
	ln *link
	pl *pipeline
	rt *router
}

// newOwned wires the parts of a term together; nothing runs yet.
func newOwned(ctx context.Context, cancel context.CancelCauseFunc, p *pbx, lease store.Lease, until time.Time) *owned {
	t := &term{p: p, lease: lease, ctx: ctx, cancel: cancel}
	t.deadline.Store(until.Add(-p.e.cfg.LeaseTTL / 10).UnixNano())
	if lease.NoHistory {
		t.quietUntil = until
	}
	pl := &pipeline{term: t, q: make(chan item, p.cfg.Queue), lost: make(chan struct{}, 1),
		repairs: make(chan repairRequest, repairQueue), scratch: scratch{maxBatch: p.cfg.MaxBatch}}
	ln := &link{term: t, pl: pl, admin: make(chan adminRequest)}
	pl.ln = ln
	pl.names = newNamer(pl)
	t.dropLink = ln.drop
	return &owned{term: t, ln: ln, pl: pl, rt: &router{term: t, ln: ln, pl: pl}}
}

// run competes for the PBX's lease until ctx ends: owner when it gets it, follower meanwhile.
func (p *pbx) run(ctx context.Context) {
	ttl := p.e.cfg.LeaseTTL
	// Followers poll five times per TTL: a lease released on SIGTERM is taken within ~TTL/5.
	poll := ttl / 5
	f := &follower{p: p}
	defer f.stop()
	pref := newPreference(p, poll)
	for ctx.Err() == nil {
		if wait := p.deg.backoffLeft(); wait > 0 {
			// This instance's writes failed in its last term: leave the lease to others for
			// a while instead of taking it back and failing again.
			f.start(ctx)
			backoff.Sleep(ctx, min(wait, poll))
			continue
		}
		if !pref.mayAcquire(ctx) {
			f.start(ctx)
			backoff.Sleep(ctx, poll)
			continue
		}
		actx, cancel := context.WithTimeout(ctx, poll)
		// The store starts the TTL when it grants the lease, after the request left: counting
		// from the send keeps this instance's idea of the lease inside the store's.
		sent := time.Now()
		lease, err := p.e.cfg.Store.AcquireLease(actx, p.cfg.Name, p.e.cfg.InstanceID, ttl)
		cancel()
		if err == nil {
			f.stop()
			p.runOwned(ctx, lease, sent.Add(ttl))
			continue
		}
		var held *store.LeaseHeldError
		switch {
		case errors.As(err, &held):
			p.status.setOwner(held.Owner, false)
			p.deg.othersOwn()
			pref.heldBy(ctx, held.Owner)
		case ctx.Err() == nil:
			p.status.setOwner("", false)
			p.log.WithError(err).Warn("cannot acquire the PBX lease")
		}
		if ctx.Err() == nil {
			f.start(ctx)
		}
		backoff.Sleep(ctx, poll)
	}
}

// follower runs pbx.follow while another instance owns the PBX.
type follower struct {
	p      *pbx
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (f *follower) start(ctx context.Context) {
	if f.cancel != nil {
		return
	}
	fctx, cancel := context.WithCancel(ctx)
	f.cancel = cancel
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.p.follow(fctx)
	}()
}

func (f *follower) stop() {
	if f.cancel != nil {
		f.cancel()
		f.wg.Wait()
		f.cancel = nil
	}
}

// runOwned is one ownership term. It returns when the lease is lost or ctx ends; in the
// latter case the lease is released at once for a fast hand-over.
func (p *pbx) runOwned(ctx context.Context, lease store.Lease, until time.Time) {
	log := p.log.WithField("token", lease.Token)
	octx, cancel := context.WithCancelCause(ctx)
	o := newOwned(octx, cancel, p, lease, until)
	var readers sync.WaitGroup // parts that only read; awaited after the lease is released
	defer func() {
		cancel(nil)
		p.own.Store(nil)
		p.e.metrics.Owner(p.cfg.Name, false)
		// This instance no longer carries the link's traffic; a follower's picture of the
		// nodes comes from the new owner's BRIDGE_LINKSTATUS events.
		for i := range p.nodes {
			p.status.setNode(i, nodeStandby, "")
		}
		cause := context.Cause(octx)
		degraded := errors.Is(cause, errDegraded)
		if (ctx.Err() != nil || errors.Is(cause, errHandedOver) || degraded) && !errors.Is(cause, errFenced) {
			// A degraded owner releases too, so that another instance need not wait for the
			// lease to lapse (Redis at maxmemory still deletes); a frozen store lets it lapse.
			wait := 2 * time.Second
			if degraded {
				wait = p.e.cfg.LeaseTTL / 5
			}
			rctx, rcancel := context.WithTimeout(context.Background(), wait)
			if err := p.e.cfg.Store.ReleaseLease(rctx, lease); err != nil {
				log.WithError(err).Warn("releasing the lease failed; it lapses by itself")
			}
			rcancel()
			p.status.setOwner("", false)
		}
		log.WithField("cause", context.Cause(octx)).Info("ownership term ended")
		readers.Wait()
	}()
	// The parts that write or talk to the PBX are awaited before the lease is released (the
	// deferred function); the others only read, and may take up to a blocking pop's timeout
	// to notice the end, which must not delay a SIGTERM hand-over.
	var writers sync.WaitGroup
	start := func(wg *sync.WaitGroup, fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel(nil) // any part ending ends the term
			fn()
		}()
	}
	// The lease is renewed from the start: loading 100,000 lines on a busy host may take
	// longer than its TTL.
	start(&writers, o.renewLoop)
	if err := o.pl.load(); err != nil {
		log.WithError(err).Error("cannot load the stored state; releasing the lease")
		cancel(nil)
		writers.Wait()
		return
	}
	log.Info("owner of the PBX link")
	p.status.setOwner(p.e.cfg.InstanceID, true)
	p.e.metrics.Owner(p.cfg.Name, true)
	p.own.Store(o)
	for _, fn := range []func(){o.pl.runPipeline, o.ln.supervise, o.ln.repairLoop} {
		start(&writers, fn)
	}
	for _, fn := range []func(){o.rt.serveCommands, o.pl.watchLog, o.pl.names.run} {
		start(&readers, fn)
	}
	writers.Wait()
	o.ln.drop()
}

// follow mirrors the owner's log into the view while another instance owns the PBX.
func (p *pbx) follow(ctx context.Context) {
	for ctx.Err() == nil {
		err := p.followOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		p.log.WithError(err).Debug("following the PBX log restarts")
		backoff.Sleep(ctx, 200*time.Millisecond)
	}
}

// followOnce subscribes, loads the state, then applies entries after the loaded position.
func (p *pbx) followOnce(ctx context.Context) error {
	s := p.e.cfg.Store
	sub, err := s.Subscribe(ctx, p.cfg.Name)
	if err != nil {
		return err
	}
	defer sub.Close()
	snap, err := s.Load(ctx, p.cfg.Name)
	if err != nil {
		return err
	}
	if len(snap.Lines) > 0 {
		p.view.reset(snap.Lines, snap.Calls, snap.Position)
	}
	pos := snap.Position
	for en := range sub.C() {
		if en.Epoch == pos.Epoch && en.Offset <= pos.Offset {
			continue
		}
		fresh := pos.Offset == 0 && en.Offset == 1 // an empty log's epoch may be unset
		if !fresh && (en.Epoch != pos.Epoch || en.Offset != pos.Offset+1) {
			return fmt.Errorf("log moved from %s/%d to %s/%d: reloading", pos.Epoch, pos.Offset, en.Epoch, en.Offset)
		}
		pos = store.Position{Epoch: en.Epoch, Offset: en.Offset}
		p.view.applyEntry(en)
		p.status.follow(en.Event)
	}
	if err := sub.Err(); err != nil {
		return err
	}
	return errors.New("subscription ended")
}

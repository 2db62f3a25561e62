package cti

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctibridge/ctibridge/csta"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// owned is one term of ownership of a PBX link: from acquiring the lease to losing or
// releasing it. Everything it starts ends with ctx.
type owned struct {
	p      *pbx
	lease  store.Lease
	ctx    context.Context
	cancel context.CancelCauseFunc
	q      chan item
	state  *reducer.State // pipeline goroutine only
	conn   atomic.Pointer[linkConn]
	admin  chan adminRequest
	// applied counts the CSTA events applied per extension, so a resync can tell whether a
	// snapshot raced with events of its device.
	applied map[string]*atomic.Uint64
	// deadline is when the lease may lapse (unix nanos): writes and requests stop before it.
	deadline atomic.Int64
	// epoch is the store's log epoch this term last read or wrote (pipeline goroutine only);
	// a write that comes back in another epoch means the store lost writes.
	epoch string
	// lost asks the supervisor to snapshot every device again after the state was restored.
	lost chan struct{}
	// unreachable: no node answered for longer than OutOfServiceGrace and the lines were put
	// out of service (set and cleared by the supervisor); commands then fail at once instead
	// of waiting for the link.
	unreachable atomic.Bool
	// noDirectedPickup: the switch refused DirectedPickupCall as not supported, so pickups
	// go out as DeflectCall for the rest of the term (see pickupFallback).
	noDirectedPickup atomic.Bool
	// quietUntil: no CSTA request before this time. Set when the store had no record of an
	// earlier lease, so a former owner that the store forgot may think it owns the PBX until
	// its lease would have lapsed.
	quietUntil time.Time
	// resnapshotDue: a restore is under way (pipeline goroutine only). The supervisor is
	// asked to snapshot only once the restore's write succeeded: a store that lost writes may
	// have lost this owner's lease too, and the fenced write is what proves it still holds
	// it before any CSTA request goes out.
	resnapshotDue bool
	// repairs carries the reducer's repair requests from the pipeline to repairLoop.
	repairs chan repairRequest
	// wh is the health of this term's store writes (degraded.go).
	wh writeHealth
	// names fills in the names of calls' parties (names.go).
	names *namer
}

func (o *owned) leaseDeadline() time.Time { return time.Unix(0, o.deadline.Load()) }

// errLeaseUncertain refuses a CSTA request the owner may no longer be entitled to send.
var errLeaseUncertain = errors.New("cti: lease may have lapsed; CSTA request not sent")

// mayRequest says whether a CSTA request may go out now: the term runs and the lease cannot
// have lapsed. A process resumed after a long pause (SIGSTOP, a VM freeze) finds its deadline
// passed and stays silent until renewal tells it whether it still owns the PBX.
func (o *owned) mayRequest() error {
	if err := o.ctx.Err(); err != nil {
		return context.Cause(o.ctx)
	}
	now := time.Now()
	if now.After(o.leaseDeadline()) {
		return errLeaseUncertain
	}
	if now.Before(o.quietUntil) {
		return errFormerOwner
	}
	return nil
}

// errFormerOwner refuses a CSTA request while a former owner the store forgot may still talk
// to the PBX.
var errFormerOwner = errors.New("cti: the store had no record of the previous lease; waiting until a former owner's lease has lapsed")

// request sends one CSTA request on lc if the lease still allows it. Every request of an
// owner goes through here, so no two instances ever talk to one PBX at the same time.
func (o *owned) request(ctx context.Context, lc *linkConn, msg csta.Message) (csta.Message, error) {
	if err := o.mayRequest(); err != nil {
		return nil, err
	}
	return lc.conn.Request(ctx, msg)
}

// fence ends the term at once: no further CSTA requests, the link dropped (self-fencing).
func (o *owned) fence(reason string) {
	if o.ctx.Err() == nil {
		o.p.log.WithField("reason", reason).Warn("giving up the PBX link (self-fencing)")
	}
	o.cancel(fmt.Errorf("%w: %s", errFenced, reason))
	if h := o.p.e.cfg.onTermEnd; h != nil {
		h(o.p.cfg.Name, context.Cause(o.ctx))
	}
	if lc := o.conn.Load(); lc != nil {
		lc.close()
	}
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
	o := &owned{p: p, lease: lease, ctx: octx, cancel: cancel, q: make(chan item, p.cfg.Queue),
		admin: make(chan adminRequest), lost: make(chan struct{}, 1), repairs: make(chan repairRequest, repairQueue)}
	o.names = newNamer(o)
	o.deadline.Store(until.Add(-p.e.cfg.LeaseTTL / 10).UnixNano())
	if lease.NoHistory {
		o.quietUntil = until
	}
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
	if err := o.load(); err != nil {
		log.WithError(err).Error("cannot load the stored state; releasing the lease")
		return
	}
	log.Info("owner of the PBX link")
	p.status.setOwner(p.e.cfg.InstanceID, true)
	p.e.metrics.Owner(p.cfg.Name, true)
	p.own.Store(o)
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
	for _, fn := range []func(){o.runPipeline, o.renewLoop, o.supervise, o.repairLoop} {
		start(&writers, fn)
	}
	for _, fn := range []func(){o.serveCommands, o.watchLog, o.names.run} {
		start(&readers, fn)
	}
	writers.Wait()
	if lc := o.conn.Load(); lc != nil {
		lc.close()
	}
}

// load restores the stored state and fits it to the configured devices.
func (o *owned) load() error {
	p := o.p
	ctx, cancel := context.WithTimeout(o.ctx, p.e.cfg.LeaseTTL/2)
	defer cancel()
	snap, err := p.e.cfg.Store.Load(ctx, p.cfg.Name)
	if err != nil {
		return err
	}
	st := reducer.NewState(p.cfg.Name)
	if err := st.Restore(snap.Lines, snap.Calls, snap.NextHandle); err != nil {
		// A damaged state is not worth stopping for: start fresh, never reusing a handle.
		p.log.WithError(err).Error("stored state unusable; starting from the PBX's snapshots")
		st = reducer.NewState(p.cfg.Name)
		next := snap.NextHandle
		for _, c := range snap.Calls {
			next = max(next, handleNum(c.Handle)+1)
		}
		_ = st.Restore(nil, nil, next)
		snap.Calls = nil
	}
	var res reducer.Result
	for _, l := range st.Lines() {
		if !p.extSet[l.Address] {
			res.RemovedCalls = append(res.RemovedCalls, st.RemoveLine(l.Address)...)
		}
	}
	now := time.Now()
	for _, x := range p.exts {
		l, ok := st.Line(x)
		if ok && l.DisplayName == p.cfg.DisplayNames[x] && (l.Queue != nil) == p.groups[x] {
			continue
		}
		if p.groups[x] {
			st.AddGroup(x, p.cfg.DisplayNames[x])
		} else {
			st.AddLine(x, p.cfg.DisplayNames[x])
		}
		res.ChangedLines = append(res.ChangedLines, tapi.LineName(p.cfg.Name, x))
		if !ok {
			// A line the store did not have is not in service until the first resync has
			// monitored it; that resync then tells every client LINEDEVSTATE_INSERVICE (a
			// client that connected meanwhile was told it was out of service).
			res = merge(res, withDetail(st.Apply(x, &csta.OutOfServiceEvent{}, now), "not monitored yet"))
		}
	}
	o.state = st
	o.epoch = snap.Position.Epoch
	o.applied = make(map[string]*atomic.Uint64, len(p.exts))
	for _, x := range p.exts {
		o.applied[x] = new(atomic.Uint64)
	}
	p.view.reset(st.Lines(), st.Calls(""), snap.Position)
	if len(res.ChangedLines) > 0 || len(res.RemovedCalls) > 0 || len(res.Events) > 0 {
		// Persist the fitted lines first, before anything else of this term.
		o.q <- item{job: func(*reducer.State, time.Time) reducer.Result { return res }}
	}
	return nil
}

// renewLoop keeps the lease; when it cannot, the term ends before the lease lapses.
func (o *owned) renewLoop() {
	ttl := o.p.e.cfg.LeaseTTL
	// Renew five times per TTL with short deadlines, so one slow round trip still leaves
	// several chances before the lease lapses (TTL 1.5 s: every 300 ms).
	t := time.NewTicker(ttl / 5)
	defer t.Stop()
	lease := o.lease
	for {
		select {
		case <-o.ctx.Done():
			return
		case <-t.C:
		}
		sent := time.Now()
		ctx, cancel := context.WithTimeout(o.ctx, ttl/5)
		type renewed struct {
			l   store.Lease
			err error
		}
		res := make(chan renewed, 1)
		go func() { // ends when the store answers or gives up; res is buffered
			nl, err := o.p.e.cfg.Store.RenewLease(ctx, lease, ttl)
			res <- renewed{nl, err}
		}()
		// A store client may not give up by ctx's deadline (go-redis keeps to its own read
		// timeout, 5s, when Redis is frozen): the lease's deadline is watched here, so the
		// term fences itself when the lease may lapse, not when the client gives up.
		// A process resumed after a pause past its deadline still gets one round trip: a
		// renewal that succeeds proves nobody took the lease meanwhile.
		wait := time.Until(o.leaseDeadline())
		if wait <= 0 {
			wait = ttl / 5
		}
		lapse := time.NewTimer(wait)
		var r renewed
		select {
		case r = <-res:
		case <-lapse.C:
			r = renewed{err: errors.New("the store did not answer before the lease could lapse")}
		case <-o.ctx.Done():
		}
		lapse.Stop()
		cancel()
		nl, err := r.l, r.err
		if o.ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			lease = nl
			o.deadline.Store(sent.Add(ttl - ttl/10).UnixNano())
		case errors.Is(err, store.ErrLeaseLost), errors.Is(err, store.ErrFenced):
			o.fence("lease lost: " + err.Error())
			return
		case o.ctx.Err() != nil:
			return
		case time.Now().After(o.leaseDeadline()):
			o.fence("lease not renewed in time: " + err.Error())
			return
		default:
			o.p.log.WithError(err).Warn("lease renewal failed; retrying")
		}
	}
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

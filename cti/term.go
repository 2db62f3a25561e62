package cti

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// term is the lease part of an ownership term: the lease, how long it surely holds, and the
// term's context, which every other part runs under and which any part may end (fence,
// degrade, handover). Ownership of its fields:
//   - p, lease, ctx, cancel, quietUntil, dropLink: set by newOwned before any goroutine
//     starts, read-only afterwards (lease is the acquired one: renewLoop keeps the renewed
//     one in a local, and the fencing token does not change with a renewal).
//   - deadline: written by the renewLoop goroutine, read by every part (atomic); renewed
//     tells waiters (the command router's awaitLink) that it moved.
type term struct {
	p      *pbx
	lease  store.Lease
	ctx    context.Context
	cancel context.CancelCauseFunc
	// deadline is when the lease may lapse (unix nanos): writes and requests stop before it.
	deadline atomic.Int64
	renewed  broadcast
	// quietUntil: no CSTA request before this time. Set when the store had no record of an
	// earlier lease, so a former owner that the store forgot may think it owns the PBX until
	// its lease would have lapsed.
	quietUntil time.Time
	// dropLink closes the link's current session (link.drop): a term that ends stops talking
	// to the PBX at once, not when the supervisor notices.
	dropLink func()
}

func (o *term) leaseDeadline() time.Time { return time.Unix(0, o.deadline.Load()) }

// setDeadline records a renewal's deadline and wakes whoever waits for the lease to allow
// requests again.
func (o *term) setDeadline(t time.Time) {
	o.deadline.Store(t.UnixNano())
	o.renewed.notify()
}

// errLeaseUncertain refuses a CSTA request the owner may no longer be entitled to send.
var errLeaseUncertain = errors.New("cti: lease may have lapsed; CSTA request not sent")

// mayRequest says whether a CSTA request may go out now: the term runs and the lease cannot
// have lapsed. A process resumed after a long pause (SIGSTOP, a VM freeze) finds its deadline
// passed and stays silent until renewal tells it whether it still owns the PBX.
func (o *term) mayRequest() error {
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
func (o *term) request(ctx context.Context, lc *linkConn, msg csta.Message) (csta.Message, error) {
	if err := o.mayRequest(); err != nil {
		return nil, err
	}
	return lc.conn.Request(ctx, msg)
}

// requestTimed is request bounded by the PBX's RequestTimeout, timed by the link (no
// context or timer of its own): the resync sends two of these per device.
func (o *term) requestTimed(ctx context.Context, lc *linkConn, msg csta.Message) (csta.Message, error) {
	if err := o.mayRequest(); err != nil {
		return nil, err
	}
	return lc.conn.RequestTimeout(ctx, msg, o.p.cfg.RequestTimeout)
}

// fence ends the term at once: no further CSTA requests, the link dropped (self-fencing).
func (o *term) fence(reason string) {
	if o.ctx.Err() == nil {
		o.p.log.WithField("reason", reason).Warn("giving up the PBX link (self-fencing)")
	}
	o.end(fmt.Errorf("%w: %s", errFenced, reason))
}

// end cancels the term with cause, tells the test hook and drops the link.
func (o *term) end(cause error) {
	o.cancel(cause)
	if h := o.p.e.cfg.onTermEnd; h != nil {
		h(o.p.cfg.Name, context.Cause(o.ctx))
	}
	o.dropLink()
}

// holds says whether this term may act as the owner now: it runs and its lease cannot have
// lapsed. Status reads it, so that LinkInfo and readiness say "not owned" no later than the
// engine stops acting as the owner.
func (o *term) holds() bool {
	return o.ctx.Err() == nil && time.Now().Before(o.leaseDeadline())
}

// bridgeEvent stamps a bridge event (BRIDGE_*) of this PBX.
func (o *term) bridgeEvent(now time.Time, ev tapi.Event) tapi.Event {
	ev.V = tapi.WireVersion
	ev.Time = now
	ev.PBX = o.p.cfg.Name
	return ev
}

// renewLoop keeps the lease; when it cannot, the term ends before the lease lapses.
func (o *term) renewLoop() {
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
		nl, err := o.renewOnce(lease, ttl)
		if o.ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			lease = nl
			o.setDeadline(sent.Add(ttl - ttl/10))
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

// renewOnce is one renewal, answered by the lease's deadline at the latest.
func (o *term) renewOnce(lease store.Lease, ttl time.Duration) (store.Lease, error) {
	ctx, cancel := context.WithTimeout(o.ctx, ttl/5)
	defer cancel()
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
	defer lapse.Stop()
	select {
	case r := <-res:
		return r.l, r.err
	case <-lapse.C:
		return store.Lease{}, errors.New("the store did not answer before the lease could lapse")
	case <-o.ctx.Done():
		return store.Lease{}, context.Cause(o.ctx)
	}
}

package cti

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// A store that keeps refusing or not answering the owner's writes (Redis at maxmemory with
// noeviction, a frozen or overloaded Redis) while its lease renewals still pass is a fault
// with a bound: after Config.DegradeAfter the owner marks the link degraded, refuses
// commands, stops renewing and ends its term, releasing the lease when the store lets it, so
// that a healthy instance can take over. The term's state is in the store up to its last
// successful write; the next owner resynchronises from the PBX as after any takeover. Events
// still queued in the ended term are never written: the resync replaces them with the
// state's difference, which is what clients need, instead of a late burst of history.

// errDegraded ends an ownership term whose store writes kept failing.
var errDegraded = errors.New("cti: store writes failing")

// catchUpLimit bounds the CSTA events that may wait behind a failing store write. When the
// store comes back, everything queued goes out in one batch, and a burst much larger than a
// WebSocket client's send queue (web's send_queue, default 256 messages; about two client
// events per CSTA event) disconnects even a healthy client as a slow consumer (close 4008).
// Beyond this backlog the term ends as degraded at once, and the next owner's resync brings
// clients the resulting state instead of the history.
const catchUpLimit = 128

// writeHealth is what a term knows of its own store writes; commands and status read it.
type writeHealth struct {
	// writing is when the write in flight started (unix nanos), 0 when none is.
	writing atomic.Int64
	// failing is when the current write's first attempt failed (unix nanos), 0 when the last
	// write succeeded.
	failing atomic.Int64
	mu      sync.Mutex
	lastErr string
}

func (w *writeHealth) begin(t time.Time) { w.writing.Store(t.UnixNano()) }

func (w *writeHealth) ok() {
	w.writing.Store(0)
	w.failing.Store(0)
}

func (w *writeHealth) failed(err error) {
	w.mu.Lock()
	w.lastErr = err.Error()
	w.mu.Unlock()
	w.failing.CompareAndSwap(0, time.Now().UnixNano())
}

// trouble describes why the term cannot record state right now, "" when it can: the current
// write failed, or has been in flight for longer than slow.
func (w *writeHealth) trouble(slow time.Duration) string {
	if t := w.failing.Load(); t != 0 {
		w.mu.Lock()
		defer w.mu.Unlock()
		return fmt.Sprintf("writes failing for %v: %s", time.Since(time.Unix(0, t)).Round(time.Millisecond), w.lastErr)
	}
	if t := w.writing.Load(); t != 0 {
		if d := time.Since(time.Unix(0, t)); d > slow {
			return fmt.Sprintf("a write has been unanswered for %v", d.Round(time.Millisecond))
		}
	}
	return ""
}

// storeRefusal is the reply to a command that would change the PBX's state while the bridge
// cannot record what follows.
func storeRefusal(reason string) *commandError {
	return refuse(tapi.LINEERR_RESOURCEUNAVAIL,
		"the bridge cannot record state right now (store: %s); request not sent, try again in a moment", reason)
}

// refuseUnrecorded refuses a command on the owner unless its last store write succeeded
// within the bound (a write in flight for more than a quarter of it counts as failing).
func (o *pipeline) refuseUnrecorded() *commandError {
	if r := o.wh.trouble(o.p.e.cfg.DegradeAfter / 4); r != "" {
		return storeRefusal(r)
	}
	return nil
}

// degrade ends the term because the store cannot record its state. The lease is released
// once the link is closed (runOwned) and this instance leaves the lease to others for a
// while (degradation.backoff).
func (o *term) degrade(err error) {
	if o.ctx.Err() == nil {
		o.p.deg.set(err.Error(), o.p.e.cfg.LeaseTTL)
		o.p.log.WithError(err).Error("store cannot record this PBX's state: link degraded; " +
			"giving the link up so that a healthy instance can take over")
	}
	o.cancel(err)
	if h := o.p.e.cfg.onTermEnd; h != nil {
		h(o.p.cfg.Name, err)
	}
	o.dropLink()
}

// degradation is a PBX's degraded state on this instance.
type degradation struct {
	mu     sync.Mutex
	why    string
	since  time.Time
	streak int       // consecutive degraded terms, for the backoff
	until  time.Time // no lease acquisition before
}

// maxDegradeBackoff caps the pause, in lease TTLs, before a degraded instance competes for
// the lease again.
const maxDegradeBackoff = 8

func (d *degradation) set(why string, ttl time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.why == "" {
		d.since = time.Now()
	}
	d.why = why
	d.streak++
	d.until = time.Now().Add(ttl * time.Duration(min(1<<(d.streak-1), maxDegradeBackoff)))
}

// healthy: a write succeeded; the backoff starts over.
func (d *degradation) healthy() {
	d.mu.Lock()
	d.why, d.streak, d.until = "", 0, time.Time{}
	d.mu.Unlock()
}

// othersOwn: another instance holds the lease, so the link is served; the reason is
// cleared but the backoff is kept (this instance's own writes may still fail).
func (d *degradation) othersOwn() {
	d.mu.Lock()
	d.why = ""
	d.mu.Unlock()
}

func (d *degradation) reason() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.why
}

func (d *degradation) state() (string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.why, d.since
}

// backoffLeft is how long this instance still leaves the lease to others.
func (d *degradation) backoffLeft() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return time.Until(d.until)
}

// info is LinkInfo from the same truth the engine acts on: owned only while the current term
// holds its lease, degraded with the reason while this instance gave the link up.
func (p *pbx) info() LinkInfo {
	li := p.status.info(p.cfg.Name, p.cfg)
	o := p.own.Load()
	li.OwnedHere = o != nil && o.holds()
	if !li.OwnedHere && li.Owner == p.e.cfg.InstanceID {
		li.Owner = "" // this instance's term ended or its lease may have lapsed: unknown
	}
	p.load.fill(&li)
	if why, since := p.deg.state(); why != "" {
		li.Degraded = why
		li.DegradedSince = &since
	} else if o != nil && li.OwnedHere {
		if r := o.pl.wh.trouble(p.e.cfg.DegradeAfter / 4); r != "" {
			li.StoreTrouble = r
		}
	}
	return li
}

// notReady says why this instance cannot serve a PBX right now, nil when it can.
func (p *pbx) notReady() error {
	li := p.info()
	switch {
	case li.Degraded != "":
		return fmt.Errorf("cti: PBX %s: link degraded: %s", p.cfg.Name, li.Degraded)
	case li.Owner == "":
		return fmt.Errorf("cti: PBX %s: no instance owns the link now", p.cfg.Name)
	case li.OwnedHere && li.Unmonitored > 0 && li.Unmonitored == len(p.exts):
		msg := fmt.Sprintf("cti: PBX %s: none of its %d devices could be monitored: %s", p.cfg.Name,
			li.Unmonitored, li.UnmonitoredReason)
		if li.UnmonitoredHint != "" {
			msg += " (" + li.UnmonitoredHint + ")"
		}
		return errors.New(msg)
	}
	return nil
}

// ping runs the store's Ping, answering by ctx's deadline even when the store's client
// does not (a frozen Redis).
func (e *Engine) ping(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- e.cfg.Store.Ping(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

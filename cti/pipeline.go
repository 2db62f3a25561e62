package cti

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// pipeline is the event part of an ownership term: CSTA events and jobs applied to the
// reducer state in order, in batches, each batch written with one fenced store.Apply and then
// put in the view. Ownership of its fields:
//   - state, epoch, resnapshotDue: the runPipeline goroutine only (jobs run on it too).
//   - q: sent to by any part (offerEvent, enqueueEvent, post, submit), received by runPipeline.
//   - applied: the map is built by load before any goroutine starts (the link's sessions
//     keep it, to find a monitor's counter with its extension); its counters are added to
//     by runPipeline and read by the link's resync (atomic).
//   - lost: sent to by runPipeline (never blocking), received by the link's supervisor.
//   - repairs: sent to by runPipeline (never blocking), received by the link's repairLoop.
//   - wh: written by runPipeline, read by the router and status (atomics and its lock).
//   - names: the namer, its own goroutine (names.run) and locks (names.go).
//
// Its goroutines are runPipeline, watchLog (a new store epoch that a reader started; it only
// waits with a store.FixedEpochs store) and the namer's. It reads the link's current session
// (ln.conn) to drop events of a replaced one.
type pipeline struct {
	*term
	ln    *link
	q     chan item
	state *reducer.State
	// applied counts the CSTA events applied per extension, so a resync can tell whether a
	// snapshot raced with events of its device.
	applied map[string]*extSlot
	// writes counts the term's store writes: each is named by the lease and its count
	// (writeID), so that one sent again after a lost reply is not applied twice.
	writes uint64
	// epoch is the store's log epoch this term last read or wrote; a write that comes back
	// in another epoch means the store lost writes.
	epoch string
	// lost asks the supervisor to snapshot every device again after the state was restored.
	lost chan struct{}
	// resnapshotDue: a restore is under way. The supervisor is asked to snapshot only once
	// the restore's write succeeded: a store that lost writes may have lost this owner's
	// lease too, and the fenced write is what proves it still holds it before any CSTA
	// request goes out.
	resnapshotDue bool
	// repairs carries the reducer's repair requests from the pipeline to repairLoop.
	repairs chan repairRequest
	// wh is the health of this term's store writes (degraded.go).
	wh writeHealth
	// names fills in the names of calls' parties (names.go).
	names *namer
	// scratch holds a batch's slices and maps for the next batch (runPipeline only).
	scratch scratch
	// lingerTimer times the linger before a small batch (runPipeline only; made on first use).
	lingerTimer *time.Timer
	// idleTimer times the idle queue before the scratch's large arrays go (idleAfter;
	// runPipeline only; made on first use).
	idleTimer *time.Timer
}

// extSlot is a monitored extension's part of the pipeline: the count of its applied CSTA
// events (atomic: resyncs read it) and, for the pipeline goroutine only, where the reducer
// keeps its line (one lookup by extension less per event).
type extSlot struct {
	atomic.Uint64
	line reducer.LineRef
}

// scratch is what one batch allocates, kept for the next: nothing holds a batch once it is
// written and in the view (the stores and the view keep copies of their own).
type scratch struct {
	a            accum
	changed      batchMap[tapi.CallHandle, bool]
	changedLines batchMap[string, bool]
	lines        []tapi.Line
	calls        []tapi.Call
	journal      journalScratch
	// maxBatch is the PBX's MaxBatch: the arrays a full batch needs are kept while the
	// pipeline is busy (keepScratch).
	maxBatch int
	// warmSink keeps what warm read (reducer.State.Warm), so that the reads are not left out.
	warmSink uint
}

// maxScratchEvents is the events array always kept between batches; a larger one is kept
// while the pipeline is busy (keepScratch).
const maxScratchEvents = 2048

// keepScratch says whether an array of capacity c is kept for the next batch: when small,
// and, while the pipeline is busy (its queue not empty), up to limit, what a full batch asks
// for. A PBX that is behind reduces full batches one after the other, and making their
// arrays anew each time (megabytes a batch) was a sixth of the bridge's allocations at
// saturation; idle drops them once the queue has stayed empty for idleScratchAfter.
func keepScratch(c, small, limit int) bool {
	return c <= max(small, scratchCap(limit))
}

// idle gives up the arrays larger than a small batch needs: the queue stayed empty, so the
// batches are small for now (a resync's or a burst's arrays go too).
func (s *scratch) idle() {
	if cap(s.a.events) > maxScratchEvents {
		s.a.events = nil
	}
	s.journal.idle()
}

// large says whether the scratch holds arrays larger than a small batch needs (which idle
// gives up).
func (s *scratch) large() bool {
	return cap(s.a.events) > maxScratchEvents || s.journal.large()
}

// idleScratchAfter is how long the queue stays empty before the pipeline gives up its large
// arrays (scratch.idle). At saturation the queue runs empty for a moment now and then, between
// the full batches of a PBX that is behind; giving the arrays up each time made them anew
// (megabytes a time, 160 MB of 2.4 GB allocated in a 15 s run at saturation).
const idleScratchAfter = time.Second

// idleAfter returns a channel that fires once the queue has been empty for idleScratchAfter,
// when the scratch holds large arrays; nil (never) otherwise.
func (o *pipeline) idleAfter() <-chan time.Time {
	if len(o.q) > 0 || !o.scratch.large() {
		return nil
	}
	if o.idleTimer == nil {
		o.idleTimer = time.NewTimer(idleScratchAfter)
	} else {
		o.idleTimer.Reset(idleScratchAfter)
	}
	return o.idleTimer.C
}

// scratchCap is the capacity to make for n elements: the next power of two, so that batches
// growing a little at a time make their arrays anew a few times only.
func scratchCap(n int) int {
	return 1 << bits.Len(uint(max(n, 1)-1))
}

// accum returns an empty accum for about n events, with the last batch's slices and maps.
func (s *scratch) accum(n int) accum {
	a := s.a
	a.changed, a.lines = s.changed.empty(), s.changedLines.empty()
	if cap(a.events) < n {
		a.events = make([]tapi.Event, 0, scratchCap(n))
	}
	a.events, a.order, a.removed, a.lineOrd = a.events[:0], a.order[:0], a.removed[:0], a.lineOrd[:0]
	return a
}

// keep takes a written batch's slices back for the next, without what they point to.
func (s *scratch) keep(a *accum, b *store.Batch) {
	clear(a.events)
	clear(b.Lines)
	clear(b.Calls)
	s.a = *a
	if !keepScratch(cap(a.events), maxScratchEvents, 2*s.maxBatch) {
		s.a.events = nil
	}
	s.lines, s.calls = b.Lines[:0], b.Calls[:0]
	s.journal.maxCalls = s.maxBatch
	s.journal.keepRecords(b.Journal)
}

// keepBatch takes a batch back once it is written and in the view: its arrays for the next
// batch, and its events' values for the reducer to write over (the stores and the view keep
// copies of their own).
func (o *pipeline) keepBatch(a *accum, b *store.Batch) {
	o.scratch.keep(a, b)
	o.state.Recycle()
}

// job is a state change other than a CSTA event (resync, link status, line service state).
// It runs on the pipeline goroutine, in order with the events around it.
type job func(st *reducer.State, now time.Time) reducer.Result

// item is one entry of a PBX's pipeline queue: a CSTA event from a link, or a job.
type item struct {
	lc   *linkConn
	ev   csta.Event
	at   time.Time
	job  job
	done chan error // jobs submitted with wait: told once the result is persisted
	// restore marks the job that rewrites the state after a loss: its own write must not
	// trigger another.
	restore bool
}

// errFenced ends an ownership term: the store refused a write or the lease could not be kept.
var errFenced = errors.New("cti: this instance no longer holds the PBX's lease")

// enqueueEvent hands a CSTA event of lc to the pipeline. It runs on the session's dispatch
// goroutine; when the queue is full it waits, the session's own event queue fills up, and
// the session closes with an overflow, after which the link is resynchronised.
func (o *pipeline) enqueueEvent(lc *linkConn, ev csta.Event) {
	select {
	case o.q <- item{lc: lc, ev: ev, at: time.Now()}:
	case <-lc.closed:
	case <-o.ctx.Done():
	}
}

// offerEvent hands a CSTA event of lc to the pipeline when its queue has room, without
// waiting: it runs on the session's reader (csta.Config.OfferEvent), which must never block.
// With the queue full it refuses, and the session's dispatcher waits with the event
// (enqueueEvent), as before.
func (o *pipeline) offerEvent(lc *linkConn, ev csta.Event) bool {
	select {
	case o.q <- item{lc: lc, ev: ev, at: time.Now()}:
		return true
	default:
		return false
	}
}

// post queues a job without waiting for it.
func (o *pipeline) post(ctx context.Context, j job) error {
	select {
	case o.q <- item{job: j}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-o.ctx.Done():
		return context.Cause(o.ctx)
	}
}

// submit queues a job and waits until its result is in the store.
func (o *pipeline) submit(ctx context.Context, j job) error {
	done := make(chan error, 1)
	select {
	case o.q <- item{job: j, done: done}:
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-o.ctx.Done():
		return context.Cause(o.ctx)
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-o.ctx.Done():
		return context.Cause(o.ctx)
	}
}

// runPipeline applies the queue in order, in batches: everything waiting (up to MaxBatch) is
// reduced, then written with one fenced store.Apply. It returns when the term ends.
func (o *pipeline) runPipeline() {
	max := o.p.cfg.MaxBatch
	batch := make([]item, 0, max)
	defer o.p.load.end()
	for {
		batch = batch[:0]
		select {
		case it := <-o.q:
			batch = append(batch, it)
		case <-o.idleAfter():
			o.scratch.idle()
			continue
		case <-o.ctx.Done():
			return
		}
	drain:
		for len(batch) < max {
			select {
			case it := <-o.q:
				batch = append(batch, it)
			default:
				break drain
			}
		}
		if linger := o.p.cfg.Linger; linger > 0 && len(batch) < max { // off: no clock read
			if d := lingerFor(batch, time.Now(), linger); d > 0 {
				batch = o.linger(batch, max, d)
			}
		}
		o.p.load.observe(o.p.log, batchWait(batch, time.Now()), len(o.q), cap(o.q))
		err := o.applyItems(batch)
		for _, it := range batch {
			if it.done != nil {
				it.done <- err
			}
		}
		if err != nil {
			if errors.Is(err, errDegraded) {
				o.degrade(err)
			} else {
				o.fence(err.Error())
			}
			return
		}
	}
}

// withSwitchTime gives every event of r the switch's send time of the CSTA event it came
// from, when the switch stamped it (tapi.Event.SwitchTime).
func withSwitchTime(r reducer.Result, at time.Time) {
	if at.IsZero() {
		return
	}
	for i := range r.Events {
		r.Events[i].SwitchTime = at
	}
}

// writeRetry paces the retries of a store write: the pipeline is alone in retrying it.
var writeRetry = backoff.Policy{Min: 20 * time.Millisecond, Max: time.Second, Jitter: backoff.None}

// accum gathers the results of one batch.
type accum struct {
	changed map[tapi.CallHandle]bool
	order   []tapi.CallHandle
	removed []tapi.CallHandle
	lines   map[string]bool
	lineOrd []string
	events  []tapi.Event
}

// addAfter is add for a result whose events the reducer may have written in place, in a's
// array right after its events (when they fit).
func (a *accum) addAfter(r reducer.Result) {
	n := len(a.events)
	if k := len(r.Events); k > 0 && k <= cap(a.events)-n && &a.events[n : n+1][0] == &r.Events[0] {
		a.events = a.events[:n+k]
		r.Events = nil
	}
	a.add(r)
}

func (a *accum) add(r reducer.Result) {
	a.events = append(a.events, r.Events...)
	for _, h := range r.ChangedCalls {
		if !a.changed[h] {
			a.changed[h] = true
			a.order = append(a.order, h)
		}
	}
	for _, h := range r.RemovedCalls {
		a.changed[h] = false
		a.removed = append(a.removed, h)
	}
	for _, l := range r.ChangedLines {
		if !a.lines[l] {
			a.lines[l] = true
			a.lineOrd = append(a.lineOrd, l)
		}
	}
}

// applyItems reduces one batch and writes it, in store writes of about MaxBatch events: the
// items whose results fill one write go together, the rest to the next write. A job's result
// is never split (a resync gives its lines in jobs of resyncChunk lines). Bounded writes keep
// the store's lock (memory) or script (Redis) short and its subscribers' buffers from
// overflowing. An error means the term must end.
func (o *pipeline) applyItems(items []item) error {
	for len(items) > 0 {
		n, err := o.applyPart(items)
		if err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// applyPart reduces the first items of a batch, up to about MaxBatch events, and writes them;
// n is how many items it took.
func (o *pipeline) applyPart(items []item) (n int, err error) {
	start := time.Now()
	a, n, nCSTA, restoring := o.reduceItems(items, o.p.cfg.MaxBatch)
	o.names.fill(&a)
	if len(a.events) == 0 && len(a.order) == 0 && len(a.removed) == 0 && len(a.lineOrd) == 0 {
		return n, nil
	}
	b := o.batchOf(&a)
	appended, err := o.write(b)
	if err != nil {
		return n, err
	}
	pos := appended.End()
	o.p.view.applyBatch(&b, pos)
	o.keepBatch(&a, &b)
	if o.resnapshotDue {
		// The restore is stored under this term's fence: the lease held, so the devices may
		// be asked for their state.
		o.resnapshotDue = false
		select {
		case o.lost <- struct{}{}:
		default: // a resnapshot is already due
		}
	}
	o.p.e.metrics.Batch(o.p.cfg.Name, nCSTA, len(b.Events), time.Since(start))
	if pos.Epoch != "" && pos.Epoch != o.epoch {
		known := o.epoch
		o.epoch = pos.Epoch
		if known != "" && !restoring {
			// The store started a new epoch under this write: it lost writes of this term
			// and holds older lines and calls than the state. Rewrite them before anything else.
			return n, o.applyItems([]item{{job: o.restoreJob(true), restore: true}})
		}
	}
	return n, nil
}

// reduceItems applies the first items of a batch to the state (jobs, and the CSTA events of
// the current link) until their results hold maxEvents events or more; used is how many items
// it applied, nCSTA counts the CSTA events among them, restoring says they rewrite the state
// after a loss.
func (o *pipeline) reduceItems(items []item, maxEvents int) (a accum, used, nCSTA int, restoring bool) {
	// About two client events per CSTA event: sized once instead of grown copy by copy.
	a = o.scratch.accum(min(2*len(items), 2*maxEvents))
	cur := o.ln.conn.Load()
	var scratch reducer.Result // a.add copies each result out: its slices serve the next event
	var w warmed
	for i, it := range items {
		if i > 0 && len(a.events) >= maxEvents {
			return a, i, nCSTA, restoring
		}
		k := i % warmChunk
		if k == 0 {
			o.warm(&w, items[i:min(i+warmChunk, len(items))], cur)
		}
		restoring = restoring || it.restore
		if it.job != nil {
			a.add(it.job(o.state, time.Now()))
			continue
		}
		if it.lc != cur {
			continue // from a link that has been replaced: the resync covers it
		}
		mon, ok := w.mons[k], w.ok[k]
		if !ok {
			o.p.log.WithField("monitor", it.ev.Common().MonitorCrossRefID).Debug("event for an unknown monitor dropped")
			continue
		}
		nCSTA++
		ext := mon.ext
		// The reducer writes the events into the batch's array after the events so far
		// (addAfter then takes them as they are, without copying each).
		scratch.Events = a.events[len(a.events):]
		var r reducer.Result
		if slot := mon.applied; slot != nil {
			r = o.state.ApplyRef(&scratch, &slot.line, ext, it.ev, it.at)
		} else {
			r = o.state.ApplyInto(&scratch, ext, it.ev, it.at)
		}
		withSwitchTime(r, it.ev.Common().Timestamp)
		o.repairAfter(ext, r, it.ev.MessageName())
		a.addAfter(r)
		if c := mon.applied; c != nil {
			c.Add(1)
		}
	}
	return a, len(items), nCSTA, restoring
}

// batchOf makes the store write of a reduced batch: its events, the lines and calls it
// changed, the calls it ended with their call records.
func (o *pipeline) batchOf(a *accum) store.Batch {
	b := store.Batch{Events: a.events, RemovedCalls: a.removed, NextHandle: o.state.NextHandle(),
		Lines: o.scratch.lines[:0], Calls: o.scratch.calls[:0]}
	prefix := o.p.cfg.Name + "/"
	// The state's own values, not copies: the batch is written and put in the view (which
	// copy what they keep) before the state changes again.
	for _, name := range a.lineOrd {
		if l, ok := o.state.PeekLine(strings.TrimPrefix(name, prefix)); ok {
			b.Lines = append(b.Lines, l)
		}
	}
	for _, h := range a.order {
		if !a.changed[h] {
			continue
		}
		if c := o.state.PeekCall(h); c != nil {
			b.Calls = append(b.Calls, *c)
		}
	}
	if len(a.removed) > 0 {
		b.Journal = o.p.view.journal(journalInput{pbx: o.p.cfg.Name, removed: a.removed, events: a.events,
			ended: time.Now(), scratch: &o.scratch.journal})
	}
	return b
}

// write applies a batch to the store, retrying transient failures while the lease is still
// ours. A fenced write, or a store that stays away until the lease would lapse, ends the term.
// A write that keeps failing or stays unanswered for DegradeAfter (while the lease may still
// renew: Redis at maxmemory refuses writes but not PEXPIRE), or with more than catchUpLimit
// events queued behind it, ends the term as degraded (degraded.go).
func (o *pipeline) write(b store.Batch) (store.Appended, error) {
	start := time.Now()
	bound := start.Add(o.p.e.cfg.DegradeAfter)
	o.wh.begin(start)
	o.writes++
	// Every attempt carries the same ID: an attempt whose reply was lost may have been
	// applied, and the store answers the next one with where its events went instead of a second copy.
	b.ID = writeID(o.lease.Fence(), o.writes)
	for n := 1; ; n++ {
		// An attempt may not outlast the bound: a store that does not answer is as bad as
		// one that refuses.
		attempt := min(o.p.e.cfg.LeaseTTL/3, max(time.Until(bound), 10*time.Millisecond))
		ctx, cancel := context.WithTimeout(o.ctx, attempt)
		appended, err := o.p.e.cfg.Store.Apply(ctx, o.p.cfg.Name, o.lease.Fence(), b)
		cancel()
		switch {
		case err == nil:
			o.wh.ok()
			o.p.deg.healthy()
			return appended, nil
		case errors.Is(err, store.ErrFenced), errors.Is(err, store.ErrLeaseLost):
			return store.Appended{}, fmt.Errorf("%w: store refused the write: %v", errFenced, err)
		case o.ctx.Err() != nil:
			return store.Appended{}, context.Cause(o.ctx)
		case time.Now().After(o.leaseDeadline()):
			return store.Appended{}, fmt.Errorf("%w: store unavailable until the lease lapsed: %v", errFenced, err)
		}
		o.wh.failed(err)
		if !time.Now().Before(bound) {
			return store.Appended{}, fmt.Errorf("%w for %v (store.degrade_after): %v", errDegraded, time.Since(start).Round(time.Millisecond), err)
		}
		if n := len(o.q); n > catchUpLimit {
			return store.Appended{}, fmt.Errorf("%w with %d events waiting behind them: %v", errDegraded, n, err)
		}
		o.p.log.WithError(err).Warn("store write failed; retrying")
		if !backoff.Sleep(o.ctx, min(writeRetry.Wait(n), max(time.Until(bound), time.Millisecond))) {
			return store.Appended{}, context.Cause(o.ctx)
		}
	}
}

// writeID names a term's nth store write: the lease's owner and token are the term's, and
// tokens only grow, so no other write of the PBX has the name.
func writeID(f store.Fence, n uint64) string {
	var buf [80]byte
	b := append(buf[:0], f.Owner...)
	b = append(b, '/')
	b = strconv.AppendUint(b, f.Token, 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, n, 10)
	return string(b)
}

package cti

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// resync brings a freshly connected link into service: every device monitored again, then
// the state rebuilt from SnapshotDevice (hot: reconciled, calls keep their handles; cold:
// every call ended first, then fresh). Lines whose monitor failed go OUTOFSERVICE with the
// reason; the others are INSERVICE.
func (o *link) resync(lc *linkConn, mode ResyncMode, reason string, wasOut bool) error {
	p := o.p
	start := time.Now()
	var events atomic.Int64
	counted := func(j job) job {
		return func(st *reducer.State, now time.Time) reducer.Result {
			r := j(st, now)
			events.Add(int64(len(r.Events)))
			return r
		}
	}
	resyncEvent := func(phase string, extra func(*tapi.Resync, *reducer.State)) job {
		return func(st *reducer.State, now time.Time) reducer.Result {
			r := &tapi.Resync{Mode: string(mode), Phase: phase, Reason: reason, Started: start}
			if extra != nil {
				extra(r, st)
			}
			return reducer.Result{Events: []tapi.Event{o.bridgeEvent(now, tapi.Event{Type: tapi.BridgeResync, Resync: r})}}
		}
	}
	if err := o.pl.post(o.ctx, resyncEvent("started", nil)); err != nil {
		return err
	}
	if mode == ResyncCold {
		detail := "cold resync: " + reason
		if err := o.pl.post(o.ctx, counted(func(st *reducer.State, now time.Time) reducer.Result {
			return st.Reset(detail, now)
		})); err != nil {
			return err
		}
	}
	failed, err := o.startMonitors(lc)
	if err != nil {
		return fmt.Errorf("monitoring devices: %w", err)
	}
	if n := len(failed); n > 0 {
		_, why := p.status.unmonitoredSummary()
		entry := p.log.WithField("devices", n).WithField("reason", why)
		if hint := monitorHint(why, p.cfg.Dialect); hint != "" {
			entry = entry.WithField("hint", hint)
		}
		entry.Warn("some devices could not be monitored; they stay out of service and are asked again")
	}
	order := make([]string, 0, len(p.exts))
	for _, x := range p.exts {
		if failed[x] == "" {
			order = append(order, x)
		}
	}
	if err := o.snapshotLines(lc, order, counted); err != nil {
		return err
	}
	if err := o.resyncAgents(lc, order, counted); err != nil {
		return err
	}
	// The lines' service states, in jobs of resyncChunk lines so that no store write carries
	// 100,000 lines; the last is awaited.
	for i := 0; i < len(p.exts); i += resyncChunk {
		j := counted(serviceJob(p.exts[i:min(i+resyncChunk, len(p.exts))], failed, wasOut))
		send := o.pl.post
		if i+resyncChunk >= len(p.exts) {
			send = o.pl.submit
		}
		if err := send(o.ctx, j); err != nil {
			return err
		}
	}
	took := time.Since(start)
	if err := o.pl.submit(o.ctx, resyncEvent("completed", func(r *tapi.Resync, st *reducer.State) {
		r.DurationMs = took.Milliseconds()
		r.Lines = len(p.exts)
		r.Calls = len(st.Calls(""))
		r.Events = int(events.Load())
	})); err != nil {
		return err
	}
	p.status.resyncTook(took)
	p.e.metrics.Resync(p.cfg.Name, mode, took)
	p.log.WithField("mode", mode).WithField("took", took).WithField("failed_monitors", len(failed)).Info("resync completed")
	return nil
}

// resyncChunk is how many lines one job of a resync (or of loading the state) changes at
// most: about one event each, so that the pipeline's writes stay near MaxBatch events.
const resyncChunk = 1024

// serviceJob puts the lines of exts in service after a resync, or out of service with the
// reason their monitor failed.
func serviceJob(exts []string, failed map[string]string, wasOut bool) job {
	return func(st *reducer.State, now time.Time) reducer.Result {
		res := sizedResult(len(exts))
		for _, x := range exts {
			var r reducer.Result
			if why := failed[x]; why != "" {
				r = withDetail(st.Apply(x, &csta.OutOfServiceEvent{}, now), why)
			} else {
				r = st.Apply(x, &csta.BackInServiceEvent{}, now)
				if wasOut {
					r = withDetail(r, "PBX link restored")
				}
			}
			res = merge(res, r)
		}
		return res
	}
}

// sizedResult is an empty result with room for one event and one changed line per line of
// n: a result gathered line by line over 100,000 lines otherwise regrows its slices dozens of
// times.
func sizedResult(n int) reducer.Result {
	return reducer.Result{Events: make([]tapi.Event, 0, n), ChangedLines: make([]string, 0, n)}
}

// merge appends o to r (results of different lines; no handle appears in both).
func merge(r, o reducer.Result) reducer.Result {
	r.Events = append(r.Events, o.Events...)
	r.ChangedCalls = append(r.ChangedCalls, o.ChangedCalls...)
	r.RemovedCalls = append(r.RemovedCalls, o.RemovedCalls...)
	r.ChangedLines = append(r.ChangedLines, o.ChangedLines...)
	return r
}

// snapshotLines reconciles the lines of exts with SnapshotDevice, lines with calls first
// (their state matters most and is most likely stale). A line whose device kept producing
// events while its snapshots were on the way gets a second round once the others are done.
func (o *link) snapshotLines(lc *linkConn, exts []string, counted func(job) job) error {
	p := o.p
	busy := p.view.linesWithCalls()
	order := append([]string(nil), exts...)
	prefix := p.cfg.Name + "/"
	sort.SliceStable(order, func(i, j int) bool { return busy[prefix+order[i]] && !busy[prefix+order[j]] })
	for round := 1; round <= 2 && len(order) > 0; round++ {
		var mu sync.Mutex
		var unsettled []string
		seen := make([]uint64, len(order)) // each line's event count when its request went out
		err := o.streamDevices(lc, len(order), func(i int) csta.Message {
			seen[i] = o.pl.applied[order[i]].Load()
			return &csta.SnapshotDevice{SnapshotObject: csta.Device(order[i])}
		}, func(i int, m csta.Message, err error) (func(context.Context) error, error) {
			// On the link's reader: an idle line that stays idle (nearly all) ends here.
			ext := order[i]
			if settled, err := o.snapshotSettled(ext, m, err); settled || err != nil {
				return nil, err
			}
			return func(ctx context.Context) error {
				done, err := o.askFreshFrom(ctx, ext, counted, seen[i], func(ctx context.Context) (job, error) {
					return o.snapshotJob(ctx, lc, ext, m.(*csta.SnapshotDeviceResponse))
				}, o.snapshotAsk(lc, ext))
				if err == nil && !done {
					mu.Lock()
					unsettled = append(unsettled, ext)
					mu.Unlock()
				}
				return err
			}, nil
		})
		if err != nil {
			return fmt.Errorf("snapshots: %w", err)
		}
		order = unsettled
	}
	if len(order) > 0 {
		p.log.WithField("lines", order).Warn("devices never quiet during their snapshots; those lines keep the state their events gave them")
	}
	return nil
}

// resnapshot reconciles every monitored line of lc again (hot), after the state was
// restored into a store that had lost writes.
func (o *link) resnapshot(lc *linkConn, reason string) error {
	p := o.p
	start := time.Now()
	var events atomic.Int64
	counted := func(j job) job {
		return func(st *reducer.State, now time.Time) reducer.Result {
			r := j(st, now)
			events.Add(int64(len(r.Events)))
			return r
		}
	}
	phase := func(name string, extra func(*tapi.Resync, *reducer.State)) job {
		return func(st *reducer.State, now time.Time) reducer.Result {
			r := &tapi.Resync{Mode: string(ResyncHot), Phase: name, Reason: reason, Started: start}
			if extra != nil {
				extra(r, st)
			}
			return reducer.Result{Events: []tapi.Event{o.bridgeEvent(now, tapi.Event{Type: tapi.BridgeResync, Resync: r})}}
		}
	}
	if err := o.pl.post(o.ctx, phase("started", nil)); err != nil {
		return err
	}
	if err := o.snapshotLines(lc, lc.monitored(), counted); err != nil {
		return err
	}
	if err := o.resyncAgents(lc, lc.monitored(), counted); err != nil {
		return err
	}
	took := time.Since(start)
	if err := o.pl.submit(o.ctx, phase("completed", func(r *tapi.Resync, st *reducer.State) {
		r.DurationMs = took.Milliseconds()
		r.Lines = len(p.exts)
		r.Calls = len(st.Calls(""))
		r.Events = int(events.Load())
	})); err != nil {
		return err
	}
	p.e.metrics.Resync(p.cfg.Name, ResyncHot, took)
	p.log.WithField("took", took).Info("devices resynchronised after the store lost writes")
	return nil
}

// snapshotTries bounds how often a line is snapshotted again, in one round, because events
// of its device were applied while its snapshot was on the way.
const snapshotTries = 6

// snapshotPause paces the retries of a stale snapshot: 10 ms, then doubling.
var snapshotPause = backoff.Policy{Min: 10 * time.Millisecond, Jitter: backoff.None}

// snapshotLine takes a device's snapshot and reconciles its line. The snapshot and the
// device's events travel separately (response to this request, events through the
// pipeline); if an event of the device was applied between sending the request and the
// reconcile, the snapshot may predate it, so it is taken again after a pause. A snapshot
// that may be stale is never reconciled: matching by state would give a call the ID of one
// that has ended (the call then never ends for clients). done is false when every try was
// stale; the line then keeps what its events made of it. Events applied after the reconcile
// are fine: the reducer ignores what the snapshot already showed.
func (o *link) snapshotLine(ctx context.Context, lc *linkConn, ext string, counted func(job) job) (done bool, err error) {
	return o.askFresh(ctx, ext, counted, o.snapshotAsk(lc, ext))
}

// snapshotAsk asks for ext's snapshot and returns the job that reconciles its line (nil: nothing
// to apply).
func (o *link) snapshotAsk(lc *linkConn, ext string) func(ctx context.Context) (job, error) {
	return func(ctx context.Context) (job, error) {
		m, err := o.requestTimed(ctx, lc, &csta.SnapshotDevice{SnapshotObject: csta.Device(ext)})
		if settled, err := o.snapshotSettled(ext, m, err); settled || err != nil {
			return nil, err
		}
		return o.snapshotJob(ctx, lc, ext, m.(*csta.SnapshotDeviceResponse))
	}
}

// snapshotSettled says whether the answer to ext's SnapshotDevice (m, or the request's error)
// leaves nothing to reconcile: the request failed (the line is left as it was) or the line is
// idle as known. err is returned when the link is gone. Otherwise m is a
// *csta.SnapshotDeviceResponse.
func (o *link) snapshotSettled(ext string, m csta.Message, err error) (settled bool, _ error) {
	p := o.p
	if err != nil {
		if fatal(err) {
			return true, err
		}
		p.log.WithField("line", tapi.LineName(p.cfg.Name, ext)).WithError(err).Warn("SnapshotDevice failed; line left as it was")
		return true, nil
	}
	r, ok := m.(*csta.SnapshotDeviceResponse)
	return !ok || idleAsKnown(p, ext, r), nil
}

// snapshotJob is the job that reconciles line ext with its snapshot r, with the calls the
// line does not know asked about (askCalls).
func (o *link) snapshotJob(ctx context.Context, lc *linkConn, ext string, r *csta.SnapshotDeviceResponse) (job, error) {
	snaps := map[string][]csta.SnapshotDeviceItem{ext: r.Items}
	calls, err := o.askCalls(ctx, lc, ext, r.Items)
	if err != nil {
		return nil, err
	}
	// The answers overtook the events that preceded them on the wire, which may still wait
	// for the session's dispatcher: once those are in the pipeline's queue, the job goes
	// behind them and, if they touch the line, applyUnlessStale sees the snapshot may predate
	// them. Applied after the job, they would be older events on top of the newer state:
	// calls the switch ended would stay (an established after the clear, say).
	if err := lc.conn.Delivered(ctx); err != nil {
		return nil, err
	}
	return func(st *reducer.State, now time.Time) reducer.Result {
		return st.Reconcile(snaps, calls, now)
	}, nil
}

// askFresh asks the switch about line ext (ask) and applies the answer unless an event of the
// line overtook it (applyUnlessStale), asking again after a growing pause, at most
// snapshotTries times. ask returns the change its answer makes, or nil when there is nothing
// to apply. done is false when every answer was overtaken.
func (o *link) askFresh(ctx context.Context, ext string, counted func(job) job,
	ask func(ctx context.Context) (job, error)) (done bool, err error) {
	return o.askFreshFrom(ctx, ext, counted, o.pl.applied[ext].Load(), ask, ask)
}

// askFreshFrom is askFresh whose first answer comes from first, asked when the line's event
// count was seen (the request of a stream, already answered); later tries use ask.
func (o *link) askFreshFrom(ctx context.Context, ext string, counted func(job) job, seen uint64,
	first, ask func(ctx context.Context) (job, error)) (done bool, err error) {
	for try := 1; try <= snapshotTries; try++ {
		if try > 1 {
			backoff.Sleep(ctx, snapshotPause.Wait(try-1))
			seen = o.pl.applied[ext].Load()
			first = ask
		}
		j, err := first(ctx)
		if err != nil || j == nil {
			return err == nil, err
		}
		applied, err := o.pl.applyUnlessStale(ctx, ext, seen, counted, j)
		if err != nil || applied {
			return applied, err
		}
	}
	return false, nil
}

// idleAsKnown says that a snapshot shows no call at a line that has none either, so that
// reconciling it would change nothing: most lines at a switchover, which then cost the
// pipeline nothing. A call the view has not shown yet came from an event of the new link,
// which is newer than the snapshot anyway.
func idleAsKnown(p *pbx, ext string, r *csta.SnapshotDeviceResponse) bool {
	return len(r.Items) == 0 && !p.groups[ext] && !p.view.hasCalls(tapi.LineName(p.cfg.Name, ext))
}

// applyUnlessStale applies what an answer about line ext says, through the pipeline, unless an
// event of the line was applied since the request was sent (seen: the line's count then), in
// which case the answer may predate it and applied is false: the caller asks again.
func (o *pipeline) applyUnlessStale(ctx context.Context, ext string, seen uint64, counted func(job) job,
	apply func(*reducer.State, time.Time) reducer.Result) (applied bool, err error) {
	stale := make(chan bool, 1)
	if err := o.post(ctx, counted(func(st *reducer.State, now time.Time) reducer.Result {
		if o.applied[ext].Load() != seen {
			stale <- true
			return reducer.Result{}
		}
		stale <- false
		return apply(st, now)
	})); err != nil {
		return false, err
	}
	select {
	case again := <-stale:
		return !again, nil
	case <-ctx.Done():
		return false, context.Cause(ctx)
	}
}

// askCalls returns the SnapshotCall response of each call in items that the line's stored
// calls do not know by ID. With them reducer.State.Reconcile tells a call the node numbers
// differently from a new call, and gives a new call its parties. They are asked with every
// snapshot of the line, not once: a snapshot is taken again because events changed the line,
// and those may have changed the calls' parties too. A failed SnapshotCall is recorded as nil:
// that call counts as new.
func (o *link) askCalls(ctx context.Context, lc *linkConn, ext string, items []csta.SnapshotDeviceItem) (map[string][]csta.SnapshotCallItem, error) {
	p := o.p
	known := map[string]bool{}
	for _, c := range p.view.callsOf(tapi.LineName(p.cfg.Name, ext)) {
		known[c.CallID] = true
		for _, id := range c.OtherCallIDs {
			known[id] = true
		}
	}
	calls := map[string][]csta.SnapshotCallItem{}
	for _, it := range items {
		id := it.Connection.CallID
		if _, asked := calls[id]; id == "" || known[id] || asked {
			continue
		}
		m, err := o.requestTimed(ctx, lc, &csta.SnapshotCall{SnapshotObject: it.Connection})
		if err != nil && fatal(err) {
			return nil, err
		}
		r, _ := m.(*csta.SnapshotCallResponse)
		if err != nil || r == nil {
			calls[id] = nil
			continue
		}
		calls[id] = r.Items
	}
	return calls, nil
}

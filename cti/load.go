package cti

import (
	"context"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// loadTimeout bounds loading the stored state at the start of a term.
const loadTimeout = time.Minute

// load restores the stored state and fits it to the configured devices.
func (o *pipeline) load() error {
	p := o.p
	// The lease is renewed meanwhile (runOwned), so loading may outlast its TTL: 100,000 lines
	// from a busy Redis take seconds. A store that stops answering fails the renewal, which
	// ends the term and this load with it.
	ctx, cancel := context.WithTimeout(o.ctx, loadTimeout)
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
	// The fitted lines are persisted in parts of resyncChunk lines (bounded store writes), or
	// larger ones when the queue, which nothing drains yet, could not take that many.
	chunk := max(resyncChunk, 2*len(p.exts)/p.cfg.Queue+1)
	var parts []reducer.Result
	res := sizedResult(min(len(p.exts), chunk))
	if len(snap.Lines) > 0 {
		for _, l := range st.Lines() {
			if !p.extSet[l.Address] {
				res.RemovedCalls = append(res.RemovedCalls, st.RemoveLine(l.Address)...)
			}
		}
	}
	now := time.Now()
	for i, x := range p.exts {
		if i > 0 && i%chunk == 0 {
			parts = append(parts, res)
			res = sizedResult(min(len(p.exts)-i, chunk))
		}
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
	o.applied = make(map[string]*extSlot, len(p.exts))
	for _, x := range p.exts {
		o.applied[x] = new(extSlot)
	}
	p.view.reset(st.Lines(), st.Calls(""), snap.Position)
	for _, r := range append(parts, res) {
		if len(r.ChangedLines) > 0 || len(r.RemovedCalls) > 0 || len(r.Events) > 0 {
			// Persist the fitted lines first, before anything else of this term.
			o.q <- item{job: func(*reducer.State, time.Time) reducer.Result { return r }}
		}
	}
	return nil
}

package cti

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/cti/lookup"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// NameSource finds the name of a number (package lookup's Resolver): number as the PBX
// reports it, alternates its other forms.
type NameSource interface {
	Lookup(ctx context.Context, number string, alternates ...string) (lookup.Contact, bool, error)
}

// NamesConfig configures the names of the parties of calls (LINECALLPARTYID_NAME). The
// configured line names (PBXConfig.DisplayNames) are always asked first, at once.
type NamesConfig struct {
	// Source is asked for numbers the line names do not cover; nil asks nothing more.
	Source NameSource
	// Budget is how long the pipeline waits for Source before it writes the events without
	// the name (default DefaultNameBudget); a name that comes later follows as LINE_CALLINFO.
	Budget time.Duration
	// Workers bounds the lookups in flight per PBX (default DefaultNameWorkers); Queue the
	// lookups waiting for a worker (default DefaultNameQueue). A lookup that finds the queue
	// full is not made (counted as dropped): the event goes out without the name.
	Workers int
	Queue   int
	// Alternates gives the other forms of a PBX's number (lookup.Alternates); nil: none.
	Alternates func(pbx, number string) []string
	// Metrics counts the outcome of every name asked for; nil counts nothing.
	Metrics *lookup.Metrics
}

// namer finds the names of the parties in one ownership term's events.
type namer struct {
	o      *pipeline
	pbx    string
	cfg    NamesConfig
	static *lookup.Static
	reqs   chan *nameReq // to the workers
	// wants and names are one batch's, kept for the next (pipeline goroutine only): a map
	// and a slice per number of every batch were a good part of the pipeline's allocations.
	wants wants
	names batchMap[string, string]
}

// nameReq is one number the pipeline asked a worker for.
type nameReq struct {
	number  string
	handles []tapi.CallHandle // the calls that had the number unnamed
	ready   chan struct{}     // closed when the answer is set

	mu       sync.Mutex
	finished bool
	late     bool // the pipeline stopped waiting: the worker announces the name itself
	contact  lookup.Contact
	found    bool
	err      error
}

func newNamer(o *pipeline) *namer {
	cfg := o.p.e.cfg.Names
	return &namer{o: o, pbx: o.p.cfg.Name, cfg: cfg, static: lookup.NewStatic("config", o.p.cfg.DisplayNames),
		reqs: make(chan *nameReq, cfg.Queue)}
}

// needsName reports whether a party has a number worth looking up and no name.
func needsName(p tapi.PartyID) bool {
	return p.Number != "" && p.Name == "" && p.Flags&tapi.LINECALLPARTYID_BLOCKED == 0
}

// parties calls fn with each party ID of ev that may carry a name, and whether the event
// announces it: every party of a LINE_NEWCALL, the changed ones of a LINE_CALLINFO.
func parties(ev *tapi.Event, fn func(p *tapi.PartyID, announced bool)) {
	var info *tapi.CallInfo
	var changed tapi.CallInfoState
	switch {
	case ev.Type == tapi.LineNewCall && ev.Call != nil:
		info, changed = &ev.Call.Info, ^tapi.CallInfoState(0)
	case ev.Type == tapi.LineCallInfo && ev.CallInfo != nil:
		info, changed = &ev.CallInfo.Info, ev.CallInfo.Changed
	default:
		return
	}
	fn(&info.Caller, changed&tapi.LINECALLINFOSTATE_CALLERID != 0)
	fn(&info.Called, changed&tapi.LINECALLINFOSTATE_CALLEDID != 0)
	fn(&info.Connected, changed&tapi.LINECALLINFOSTATE_CONNECTEDID != 0)
	fn(&info.Redirecting, changed&tapi.LINECALLINFOSTATE_REDIRECTINGID != 0)
	fn(&info.Redirection, changed&tapi.LINECALLINFOSTATE_REDIRECTIONID != 0)
}

// fill names the parties of a batch's events before they are written: configured line names
// at once, other numbers from the source if it answers within the budget. Names that take
// longer are announced by the worker with LINE_CALLINFO once found. Pipeline goroutine only.
func (n *namer) fill(a *accum) {
	if n == nil {
		return // a pipeline built by hand (benchmarks)
	}
	if n.static.Len() == 0 && n.cfg.Source == nil {
		return // no name to find (and nothing to count): the events' parties are not even listed
	}
	w := &n.wants
	w.collect(a.events, n.cfg.Source != nil)
	if len(w.order) == 0 {
		return
	}
	names := n.names.empty()
	var pending []*nameReq
	for i, num := range w.order {
		if name, ok := n.configured(num); ok {
			names[num] = name
			continue
		}
		if n.cfg.Source == nil {
			continue
		}
		r := &nameReq{number: num, handles: slices.Clone(w.handles[i]), ready: make(chan struct{})}
		select {
		case n.reqs <- r:
			pending = append(pending, r)
		default:
			n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeDropped)
		}
	}
	if len(pending) > 0 {
		n.await(pending, names)
	}
	if len(names) > 0 {
		n.apply(a, names)
	}
}

// wants are the numbers a batch's events announce without a name, in order (order), each
// with the calls that have it (handles, by the number's position in order).
type wants struct {
	at      batchMap[string, int] // a number's position in order
	order   []string
	handles [][]tapi.CallHandle
}

// collect lists the numbers of events, with their calls when withCalls (the lookups of a
// name source need them; configured names do not).
func (w *wants) collect(events []tapi.Event, withCalls bool) {
	w.reset()
	at := w.at.empty()
	for i := range events {
		ev := &events[i]
		parties(ev, func(p *tapi.PartyID, announced bool) {
			if !announced || !needsName(*p) {
				return
			}
			k, seen := at[p.Number]
			if !seen {
				k = len(w.order)
				at[p.Number] = k
				w.order = append(w.order, p.Number)
				if !withCalls {
					return
				}
				if k == len(w.handles) {
					w.handles = append(w.handles, nil)
				}
				w.handles[k] = w.handles[k][:0]
			}
			if !withCalls {
				return
			}
			if hs := w.handles[k]; len(hs) == 0 || hs[len(hs)-1] != ev.Handle {
				w.handles[k] = append(hs, ev.Handle)
			}
		})
	}
}

// reset empties the last batch's numbers and calls, keeping the arrays unless a large batch
// grew them.
func (w *wants) reset() {
	for i := range min(len(w.order), len(w.handles)) {
		clear(w.handles[i])
	}
	clear(w.order)
	w.order = w.order[:0]
	if cap(w.order) > maxBatchMapKeys {
		w.order, w.handles = nil, nil
	}
}

// configured answers from the configured line names.
func (n *namer) configured(num string) (string, bool) {
	start := time.Now()
	c, ok, _ := n.static.Lookup(n.o.ctx, num)
	switch {
	case ok:
		n.cfg.Metrics.ObserveSource(n.static.Name(), lookup.ResultFound, time.Since(start))
		n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeInTime)
	case n.cfg.Source != nil:
		n.cfg.Metrics.ObserveSource(n.static.Name(), lookup.ResultNotFound, time.Since(start))
	}
	return c.Name, ok
}

// apply puts the names into every event of the batch that shows one of the numbers unnamed,
// and into its call in the state: the stored call must say what the events said.
func (n *namer) apply(a *accum, names map[string]string) {
	type named struct {
		h   tapi.CallHandle
		num string
	}
	var patched []named
	for i := range a.events {
		ev := &a.events[i]
		parties(ev, func(p *tapi.PartyID, _ bool) {
			if name, ok := names[p.Number]; ok && p.Name == "" {
				p.Name = name
				p.Flags |= tapi.LINECALLPARTYID_NAME
				if k := (named{ev.Handle, p.Number}); len(patched) == 0 || patched[len(patched)-1] != k {
					patched = append(patched, k)
				}
			}
		})
	}
	now := time.Now()
	for _, k := range patched {
		a.add(n.o.state.NameParty(k.h, k.num, names[k.num], false, now))
	}
}

// await waits up to the budget for the pending lookups and puts the names found into names;
// the others are left to their workers, who announce the names later.
func (n *namer) await(pending []*nameReq, names map[string]string) {
	t := time.NewTimer(n.cfg.Budget)
	defer t.Stop()
wait:
	for _, r := range pending {
		select {
		case <-r.ready:
		case <-t.C:
			break wait
		case <-n.o.ctx.Done():
			break wait
		}
	}
	for _, r := range pending {
		r.mu.Lock()
		if !r.finished {
			r.late = true
			r.mu.Unlock()
			continue
		}
		r.mu.Unlock()
		switch {
		case r.found:
			names[r.number] = r.contact.Name
			n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeInTime)
		case r.err != nil:
			n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeFailed)
		default:
			n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeUnknown)
		}
	}
}

// run serves lookups with Workers workers until the term ends.
func (n *namer) run() {
	if n.cfg.Source == nil {
		<-n.o.ctx.Done()
		return
	}
	var wg sync.WaitGroup
	for range n.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case r := <-n.reqs:
					n.serve(r)
				case <-n.o.ctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
}

// serve makes one lookup. When the pipeline stopped waiting for it, a name found goes to the
// calls as a pipeline job: applied to the calls as they are now (a call that ended meanwhile
// is left alone), written, logged and sent to clients in order with everything else.
func (n *namer) serve(r *nameReq) {
	var alts []string
	if n.cfg.Alternates != nil {
		alts = n.cfg.Alternates(n.pbx, r.number)
	}
	c, found, err := n.cfg.Source.Lookup(n.o.ctx, r.number, alts...)
	r.mu.Lock()
	r.contact, r.found, r.err, r.finished = c, found, err, true
	late := r.late
	r.mu.Unlock()
	close(r.ready)
	if !late {
		return
	}
	switch {
	case err != nil:
		if n.o.ctx.Err() == nil {
			n.o.p.log.WithError(err).WithField("number", r.number).Debug("caller lookup failed")
		}
		n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeFailed)
		return
	case !found:
		n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeUnknown)
		return
	}
	n.cfg.Metrics.ObserveName(n.pbx, lookup.OutcomeLate)
	_ = n.o.post(n.o.ctx, func(st *reducer.State, now time.Time) reducer.Result {
		var res reducer.Result
		for _, h := range r.handles {
			res = merge(res, st.NameParty(h, r.number, c.Name, true, now))
		}
		return res
	})
}

package cti

import (
	"time"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// Repairs: when the reducer cannot place an event on a line's calls (a switch without
// callIDs whose event fits several calls, an event that skips a state because one before it
// was lost), the owner asks the PBX for the device's state (SnapshotDevice, and SnapshotCall
// where the switch offers it) and reconciles the line, as a hot resync does for one line.
// Nothing is silently ignored: every repair is counted (LinkInfo.Repairs,
// ctibridge_reducer_repairs_total) and logged.

// RepairInterval is the least time between two repairs of one device: a device whose events
// keep failing to place is snapshotted at this pace, not once per event.
const RepairInterval = 2 * time.Second

// repairQueue bounds the repair requests waiting for the repairer; more are dropped, since a
// full queue means every busy line already has one waiting.
const repairQueue = 256

// repairRequest asks for one line's repair. retries counts the repairs of it that gave up.
type repairRequest struct {
	ext, reason, event string
	retries            int
}

// repairRetries bounds how often a repair that gave up (the device was never quiet during
// its snapshots) is tried again, each after twice the pause of the last, from
// RepairInterval: a line whose events could not be placed may be wrong until then, and a
// busy device is often quiet a few seconds later (about four minutes in all).
const repairRetries = 6

// repairRetryAfter is the pause before retry n (1-based) of a repair that gave up.
func repairRetryAfter(n int) time.Duration {
	return RepairInterval << min(n, repairRetries)
}

// requestRepair queues a repair of ext; it runs on the pipeline goroutine and never blocks.
func (o *pipeline) requestRepair(ext, reason, event string) {
	select {
	case o.repairs <- repairRequest{ext: ext, reason: reason, event: event}:
	default:
	}
}

// repairLoop runs the repairs of one ownership term, as repairSchedule orders them.
func (o *link) repairLoop() {
	sched := newRepairSchedule()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-o.ctx.Done():
			return
		case r := <-o.pl.repairs:
			sched.add(r)
		case <-timer.C:
		}
		for _, r := range sched.take(time.Now()) {
			if !o.repairLine(r) {
				sched.gaveUp(r, time.Now())
			}
			if o.ctx.Err() != nil {
				return
			}
		}
		if next := sched.next(); !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// repairSchedule orders a term's repairs: at most one per device per RepairInterval, the
// requests for a device inside its interval merged into one repair at its end, and a repair
// that gave up tried again later (repairRetryAfter), at most repairRetries times.
type repairSchedule struct {
	due     map[string]time.Time // when each device may be repaired next
	pending map[string]repairRequest
}

func newRepairSchedule() *repairSchedule {
	return &repairSchedule{due: map[string]time.Time{}, pending: map[string]repairRequest{}}
}

// add queues r unless its device already has a repair waiting.
func (s *repairSchedule) add(r repairRequest) {
	if _, waiting := s.pending[r.ext]; !waiting {
		s.pending[r.ext] = r
	}
}

// take returns the repairs due at now and starts each device's interval.
func (s *repairSchedule) take(now time.Time) []repairRequest {
	var out []repairRequest
	for ext, r := range s.pending {
		if now.Before(s.due[ext]) {
			continue
		}
		delete(s.pending, ext)
		s.due[ext] = now.Add(RepairInterval)
		out = append(out, r)
	}
	return out
}

// gaveUp queues r again after its retry's pause, unless it has had all its retries. A
// request that came meanwhile for the device gives way to it (it carries the same work).
func (s *repairSchedule) gaveUp(r repairRequest, now time.Time) {
	if r.retries >= repairRetries {
		return
	}
	r.retries++
	s.pending[r.ext], s.due[r.ext] = r, now.Add(repairRetryAfter(r.retries))
}

// next is when the earliest waiting repair is due (zero: none waits).
func (s *repairSchedule) next() time.Time {
	var next time.Time
	for ext := range s.pending {
		if d := s.due[ext]; next.IsZero() || d.Before(next) {
			next = d
		}
	}
	return next
}

// repairLine snapshots the device and reconciles its line on the current link; false when it
// gave up because the device was never quiet during its snapshots (worth trying again).
func (o *link) repairLine(r repairRequest) (done bool) {
	p := o.p
	lc := o.conn.Load()
	log := p.log.WithField("line", tapi.LineName(p.cfg.Name, r.ext)).WithField("reason", r.reason).
		WithField("event", r.event)
	if lc == nil {
		log.Info("line needs a repair; no link up, the next resync covers it")
		return true
	}
	if r.retries == 0 {
		p.status.repaired(r.reason)
		log.Info("event could not be placed on the line's calls; repairing the line from a snapshot")
	}
	counted := func(j job) job { return j }
	done, err := o.snapshotLine(o.ctx, lc, r.ext, counted)
	switch {
	case err != nil:
		log.WithError(err).Warn("line repair failed")
		return true
	case done:
		return true
	case r.retries < repairRetries:
		log.WithField("retry_in", repairRetryAfter(r.retries+1)).
			Warn("line repair gave up: the device never stayed quiet during its snapshots; trying again later")
	default:
		log.Error("line repair gave up for good: the device never stayed quiet during its snapshots; the line keeps what its events made of it until its next resync")
	}
	return false
}

// repairAfter queues the repair a reducer result asks for.
func (o *pipeline) repairAfter(ext string, r reducer.Result, event string) {
	if r.Repair != "" {
		o.requestRepair(ext, r.Repair, event)
	}
}

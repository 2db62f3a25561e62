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

// repairRequest asks for one line's repair.
type repairRequest struct {
	ext, reason, event string
}

// requestRepair queues a repair of ext; it runs on the pipeline goroutine and never blocks.
func (o *pipeline) requestRepair(ext, reason, event string) {
	select {
	case o.repairs <- repairRequest{ext: ext, reason: reason, event: event}:
	default:
	}
}

// repairLoop runs the repairs of one ownership term, at most one per device per
// RepairInterval; requests for a device inside its interval are merged into one repair at
// its end.
func (o *link) repairLoop() {
	last := map[string]time.Time{}
	pending := map[string]repairRequest{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-o.ctx.Done():
			return
		case r := <-o.pl.repairs:
			if _, waiting := pending[r.ext]; !waiting {
				pending[r.ext] = r
			}
		case <-timer.C:
		}
		now := time.Now()
		var next time.Time
		for ext, r := range pending {
			if due := last[ext].Add(RepairInterval); now.Before(due) {
				if next.IsZero() || due.Before(next) {
					next = due
				}
				continue
			}
			delete(pending, ext)
			last[ext] = now
			o.repairLine(r)
			if o.ctx.Err() != nil {
				return
			}
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// repairLine snapshots the device and reconciles its line on the current link.
func (o *link) repairLine(r repairRequest) {
	p := o.p
	lc := o.conn.Load()
	log := p.log.WithField("line", tapi.LineName(p.cfg.Name, r.ext)).WithField("reason", r.reason).
		WithField("event", r.event)
	if lc == nil {
		log.Info("line needs a repair; no link up, the next resync covers it")
		return
	}
	p.status.repaired(r.reason)
	log.Info("event could not be placed on the line's calls; repairing the line from a snapshot")
	counted := func(j job) job { return j }
	done, err := o.snapshotLine(o.ctx, lc, r.ext, counted)
	switch {
	case err != nil:
		log.WithError(err).Warn("line repair failed")
	case !done:
		log.Warn("line repair gave up: the device never stayed quiet during its snapshots")
	}
}

// repairAfter queues the repair a reducer result asks for.
func (o *pipeline) repairAfter(ext string, r reducer.Result, event string) {
	if r.Repair != "" {
		o.requestRepair(ext, r.Repair, event)
	}
}

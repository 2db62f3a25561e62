package cti

import (
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Overload: CSTA events arrive faster than the pipeline applies them. The pipeline's queue
// then fills and each event waits longer before clients get it; once the queue is full the
// link's session overflows and the link is resynchronised. An overload episode starts when a
// batch's oldest event waited overloadEnter or the queue is half full, and ends when a batch's
// events waited less than overloadLeave with the queue nearly empty. It is reported in
// LinkInfo (Overload, OverloadSince, OverloadEpisodes), hence in /readyz, /api/v1/links and the
// ctibridge_pipeline_overloaded metric, and logged once when it starts and once when it ends.
const (
	overloadEnter = 250 * time.Millisecond
	overloadLeave = 50 * time.Millisecond
)

// overload is a PBX's overload state; the pipeline goroutine observes, readers take info.
type overload struct {
	mu       sync.Mutex
	since    time.Time // zero when not overloaded
	why      string
	worst    time.Duration // the longest wait seen in the current episode
	episodes uint64
}

// observe records one batch: wait is how long its oldest CSTA event waited in the queue (0
// for a batch of jobs only), queued how many items wait behind it, of capacity.
func (ol *overload) observe(log *logrus.Entry, wait time.Duration, queued, capacity int) {
	ol.mu.Lock()
	defer ol.mu.Unlock()
	now := time.Now()
	over := wait >= overloadEnter || queued >= capacity/2
	switch {
	case ol.since.IsZero() && over:
		ol.since, ol.worst = now, wait
		ol.episodes++
		ol.why = fmt.Sprintf("CSTA events arrive faster than the bridge applies them: they wait %s in the pipeline, %d of %d queued",
			wait.Round(time.Millisecond), queued, capacity)
		log.WithField("wait", wait.Round(time.Millisecond)).WithField("queued", queued).
			Warn("overload: " + ol.why)
	case !ol.since.IsZero():
		ol.worst = max(ol.worst, wait)
		if !over && wait < overloadLeave && queued < capacity/8 {
			log.WithField("took", now.Sub(ol.since).Round(time.Millisecond)).
				WithField("worst_wait", ol.worst.Round(time.Millisecond)).Info("overload over")
			ol.since, ol.why = time.Time{}, ""
		}
	}
}

// end closes an episode when the term ends: the next owner's pipeline starts empty.
func (ol *overload) end() {
	ol.mu.Lock()
	ol.since, ol.why = time.Time{}, ""
	ol.mu.Unlock()
}

// fill adds the overload state to li.
func (ol *overload) fill(li *LinkInfo) {
	ol.mu.Lock()
	defer ol.mu.Unlock()
	li.OverloadEpisodes = ol.episodes
	if !ol.since.IsZero() {
		since := ol.since
		li.Overload, li.OverloadSince = ol.why, &since
	}
}

// batchWait is how long the oldest CSTA event of a batch waited for the pipeline.
func batchWait(batch []item, now time.Time) time.Duration {
	for _, it := range batch {
		if it.job == nil && !it.at.IsZero() {
			return now.Sub(it.at)
		}
	}
	return 0
}

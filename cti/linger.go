package cti

import "time"

// The pipeline's linger (PBXConfig.Linger): at low and middle rates each batch holds the one
// or two CSTA events that queued while the previous one was written, and every batch pays the
// same fixed costs whatever it holds: a fenced store write (a Redis round trip), the hub's
// wake-up and a WebSocket write per client. Waiting a little for more events before applying
// a batch spreads those costs over more events, for at most that much latency.

// lingerFor returns how much longer the pipeline waits for more CSTA events before it applies
// batch: until the oldest of them has waited linger. None when linger is off, or the batch
// holds a job (a client's command, a resync), which waits for nothing.
func lingerFor(batch []item, now time.Time, linger time.Duration) time.Duration {
	if linger <= 0 {
		return 0
	}
	var oldest time.Time
	for _, it := range batch {
		if it.job != nil {
			return 0
		}
		if oldest.IsZero() {
			oldest = it.at
		}
	}
	if oldest.IsZero() {
		return 0
	}
	return linger - now.Sub(oldest)
}

// linger adds to batch what reaches the queue within d, up to max items; a job ends the wait
// (it is applied with the batch at once).
func (o *pipeline) linger(batch []item, max int, d time.Duration) []item {
	if o.lingerTimer == nil {
		o.lingerTimer = time.NewTimer(d)
	} else {
		o.lingerTimer.Reset(d)
	}
	defer o.lingerTimer.Stop()
	for len(batch) < max {
		select {
		case it := <-o.q:
			batch = append(batch, it)
			if it.job != nil {
				return batch
			}
		case <-o.lingerTimer.C:
			return batch
		case <-o.ctx.Done():
			return batch
		}
	}
	return batch
}

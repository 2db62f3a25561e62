package cti

// warmChunk is how many of a batch's items the pipeline looks up together before reducing
// them (warm).
const warmChunk = 16

// warmed holds the monitors of a chunk of a batch's items, found before they are reduced.
type warmed struct {
	mons [warmChunk]monitorRef
	ok   [warmChunk]bool
}

// warm finds the monitors of the CSTA events of cur among items (at most warmChunk) under
// one lock, then reads the reducer's line of each. At saturation each event's monitor, its
// counter and its line are cache misses, one after the other when looked up event by event
// (each read needs the one before); looked up for a chunk of events at once, the reads of
// different events overlap. The monitors found are those the events are reduced with, as
// when found one by one (only the link's goroutines change them, never a job).
func (o *pipeline) warm(w *warmed, items []item, cur *linkConn) {
	w.ok = [warmChunk]bool{}
	if cur != nil {
		cur.mu.Lock()
		for k := range items {
			if it := &items[k]; it.job == nil && it.lc == cur {
				w.mons[k], w.ok[k] = cur.xref.get(it.ev.Common().MonitorCrossRefID)
			}
		}
		cur.mu.Unlock()
	}
	var sink uint
	for k := range items {
		if slot := w.mons[k].applied; w.ok[k] && slot != nil {
			sink += o.state.Warm(&slot.line)
		}
	}
	o.scratch.warmSink += sink // kept, so that the reads are not left out
}

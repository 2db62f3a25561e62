package web

import "github.com/ctibridge/ctibridge/store"

// What a feed has been given: the checks and marks of the hub and the replays.

// accept reports whether e is new for the feed and records it as delivered (see inEpoch for an
// entry of another epoch).
func (f *feed) accept(e store.Entry) bool {
	if !f.fresh(e) {
		return false
	}
	f.mark(e)
	return true
}

// fresh is accept without recording e as delivered.
func (f *feed) fresh(e store.Entry) bool {
	if !f.inEpoch(e) {
		return false
	}
	if e.Event.Line == "" {
		return e.Offset > f.bridgeLast
	}
	m, ok := f.lines[e.Event.Line]
	return ok && e.Offset > m.last
}

// freshAt is fresh for the fan-out, which found the feed through the hub's index of e's line
// with its mark m on the line (nil for a line-less entry): it spares the look-up in f.lines,
// one per feed and event.
func (f *feed) freshAt(e *store.Entry, m *lineMark) bool {
	if e.Epoch != f.epoch {
		return f.inEpoch(*e)
	}
	if m == nil {
		return e.Offset > f.bridgeLast
	}
	return e.Offset > m.last
}

// inEpoch reports whether e is of the feed's epoch. An entry of another epoch means the log was
// replaced (a store that lost its data): the offsets no longer compare, so the session ends and
// the client resumes with a resync.
func (f *feed) inEpoch(e store.Entry) bool {
	if e.Epoch != f.epoch {
		f.c.fail(CloseResyncRequired, "resync required: event log epoch_changed")
		return false
	}
	return true
}

// has says whether l is one of the feed's lines.
func (f *feed) has(l string) bool {
	_, ok := f.lines[l]
	return ok
}

// mark records a fresh entry as delivered.
func (f *feed) mark(e store.Entry) {
	if e.Event.Line == "" {
		f.bridgeLast = e.Offset
	} else if m := f.lines[e.Event.Line]; m != nil {
		m.last = e.Offset
	}
}

// markAt is mark for the fan-out, with the feed's mark m on e's line (nil: line-less).
func (f *feed) markAt(e *store.Entry, m *lineMark) {
	if m == nil {
		f.bridgeLast = e.Offset
	} else {
		m.last = e.Offset
	}
}

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
	last, ok := f.lines[e.Event.Line]
	return ok && e.Offset > last
}

// freshListed is fresh for a feed that fanOut found through the hub's index of e's line
// (byLine lists exactly the feeds with that line, under the same lock): it spares the look-up
// in f.lines, one per feed and event.
func (f *feed) freshListed(e store.Entry) bool {
	if !f.inEpoch(e) {
		return false
	}
	if e.Event.Line == "" {
		return e.Offset > f.bridgeLast
	}
	return e.Offset > f.lines[e.Event.Line]
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
	} else {
		f.lines[e.Event.Line] = e.Offset
	}
}

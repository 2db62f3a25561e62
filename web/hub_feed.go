package web

import "github.com/ctibridge/ctibridge/store"

// What a feed has been given: the checks and marks of the hub and the replays.

// newFeed returns c's feed of a PBX, without lines yet (hub.addLines).
func newFeed(c *wsConn) *feed { return &feed{c: c, lines: map[string]lineRef{}} }

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
func (f *feed) fresh(e store.Entry) bool { return f.freshIn(e.Epoch, e.Event.Line, e.Offset) }

// freshIn is fresh for the entry at offset in epoch on line ("": line-less).
func (f *feed) freshIn(epoch, line string, offset uint64) bool {
	if !f.inEpoch(epoch) {
		return false
	}
	if line == "" {
		return offset > f.bridgeLast
	}
	r, ok := f.lines[line]
	return ok && offset > *r.mark()
}

// inEpoch reports whether an entry of epoch is of the feed's epoch. An entry of another epoch
// means the log was replaced (a store that lost its data): the offsets no longer compare, so
// the session ends and the client resumes with a resync.
func (f *feed) inEpoch(epoch string) bool {
	if epoch != f.epoch {
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
func (f *feed) mark(e store.Entry) { f.markIn(e.Event.Line, e.Offset) }

// markIn is mark for the entry at offset on line ("": line-less).
func (f *feed) markIn(line string, offset uint64) {
	if line == "" {
		f.bridgeLast = offset
	} else if r, ok := f.lines[line]; ok {
		*r.mark() = offset
	}
}

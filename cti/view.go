package cti

import (
	"sync"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// view is the read side of one PBX: its lines and calls as clients see them, in a
// tapi.ReadModel (the rules of applying events live there, shared with the SDKs). The owner
// updates it with exactly what it persisted; a follower by applying the events of the store's
// log. Reads never wait for the pipeline or the store. The lock is the view's: the pipeline,
// the follower and readers (commands, REST, resync) run on different goroutines.
type view struct {
	mu  sync.RWMutex
	m   *tapi.ReadModel
	pos store.Position
	// changed wakes those waiting for a call to appear (router.awaitCall) after each change.
	changed broadcast
}

func newView() *view {
	return &view{m: tapi.NewReadModel()}
}

// reset replaces everything.
func (v *view) reset(lines []tapi.Line, calls []tapi.Call, pos store.Position) {
	v.mu.Lock()
	defer v.changed.notify() // after the unlock: a woken reader reads at once
	defer v.mu.Unlock()
	v.m.Reset(tapi.Snapshot{Lines: lines, Calls: calls})
	v.pos = pos
}

// applyBatch records what the owner wrote.
func (v *view) applyBatch(b *store.Batch, pos store.Position) {
	v.mu.Lock()
	defer v.changed.notify() // after the unlock: a woken reader reads at once
	defer v.mu.Unlock()
	for _, l := range b.Lines {
		v.m.PutLine(l)
	}
	for _, h := range b.RemovedCalls {
		v.m.DropCall(h) // (no one wanted the removed calls' copies it used to return)
	}
	for i := range b.Calls {
		v.m.PutCallFrom(&b.Calls[i]) // (a copy of each call less)
	}
	if pos.Offset > 0 {
		v.pos = pos
	}
}

// journal builds a batch's call records (journalEntries) from the calls and lines as last
// persisted, under one read lock and without copying them (the records copy what they keep):
// a copy and a lock per lookup were most of the journal's cost.
func (v *view) journal(in journalInput) []store.JournalEntry {
	v.mu.RLock()
	defer v.mu.RUnlock()
	in.prev = v.m.PeekCallRef
	pbx := in.pbx // not in itself: a func that took in would take it to the heap
	in.line = func(ext string) *tapi.Line { return v.m.PeekLineRef(pbx, ext) }
	return journalEntries(in)
}

// applyEntry follows one log entry (follower).
func (v *view) applyEntry(en store.Entry) {
	v.mu.Lock()
	defer v.changed.notify() // after the unlock: a woken reader reads at once
	defer v.mu.Unlock()
	v.pos = store.Position{Epoch: en.Epoch, Offset: en.Offset}
	v.m.Apply(&en.Event)
}

func (v *view) allLines() []tapi.Line {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.Lines()
}

func (v *view) line(name string) (tapi.Line, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.Line(name)
}

func (v *view) call(h tapi.CallHandle) (tapi.Call, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.Call(h)
}

// hasCalls reports whether a line has calls.
func (v *view) hasCalls(line string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.HasCalls(line)
}

// callsOf returns the calls of a line ("" for all), oldest first.
func (v *view) callsOf(line string) []tapi.Call {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.Calls(line)
}

// linesWithCalls returns the names of lines that have calls.
func (v *view) linesWithCalls() map[string]bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m.LinesWithCalls()
}

// handleNum returns the counter part of a call handle "<pbx>:<n>", 0 if it has none.
func handleNum(h tapi.CallHandle) uint64 { return tapi.HandleNumber(h) }

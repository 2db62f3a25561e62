package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Load returns the PBX's lines (by name) and calls (by handle), its handle counter and log
// position.
func (s *Store) Load(ctx context.Context, pbxName string) (store.Snapshot, error) {
	if err := s.ready(ctx); err != nil {
		return store.Snapshot{}, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return store.Snapshot{}, err
	}
	p.mu.Lock()
	snap := store.Snapshot{
		Lines:      make([]tapi.Line, 0, len(p.lines)),
		Calls:      make([]tapi.Call, 0, len(p.calls)),
		NextHandle: p.nextHandle,
		Position:   store.Position{Epoch: p.epoch, Offset: p.log.last},
	}
	for _, l := range p.lines {
		snap.Lines = append(snap.Lines, cloneLine(l))
	}
	for _, c := range p.calls {
		snap.Calls = append(snap.Calls, cloneCall(c))
	}
	p.mu.Unlock()
	slices.SortFunc(snap.Lines, func(a, b tapi.Line) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(snap.Calls, func(a, b tapi.Call) int { return strings.Compare(string(a.Handle), string(b.Handle)) })
	return snap, nil
}

// Position returns the PBX log's epoch and last offset.
func (s *Store) Position(ctx context.Context, pbxName string) (store.Position, error) {
	if err := s.ready(ctx); err != nil {
		return store.Position{}, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return store.Position{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return store.Position{Epoch: p.epoch, Offset: p.log.last}, nil
}

// Apply writes b if fence holds the PBX's lease, else returns store.ErrFenced and writes
// nothing. Lines and calls are stored before RemovedCalls are deleted.
func (s *Store) Apply(ctx context.Context, pbxName string, fence store.Fence, b store.Batch) ([]store.Entry, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkBatch(pbxName, b); err != nil {
		return nil, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return nil, err
	}
	// Copy outside the lock: the critical section only moves values.
	lines := make([]tapi.Line, len(b.Lines))
	for i, l := range b.Lines {
		lines[i] = cloneLine(l)
	}
	calls := make([]tapi.Call, len(b.Calls))
	for i, c := range b.Calls {
		calls[i] = cloneCall(c)
	}
	kept := make([]tapi.Event, len(b.Events))
	for i, e := range b.Events {
		kept[i] = cloneEvent(e)
	}
	var out []store.Entry
	if len(b.Events) > 0 {
		out = make([]store.Entry, len(b.Events))
		for i, e := range b.Events {
			out[i].Event = cloneEvent(e)
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.lease.holds(fence, s.opts.Now()) {
		return nil, fmt.Errorf("apply to %s by %s (token %d): %w", pbxName, fence.Owner, fence.Token, store.ErrFenced)
	}
	for _, l := range lines {
		p.lines[l.Name] = l
	}
	for _, c := range calls {
		p.calls[c.Handle] = c
	}
	for _, h := range b.RemovedCalls {
		delete(p.calls, h)
	}
	if b.NextHandle != 0 {
		p.nextHandle = b.NextHandle
	}
	for _, j := range b.Journal {
		p.journal(j.Line, s.opts.JournalLen).push(j)
	}
	for i := range kept {
		e := store.Entry{PBX: p.name, Epoch: p.epoch, Offset: p.log.last + 1, Event: kept[i]}
		p.log.push(e)
		out[i].PBX, out[i].Epoch, out[i].Offset = e.PBX, e.Epoch, e.Offset
	}
	if len(out) > 0 {
		p.fanOut(out)
	}
	return out, nil
}

// checkBatch rejects what would store unreachable or misfiled values.
func checkBatch(pbxName string, b store.Batch) error {
	for i, l := range b.Lines {
		if l.Name == "" {
			return fmt.Errorf("memory store: batch line %d has no name", i)
		}
	}
	for i, c := range b.Calls {
		if c.Handle == "" {
			return fmt.Errorf("memory store: batch call %d (line %q) has no handle", i, c.Line)
		}
	}
	for i, j := range b.Journal {
		p, ext, ok := strings.Cut(j.Line, "/")
		if !ok || p != pbxName || ext == "" {
			return fmt.Errorf("memory store: batch journal entry %d is for line %q, want a line %q/<extension>",
				i, j.Line, pbxName)
		}
	}
	return nil
}

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
		NextHandle: p.nextHandle,
		Position:   store.Position{Epoch: p.epoch, Offset: p.log.last},
	}
	for _, l := range p.lines {
		snap.Lines = append(snap.Lines, cloneLine(l))
	}
	recs := make([][]byte, 0, p.calls.count())
	p.calls.each(func(rec []byte) { recs = append(recs, rec) })
	p.mu.Unlock()
	return sortedSnapshot(snap, recs, &s.locs)
}

// sortedSnapshot decodes the calls of snap (outside the lock) and sorts its lines and calls.
func sortedSnapshot(snap store.Snapshot, calls [][]byte, locs *locations) (store.Snapshot, error) {
	var err error
	if snap.Calls, err = decodeCalls(calls, locs); err != nil {
		return store.Snapshot{}, err
	}
	slices.SortFunc(snap.Lines, func(a, b tapi.Line) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(snap.Calls, func(a, b tapi.Call) int { return strings.Compare(string(a.Handle), string(b.Handle)) })
	return snap, nil
}

// LoadLines returns the named lines' state, the calls on them and the PBX's position.
func (s *Store) LoadLines(ctx context.Context, pbxName string, lines []string) (store.Snapshot, error) {
	if err := s.ready(ctx); err != nil {
		return store.Snapshot{}, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return store.Snapshot{}, err
	}
	want := make(map[string]bool, len(lines))
	for _, l := range lines {
		want[l] = true
	}
	p.mu.Lock()
	snap := store.Snapshot{Lines: make([]tapi.Line, 0, len(lines)),
		NextHandle: p.nextHandle, Position: store.Position{Epoch: p.epoch, Offset: p.log.last}}
	for name := range want {
		if l, ok := p.lines[name]; ok {
			snap.Lines = append(snap.Lines, cloneLine(l))
		}
	}
	var recs [][]byte
	p.calls.each(func(rec []byte) {
		if want[string(callLine(rec))] {
			recs = append(recs, rec)
		}
	})
	p.mu.Unlock()
	return sortedSnapshot(snap, recs, &s.locs)
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
//
// The calls, the log and the history keep encoded copies of the calls, events and call
// records, made before taking the lock. Subscribers get one copy of each event, which they
// share (see fanOut).
func (s *Store) Apply(ctx context.Context, pbxName string, fence store.Fence, b store.Batch) (store.Appended, error) {
	if err := s.ready(ctx); err != nil {
		return store.Appended{}, err
	}
	enc := s.encoder()
	defer s.release(enc)
	if err := enc.check(pbxName, &b); err != nil {
		return store.Appended{}, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return store.Appended{}, err
	}
	enc.encode(pbxName, &b, &s.locs)
	return p.apply(fence, &b, enc, &s.opts)
}

// apply is Apply's write, under the PBX's locks. It is a function of its own so that its
// defers are open-coded: with Apply's returns, they went through the runtime's defer records.
func (p *pbx) apply(fence store.Fence, b *store.Batch, enc *batchEncoder, opts *Options) (store.Appended, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lmu.Lock()
	defer p.lmu.Unlock()
	now := opts.Now()
	if !p.lease.holds(fence, now) {
		return store.Appended{}, fmt.Errorf("apply to %s by %s (token %d): %w", p.name, fence.Owner, fence.Token, store.ErrFenced)
	}
	if p.written.repeats(b, p.epoch) {
		return store.AppendedAt(p.written.epoch, p.written.first, len(b.Events)), nil
	}
	defer p.written.record(b, p.epoch, p.log.last+1)
	for i := range b.Lines { // by index: a tapi.Line is 136 bytes, a Call 456
		p.lines[b.Lines[i].Name] = cloneLine(b.Lines[i])
	}
	for i := range b.Calls {
		p.calls.put(b.Calls[i].Handle, enc.callHash(i), enc.call(i))
	}
	for i, h := range b.RemovedCalls {
		p.calls.remove(h, enc.removedHash(i))
	}
	p.calls.compact()
	if b.NextHandle != 0 {
		p.nextHandle = b.NextHandle
	}
	if len(b.Journal) > 0 {
		// In index order: the records of one batch end in the same millisecond and their ids
		// are random after it, so in the batch's order most would be inserted, not appended.
		for _, i := range enc.byMember() {
			p.hist.put(enc.member(i), enc.record(i), b.Journal[i].Handle, enc.recordHash(i))
		}
		var key [20]byte
		p.hist.trim(opts.HistoryMaxRecords, store.AppendIndexTime(key[:0], now.Add(-opts.HistoryMaxAge)))
	}
	if len(b.Events) == 0 {
		return store.Appended{}, nil
	}
	first := p.log.last + 1
	p.log.pushAll(enc.encodedEvents())
	p.fanOut(b.Events, first)
	return store.AppendedAt(p.epoch, first, len(b.Events)), nil
}

package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

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
	snap := store.Snapshot{Lines: make([]tapi.Line, 0, len(lines)), Calls: []tapi.Call{},
		NextHandle: p.nextHandle, Position: store.Position{Epoch: p.epoch, Offset: p.log.last}}
	for name := range want {
		if l, ok := p.lines[name]; ok {
			snap.Lines = append(snap.Lines, cloneLine(l))
		}
	}
	for _, c := range p.calls {
		if want[c.Line] {
			snap.Calls = append(snap.Calls, cloneCall(c))
		}
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
//
// The log and the history keep encoded copies of the events and call records, made before
// taking the lock. The returned entries carry the caller's own events, as the Redis store's
// do; subscribers get one copy of each event, which they share (see fanOut).
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
	enc := encoders.Get().(*batchEncoder)
	defer enc.release()
	w := encoder{b: enc.buf[:0], locs: &s.locs}
	ends := enc.ends[:0]
	for i := range b.Events {
		w.event(&b.Events[i])
		ends = append(ends, len(w.b))
	}
	evBytes := w.b
	var finished [][]byte // the call records, each in an allocation of its own
	var members []string
	if len(b.Journal) > 0 {
		finished, members = make([][]byte, len(b.Journal)), make([]string, len(b.Journal))
		for i := range b.Journal {
			j := b.Journal[i]
			j.PBX = pbxName
			members[i] = store.HistoryIndex(&j)
			w.b = w.b[:len(evBytes)]
			w.journalEntry(&j)
			finished[i] = bytes.Clone(w.b[len(evBytes):])
		}
	}
	enc.buf, enc.ends = w.b, ends

	p.mu.Lock()
	defer p.mu.Unlock()
	p.lmu.Lock()
	defer p.lmu.Unlock()
	if !p.lease.holds(fence, s.opts.Now()) {
		return nil, fmt.Errorf("apply to %s by %s (token %d): %w", pbxName, fence.Owner, fence.Token, store.ErrFenced)
	}
	for i := range b.Lines { // by index: a tapi.Line is 136 bytes, a Call 456
		p.lines[b.Lines[i].Name] = cloneLine(b.Lines[i])
	}
	for i := range b.Calls {
		c := &b.Calls[i]
		old := p.calls[c.Handle] // the store's own arrays: reads return clones
		c.CloneInto(&old)
		p.calls[c.Handle] = old
	}
	for _, h := range b.RemovedCalls {
		delete(p.calls, h)
	}
	if b.NextHandle != 0 {
		p.nextHandle = b.NextHandle
	}
	if len(b.Journal) > 0 {
		// In index order: the records of one batch end in the same millisecond and their ids
		// are random after it, so in the batch's order most would be inserted, not appended.
		for _, i := range byMember(members) {
			p.hist.put(members[i], finished[i], b.Journal[i].Handle)
		}
		p.hist.trim(s.opts.HistoryMaxRecords, s.historyCutoff())
	}
	if len(b.Events) == 0 {
		return nil, nil
	}
	first := p.log.last + 1
	start := 0
	for _, end := range ends {
		p.log.push(evBytes[start:end])
		start = end
	}
	out := make([]store.Entry, len(b.Events))
	for i := range b.Events {
		out[i] = store.Entry{PBX: p.name, Epoch: p.epoch, Offset: first + uint64(i), Event: b.Events[i]}
	}
	p.fanOut(out)
	return out, nil
}

// byMember returns the indexes of members in ascending order of member.
func byMember(members []string) []int {
	idx := make([]int, len(members))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > 1 {
		slices.SortFunc(idx, func(a, b int) int { return strings.Compare(members[a], members[b]) })
	}
	return idx
}

// batchEncoder is Apply's encoding buffer, reused across calls.
type batchEncoder struct {
	buf  []byte
	ends []int // where each event's bytes end in buf
}

var encoders = sync.Pool{New: func() any { return &batchEncoder{buf: make([]byte, 0, 4096)} }}

// maxIdleEncoder is the largest buffer kept for reuse.
const maxIdleEncoder = 256 << 10

func (e *batchEncoder) release() {
	if cap(e.buf) <= maxIdleEncoder {
		encoders.Put(e)
	}
}

// checkBatch rejects what would store unreachable or misfiled values.
func checkBatch(pbxName string, b store.Batch) error {
	for i := range b.Lines {
		if b.Lines[i].Name == "" {
			return fmt.Errorf("memory store: batch line %d has no name", i)
		}
	}
	for i := range b.Calls {
		if c := &b.Calls[i]; c.Handle == "" {
			return fmt.Errorf("memory store: batch call %d (line %q) has no handle", i, c.Line)
		}
	}
	for i := range b.Journal {
		if _, err := store.CheckRecord(pbxName, &b.Journal[i]); err != nil {
			return fmt.Errorf("memory store: batch %d: %w", i, err)
		}
	}
	return nil
}

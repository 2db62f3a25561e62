package memory

import (
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
		snap.Calls = append(snap.Calls, cloneCall(*c))
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
			snap.Calls = append(snap.Calls, cloneCall(*c))
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
	enc := encoders.Get().(*batchEncoder)
	defer enc.release()
	if err := enc.check(pbxName, &b); err != nil {
		return nil, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return nil, err
	}
	enc.encode(pbxName, &b, &s.locs)
	return p.apply(fence, &b, enc, &s.opts)
}

// apply is Apply's write, under the PBX's locks. It is a function of its own so that its
// defers are open-coded: with Apply's returns, they went through the runtime's defer records.
func (p *pbx) apply(fence store.Fence, b *store.Batch, enc *batchEncoder, opts *Options) ([]store.Entry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lmu.Lock()
	defer p.lmu.Unlock()
	now := opts.Now()
	if !p.lease.holds(fence, now) {
		return nil, fmt.Errorf("apply to %s by %s (token %d): %w", p.name, fence.Owner, fence.Token, store.ErrFenced)
	}
	for i := range b.Lines { // by index: a tapi.Line is 136 bytes, a Call 456
		p.lines[b.Lines[i].Name] = cloneLine(b.Lines[i])
	}
	for i := range b.Calls {
		p.putCall(&b.Calls[i])
	}
	for _, h := range b.RemovedCalls {
		p.removeCall(h)
	}
	if b.NextHandle != 0 {
		p.nextHandle = b.NextHandle
	}
	if len(b.Journal) > 0 {
		// In index order: the records of one batch end in the same millisecond and their ids
		// are random after it, so in the batch's order most would be inserted, not appended.
		for _, i := range enc.byMember() {
			p.hist.put(enc.members[i], enc.record(i), b.Journal[i].Handle, enc.handles[i])
		}
		var key [20]byte
		p.hist.trim(opts.HistoryMaxRecords, store.AppendIndexTime(key[:0], now.Add(-opts.HistoryMaxAge)))
	}
	if len(b.Events) == 0 {
		return nil, nil
	}
	first := p.log.last + 1
	p.log.pushAll(enc.events())
	out := make([]store.Entry, len(b.Events))
	for i := range b.Events {
		out[i] = store.Entry{PBX: p.name, Epoch: p.epoch, Offset: first + uint64(i), Event: b.Events[i]}
	}
	p.fanOut(out)
	return out, nil
}

// putCall stores a copy of c, in the store's own value of the call when it has one (reads
// return clones, so no one else holds its arrays), else in a spare one.
func (p *pbx) putCall(c *tapi.Call) {
	old := p.calls[c.Handle]
	if old == nil {
		if n := len(p.spareCalls); n > 0 {
			old, p.spareCalls = p.spareCalls[n-1], p.spareCalls[:n-1]
		} else {
			old = new(tapi.Call)
		}
		p.calls[c.Handle] = old
	}
	c.CloneInto(old)
}

// maxSpareCalls bounds the removed calls kept for reuse: calls end at the rate they start.
const maxSpareCalls = 64

func (p *pbx) removeCall(h tapi.CallHandle) {
	c := p.calls[h]
	if c == nil {
		return
	}
	delete(p.calls, h)
	if len(p.spareCalls) < maxSpareCalls { // as it is: putCall's CloneInto overwrites all but its arrays
		p.spareCalls = append(p.spareCalls, c)
	}
}

// batchEncoder is Apply's scratch space, reused across calls: the encoded events and records
// and the records' index members.
type batchEncoder struct {
	buf     []byte   // the events, then the records
	ends    []int    // where each event's bytes end in buf, then each record's
	members []string // the records' index members (store.HistoryIndex)
	handles []uint64 // the hashes of the records' call handles (handleHash)
	order   []int    // indexes of members in ascending order of member
}

var encoders = sync.Pool{New: func() any { return &batchEncoder{buf: make([]byte, 0, 4096)} }}

// maxIdleEncoder is the largest buffer kept for reuse: the engine's largest batches (4,096
// events of 100-150 bytes) at saturation. Below that, every such batch grew a new buffer from
// 4 KiB, a quarter of the store's allocations at saturation.
const maxIdleEncoder = 1 << 20

func (e *batchEncoder) release() {
	clear(e.members) // the pool keeps no record alive
	if cap(e.buf) <= maxIdleEncoder {
		encoders.Put(e)
	}
}

// check rejects what would store unreachable or misfiled values, and keeps the index member
// of each record (CheckRecord makes it).
func (e *batchEncoder) check(pbxName string, b *store.Batch) error {
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
	e.members = e.members[:0]
	for i := range b.Journal {
		m, err := store.CheckRecord(pbxName, &b.Journal[i])
		if err != nil {
			return fmt.Errorf("memory store: batch %d: %w", i, err)
		}
		e.members = append(e.members, m)
	}
	return nil
}

// encode writes the batch's events and then its records, with their PBX set as the store
// keeps them, into buf, and hashes the records' call handles.
func (e *batchEncoder) encode(pbxName string, b *store.Batch, locs *locations) {
	w := encoder{b: e.buf[:0], locs: locs}
	e.ends = e.ends[:0]
	for i := range b.Events {
		w.event(&b.Events[i])
		e.ends = append(e.ends, len(w.b))
	}
	e.handles = e.handles[:0]
	for i := range b.Journal {
		j := b.Journal[i]
		j.PBX = pbxName
		w.journalEntry(&j)
		e.ends = append(e.ends, len(w.b))
		e.handles = append(e.handles, handleHash(j.Handle))
	}
	e.buf = w.b
}

// events returns the encoded events: buf and the ends of each.
func (e *batchEncoder) events() ([]byte, []int) {
	n := len(e.ends) - len(e.handles)
	return e.buf, e.ends[:n]
}

// record returns the encoded record i.
func (e *batchEncoder) record(i int) []byte {
	k := len(e.ends) - len(e.handles) + i
	start := 0
	if k > 0 {
		start = e.ends[k-1]
	}
	return e.buf[start:e.ends[k]]
}

// byMember returns the indexes of members in ascending order of member.
func (e *batchEncoder) byMember() []int {
	e.order = e.order[:0]
	for i := range e.members {
		e.order = append(e.order, i)
	}
	if len(e.order) > 1 {
		slices.SortFunc(e.order, func(a, b int) int { return strings.Compare(e.members[a], e.members[b]) })
	}
	return e.order
}

package memory

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/ctibridge/ctibridge/store"
)

// batchEncoder is Apply's scratch space, reused across calls: the encoded events, records and
// calls, and the records' index members.
type batchEncoder struct {
	buf     []byte // the events, then the records, then the calls
	ends    []int  // where each event's bytes end in buf, then each record's, then each call's
	events  int    // how many events, then records, are in buf
	records int
	// members holds the records' index members (store.AppendHistoryIndex) one after the
	// other, memberEnds where each ends: no string per record.
	members    []byte
	memberEnds []int
	// handles are the hashes (handleHash) of the records' call handles, then of the calls',
	// then of the removed calls': made before taking the lock.
	handles []uint64
	order   []int // indexes of members in ascending order of member
}

var encoders = sync.Pool{New: func() any { return &batchEncoder{buf: make([]byte, 0, 4096)} }}

// maxIdleEncoder is the largest buffer kept for reuse: the engine's largest batches (4,096
// events of 100-150 bytes) at saturation. Below that, every such batch grew a new buffer from
// 4 KiB, a quarter of the store's allocations at saturation.
const maxIdleEncoder = 1 << 20

// encoder returns a batchEncoder for Apply: the store's spare one, which a single writer (the
// engine's pipeline of a PBX) gets back every time for an atomic swap, or one from the pool
// (which costs a few times that) when another Apply holds the spare.
func (s *Store) encoder() *batchEncoder {
	if e := s.spare.Swap(nil); e != nil {
		return e
	}
	return encoders.Get().(*batchEncoder)
}

// release gives e back to s's spare, or to the pool when the spare is taken again.
func (s *Store) release(e *batchEncoder) {
	if cap(e.buf) > maxIdleEncoder {
		return
	}
	if !s.spare.CompareAndSwap(nil, e) {
		encoders.Put(e)
	}
}

// check rejects what would store unreachable or misfiled values, and keeps the index member
// of each record (store.AppendCheckedIndex makes it).
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
	e.members, e.memberEnds = e.members[:0], e.memberEnds[:0]
	for i := range b.Journal {
		var err error
		if e.members, err = store.AppendCheckedIndex(e.members, pbxName, &b.Journal[i]); err != nil {
			return fmt.Errorf("memory store: batch %d: %w", i, err)
		}
		e.memberEnds = append(e.memberEnds, len(e.members))
	}
	return nil
}

// encode writes the batch's events, its records (with their PBX set as the store keeps them)
// and its calls into buf, and hashes the call handles of the records, calls and removed calls.
func (e *batchEncoder) encode(pbxName string, b *store.Batch, locs *locations) {
	w := encoder{b: e.buf[:0], locs: locs}
	e.ends = e.ends[:0]
	for i := range b.Events {
		w.event(&b.Events[i])
		e.ends = append(e.ends, len(w.b))
	}
	e.handles = e.handles[:0]
	for i := range b.Journal {
		j := &b.Journal[i]
		w.record(j, pbxName) // not a copy of the record (400 bytes) with its PBX set
		e.ends = append(e.ends, len(w.b))
		e.handles = append(e.handles, handleHash(j.Handle))
	}
	for i := range b.Calls {
		w.call(&b.Calls[i])
		e.ends = append(e.ends, len(w.b))
		e.handles = append(e.handles, handleHash(b.Calls[i].Handle))
	}
	for _, h := range b.RemovedCalls {
		e.handles = append(e.handles, handleHash(h))
	}
	e.buf = w.b
	e.events, e.records = len(b.Events), len(b.Journal)
}

// encodedEvents returns the encoded events: buf and the ends of each.
func (e *batchEncoder) encodedEvents() ([]byte, []int) { return e.buf, e.ends[:e.events] }

// piece returns the k-th encoding in buf.
func (e *batchEncoder) piece(k int) []byte {
	start := 0
	if k > 0 {
		start = e.ends[k-1]
	}
	return e.buf[start:e.ends[k]:e.ends[k]]
}

// record returns the encoded record i.
func (e *batchEncoder) record(i int) []byte { return e.piece(e.events + i) }

// call returns the encoded call i.
func (e *batchEncoder) call(i int) []byte { return e.piece(e.events + e.records + i) }

// recordHash, callHash and removedHash return the hash of the call handle of record i, call i
// and removed call i.
func (e *batchEncoder) recordHash(i int) uint64 { return e.handles[i] }
func (e *batchEncoder) callHash(i int) uint64   { return e.handles[e.records+i] }
func (e *batchEncoder) removedHash(i int) uint64 {
	return e.handles[len(e.ends)-e.events+i] // after one per record and per call
}

// member returns the index member of record i.
func (e *batchEncoder) member(i int) []byte {
	start := 0
	if i > 0 {
		start = e.memberEnds[i-1]
	}
	return e.members[start:e.memberEnds[i]:e.memberEnds[i]]
}

// byMember returns the indexes of the records in ascending order of member.
func (e *batchEncoder) byMember() []int {
	e.order = e.order[:0]
	for i := range e.memberEnds {
		e.order = append(e.order, i)
	}
	if len(e.order) > 1 {
		slices.SortFunc(e.order, func(a, b int) int { return bytes.Compare(e.member(a), e.member(b)) })
	}
	return e.order
}

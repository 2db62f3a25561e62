package memory

import (
	"context"
	"fmt"

	"github.com/ctibridge/ctibridge/store"
)

// ring holds the newest max entries of a log, encoded (codec.go). It grows until full, then
// overwrites the oldest record: trimming is exact and costs nothing per append. The records'
// bytes are packed into segments, which are freed once no retained record lies in them.
//
// The records are kept in chunks of a fixed size, so that growing the ring never copies it: a
// log of millions of entries grew by append, copying everything at every doubling.
type ring struct {
	max    int
	chunks [][]record // the ring of records, ringChunk per chunk; n records in all
	n      int        // records held; grows to max
	head   int        // index of the oldest record once n is max; 0 before
	last   uint64     // offset of the newest entry; 0 when nothing was appended
	segs   segments
}

// ringChunk is the number of records in a chunk of a ring (64 KiB of them).
const ringChunk = 4096

// record locates one encoded entry.
type record struct {
	seg      uint64 // segment number
	off, len uint32
}

// rec returns the record at index i of the ring.
func (r *ring) rec(i int) *record { return &r.chunks[i/ringChunk][i%ringChunk] }

// pushAll appends the encoded entries of a batch, buf[ends[i-1]:ends[i]] (from 0), copying them:
// those that fit in the newest segment in one copy.
func (r *ring) pushAll(buf []byte, ends []int) {
	start := 0
	for len(ends) > 0 {
		room := r.segs.room()
		k := 0
		for k < len(ends) && ends[k]-start <= room {
			k++
		}
		if k == 0 { // starts a segment
			r.push(buf[start:ends[0]])
			start, ends = ends[0], ends[1:]
			continue
		}
		seg, off, dst := r.segs.reserve(ends[k-1] - start)
		copy(dst, buf[start:ends[k-1]])
		for _, end := range ends[:k] {
			r.add(record{seg: seg, off: off, len: uint32(end - start)})
			off += uint32(end - start)
			start = end
		}
		ends = ends[k:]
	}
}

// push appends the encoded entry b at offset last+1, copying it.
func (r *ring) push(b []byte) {
	seg, off, dst := r.segs.reserve(len(b))
	copy(dst, b)
	r.add(record{seg: seg, off: off, len: uint32(len(b))})
}

// add appends the record of an entry stored in the segments at offset last+1.
func (r *ring) add(rec record) {
	if r.n < r.max {
		if r.n%ringChunk == 0 {
			r.chunks = append(r.chunks, make([]record, min(ringChunk, r.max-r.n)))
		}
		*r.rec(r.n) = rec
		r.n++
	} else {
		*r.rec(r.head) = rec
		if r.head++; r.head == r.max {
			r.head = 0
		}
		r.segs.dropBefore(r.rec(r.head).seg)
	}
	r.last++
}

// oldest is the offset of the oldest retained entry (last+1 when empty).
func (r *ring) oldest() uint64 { return r.last + 1 - uint64(r.n) }

// at returns the encoded entry at offset off, which must be retained. The bytes stay valid
// and unchanged after the PBX's mutex is released.
func (r *ring) at(off uint64) []byte {
	rec := r.rec((r.head + int(off-r.oldest())) % r.n)
	return r.segs.bytes(rec.seg, rec.off, rec.len)
}

// Replay returns copies of the entries after offset `after`, oldest first, at most limit
// (0: all retained). A cursor beyond the newest entry gets no entries.
func (s *Store) Replay(ctx context.Context, pbxName, epoch string, after uint64, limit int) ([]store.Entry, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, fmt.Errorf("memory store: replay limit %d is negative (0 means no limit)", limit)
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if epoch != p.epoch {
		p.mu.Unlock()
		return nil, fmt.Errorf("replay of %s in epoch %q, log is in %q: %w", pbxName, epoch, p.epoch, store.ErrEpochChanged)
	}
	if after+1 < p.log.oldest() {
		oldest := p.log.oldest()
		p.mu.Unlock()
		return nil, fmt.Errorf("replay of %s after %d, oldest retained is %d: %w",
			pbxName, after, oldest, store.ErrCursorTooOld)
	}
	if after >= p.log.last {
		p.mu.Unlock()
		return nil, nil
	}
	n := p.log.last - after
	if limit > 0 && uint64(limit) < n {
		n = uint64(limit)
	}
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = p.log.at(after + 1 + uint64(i))
	}
	p.mu.Unlock()

	d := pageDecoder(recs, &s.locs) // outside the lock
	out := make([]store.Entry, n)
	for i := range out {
		out[i] = store.Entry{PBX: p.name, Epoch: epoch, Offset: after + 1 + uint64(i)}
		d.event(&out[i].Event)
	}
	if d.bad || d.i != len(d.s) {
		return nil, errCorrupt
	}
	return out, nil
}

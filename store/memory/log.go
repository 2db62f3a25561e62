package memory

import (
	"context"
	"fmt"

	"github.com/ctibridge/ctibridge/store"
)

// ring holds the newest max entries of a log. It grows by append until full, then
// overwrites the oldest entry: trimming is exact and costs nothing per append.
type ring struct {
	max  int
	buf  []store.Entry
	head int    // index of the oldest entry once buf is full; 0 before
	last uint64 // offset of the newest entry; 0 when nothing was appended
}

func (r *ring) push(e store.Entry) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, e)
	} else {
		r.buf[r.head] = e
		r.head = (r.head + 1) % r.max
	}
	r.last = e.Offset
}

// oldest is the offset of the oldest retained entry (last+1 when empty).
func (r *ring) oldest() uint64 { return r.last + 1 - uint64(len(r.buf)) }

// at returns the entry at offset off, which must be retained.
func (r *ring) at(off uint64) *store.Entry {
	return &r.buf[(r.head+int(off-r.oldest()))%len(r.buf)]
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
	defer p.mu.Unlock()
	if epoch != p.epoch {
		return nil, fmt.Errorf("replay of %s in epoch %q, log is in %q: %w", pbxName, epoch, p.epoch, store.ErrEpochChanged)
	}
	if after+1 < p.log.oldest() {
		return nil, fmt.Errorf("replay of %s after %d, oldest retained is %d: %w",
			pbxName, after, p.log.oldest(), store.ErrCursorTooOld)
	}
	if after >= p.log.last {
		return nil, nil
	}
	n := p.log.last - after
	if limit > 0 && uint64(limit) < n {
		n = uint64(limit)
	}
	out := make([]store.Entry, n)
	for i := range out {
		out[i] = cloneEntry(*p.log.at(after + 1 + uint64(i)))
	}
	return out, nil
}

package web

import (
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// recentLog keeps the newest entries the hub fanned out, so that clients resuming after a
// bridge takeover or a network blip replay from memory instead of each reading and decoding
// the same stretch of the store's log: with hundreds of clients reconnecting at once that
// would multiply the store's work by the number of clients. The entries are contiguous in
// one epoch; anything else starts the ring over. Guarded by hub.mu.
type recentLog struct {
	buf   []recentEntry // ring; len is the capacity, 0 when disabled
	first int           // index of the oldest entry
	n     int
	epoch string
}

type recentEntry struct {
	e   store.Entry
	msg []byte // the entry's encoded event message, when the fan-out encoded it
}

func newRecentLog(capacity int) recentLog {
	if capacity <= 0 {
		return recentLog{}
	}
	return recentLog{buf: make([]recentEntry, capacity)}
}

func (r *recentLog) add(e *store.Entry, msg []byte) {
	if len(r.buf) == 0 {
		return
	}
	if r.n > 0 && (e.Epoch != r.epoch || e.Offset != r.at(r.n-1).e.Offset+1) {
		r.reset()
	}
	r.epoch = e.Epoch
	if r.n == len(r.buf) { // the oldest entry's slot takes the new one
		r.first = r.wrap(r.first + 1)
		r.n--
	}
	slot := &r.buf[r.wrap(r.first+r.n)]
	slot.e, slot.msg = *e, msg // not a recentEntry made and then copied: a second copy of e
	r.n++
}

// wrap returns the ring index of i, which is below twice the ring's length: a subtraction
// where % would divide, three times per entry fanned out.
func (r *recentLog) wrap(i int) int {
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}

func (r *recentLog) reset() {
	clear(r.buf)
	r.first, r.n, r.epoch = 0, 0, ""
}

func (r *recentLog) at(i int) *recentEntry { return &r.buf[r.wrap(r.first+i)] }

// recentChunk is the most entries one call of recentAfter scans while holding the hub's lock.
const recentChunk = 4096

// recentAfter returns, from the ring, the entries after offset in epoch that feed f wants
// (its lines and the line-less bridge events; never LINE_REPLY), scanning at most
// recentChunk entries. last is the offset of the last entry scanned, done whether that was
// the newest the hub has. ok is false when the ring does not hold the entry after offset:
// the caller reads the store instead.
func (h *hub) recentAfter(f *feed, epoch string, offset uint64) (out []recentEntry, last uint64, done, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := &h.recent
	if r.n == 0 || r.epoch != epoch {
		return nil, offset, false, false
	}
	oldest, newest := r.at(0).e.Offset, r.at(r.n-1).e.Offset
	if offset+1 < oldest || offset > newest {
		return nil, offset, false, false
	}
	i := int(offset + 1 - oldest)
	end := min(r.n, i+recentChunk)
	last = offset
	for ; i < end; i++ {
		re := r.at(i)
		last = re.e.Offset
		ev := &re.e.Event
		if ev.Type == tapi.LineReply || (ev.Line != "" && !f.has(ev.Line)) {
			continue
		}
		out = append(out, *re)
	}
	return out, last, end == r.n, true
}

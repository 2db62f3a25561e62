package memory

import (
	"hash/maphash"
	"slices"
	"sort"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// history is a PBX's call records in index order (store.HistoryIndex: end time, then id),
// each its index member followed by its encoding (codec_history.go), packed in segments.
// Records mostly arrive in order and are appended; trimming takes the oldest from the front,
// so both are amortised O(1) per record. A record arriving out of order (a clock stepped back,
// a takeover by an instance with another clock) is inserted with a copy of the index.
//
// Nothing here holds a pointer per record (100,000 per PBX by default), so the garbage
// collector has a few dozen objects to mark instead of several per record: the index is an
// array of locations, and the newest record of each call is found by a hash of its handle.
type history struct {
	recs []histRec // recs[head:] are live
	head int
	segs segments

	// byHandle maps the hash of a call's handle to its newest record. A handle whose hash
	// another handle's newest record holds goes to collided instead (a 64-bit hash: never,
	// in practice). Each handle is in one of the two at most.
	byHandle handleIndex[histLoc]
	collided map[tapi.CallHandle]histLoc
	bytes    int // bytes of the live records
}

// histLoc locates a record: its member, then its encoding. A location is never reused, so it
// identifies the record.
type histLoc struct {
	seg                uint64 // segment number
	off, member, coded uint32 // offset and lengths
}

type histRec struct {
	histLoc
	handle uint64 // hash of the call's handle (handleHash)
}

// handleSeed seeds handleHash: a hash is only compared within one process.
var handleSeed = maphash.MakeSeed()

func handleHash(h tapi.CallHandle) uint64 { return maphash.String(handleSeed, string(h)) }

func (h *history) live() []histRec { return h.recs[h.head:] }

// member returns the bytes of the record's index member (valid after unlocking).
func (h *history) member(l histLoc) []byte {
	return h.segs.bytes(l.seg, l.off, l.member)
}

// coded returns the record's encoding (valid after unlocking).
func (h *history) coded(l histLoc) []byte {
	return h.segs.bytes(l.seg, l.off+l.member, l.coded)
}

// search returns the index in live() of the first member >= m.
func (h *history) search(m string) int {
	l := h.live()
	return sort.Search(len(l), func(i int) bool { return string(h.member(l[i].histLoc)) >= m })
}

// searchNewest is search for a member that sorts below the newest record's, as a record
// that arrives out of order mostly does by a few places (ended in the same millisecond as the
// newest ones): it steps back from the newest by doubling steps, then searches between the
// last two. The newest member must sort >= m. A search of the whole index read the members
// of 17 records spread over 100,000, each a cache miss.
func (h *history) searchNewest(m []byte) int {
	l := h.live()
	hi := len(l) - 1 // l[hi:] sort >= m
	for step := 1; hi > 0; step *= 2 {
		lo := max(hi-step, 0)
		if string(h.member(l[lo].histLoc)) < string(m) {
			return lo + 1 + sort.Search(hi-lo-1, func(i int) bool { return string(h.member(l[lo+1+i].histLoc)) >= string(m) })
		}
		hi = lo
	}
	return 0
}

// put stores a record, replacing one with the same member (a retried write); hh is
// handleHash(handle).
func (h *history) put(member, enc []byte, handle tapi.CallHandle, hh uint64) {
	h.segs.counted = true
	seg, off, dst := h.segs.reserve(len(member) + len(enc))
	copy(dst[copy(dst, member):], enc)
	h.segs.ref(seg)
	h.bytes += len(dst)
	r := histRec{histLoc{seg, off, uint32(len(member)), uint32(len(enc))}, hh}
	h.setNewest(handle, r)
	l := h.live()
	if n := len(l); n == 0 || string(h.member(l[n-1].histLoc)) < string(member) {
		h.recs = append(h.recs, r)
		return
	}
	i := h.searchNewest(member)
	if string(h.member(l[i].histLoc)) == string(member) {
		h.release(l[i].histLoc)
		l[i] = r
		return
	}
	h.recs = slices.Insert(h.recs, h.head+i, r)
}

// setNewest makes r the newest record of handle.
func (h *history) setNewest(handle tapi.CallHandle, r histRec) {
	if _, ok := h.collided[handle]; ok {
		h.collided[handle] = r.histLoc
		return
	}
	i, found := h.byHandle.slot(r.handle)
	if found && h.handleOf(h.byHandle.locs[i]) != handle {
		if h.collided == nil {
			h.collided = map[tapi.CallHandle]histLoc{}
		}
		h.collided[handle] = r.histLoc
		return
	}
	h.byHandle.setAt(i, r.handle, r.histLoc)
}

// handleOf returns the call handle of the record at l.
func (h *history) handleOf(l histLoc) tapi.CallHandle { return memberHandle(h.member(l)) }

// memberHandle returns the call handle of an index member. It allocates: it is called when a
// call's record is written again (or on a hash collision), not for every record.
func memberHandle(m []byte) tapi.CallHandle { return tapi.CallHandle(store.IndexHandle(string(m))) }

// newest returns the location of the newest record of a call.
func (h *history) newest(handle tapi.CallHandle) (histLoc, bool) {
	return h.newestHashed(handle, handleHash(handle))
}

// newestHashed is newest with the handle's hash hh given.
func (h *history) newestHashed(handle tapi.CallHandle, hh uint64) (histLoc, bool) {
	if l, ok := h.collided[handle]; ok {
		return l, true
	}
	l, ok := h.byHandle.get(hh)
	if !ok || h.handleOf(l) != handle {
		return histLoc{}, false
	}
	return l, true
}

// forget removes r as the newest record of its call, if it is that.
func (h *history) forget(r histRec) {
	if h.byHandle.n > 0 {
		if i, ok := h.byHandle.find(key(r.handle)); ok && h.byHandle.locs[i] == r.histLoc {
			h.byHandle.removeAt(i)
			return
		}
	}
	if len(h.collided) > 0 {
		if hd := h.handleOf(r.histLoc); h.collided[hd] == r.histLoc {
			delete(h.collided, hd)
		}
	}
}

// release gives up a record's bytes.
func (h *history) release(l histLoc) {
	h.bytes -= int(l.member + l.coded)
	h.segs.unref(l.seg)
}

// trim drops the oldest records while there are more than maxRecords or they ended before
// the key cutoff (store.AppendIndexTime).
func (h *history) trim(maxRecords int, cutoff []byte) {
	for h.head < len(h.recs) && (len(h.recs)-h.head > maxRecords || string(h.member(h.recs[h.head].histLoc)) < string(cutoff)) {
		r := h.recs[h.head]
		h.forget(r)
		h.release(r.histLoc)
		h.recs[h.head] = histRec{}
		h.head++
	}
	if h.head > 1024 && h.head > len(h.recs)/2 {
		// Room for as many again: the records appended until the next compaction fit, so
		// the slice is not grown (copied) on the way there as well.
		live := h.live()
		h.recs = append(make([]histRec, 0, 2*len(live)+1024), live...)
		h.head = 0
	}
	if h.segs.held > 2*h.bytes+4*segmentSize {
		h.repack()
	}
}

// repack copies the live records into new segments. Segments are freed when their last
// record goes; records trimmed out of write order (a clock stepped back, or a record dated
// far ahead) could otherwise keep many segments for a few records each.
func (h *history) repack() {
	old := h.segs
	h.segs = segments{counted: true, base: old.base + uint64(len(old.segs))}
	for i, r := range h.live() {
		seg, off, dst := h.segs.reserve(int(r.member + r.coded))
		copy(dst, old.bytes(r.seg, r.off, r.member+r.coded))
		h.segs.ref(seg)
		moved := histLoc{seg, off, r.member, r.coded}
		if i, ok := h.byHandle.find(key(r.handle)); ok && h.byHandle.locs[i] == r.histLoc { // put made slots
			h.byHandle.locs[i] = moved
		} else if len(h.collided) > 0 {
			if hd := memberHandle(old.bytes(r.seg, r.off, r.member)); h.collided[hd] == r.histLoc {
				h.collided[hd] = moved
			}
		}
		h.live()[i].histLoc = moved
	}
}

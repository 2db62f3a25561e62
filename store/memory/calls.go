package memory

import (
	"encoding/binary"

	"github.com/ctibridge/ctibridge/tapi"
)

// callTable is a PBX's calls, each encoded (codec.go) and packed in segments as the history's
// records are. Storing a changed call appends its encoding to the newest segment, which is in
// the cache, where overwriting the previous version's 456-byte value and its arrays missed it:
// thousands of calls, each rewritten every few hundred milliseconds at saturation, with the
// bridge's other work in between. The values also hold no pointers for the collector to mark.
//
// The map gives each call a slot in locs, which stays the call's while it is stored: storing a
// changed call is one map look-up (it was a look-up and a store when the map held the
// location), and repacking rewrites the slots without a map store per call.
type callTable struct {
	byHandle map[tapi.CallHandle]int32 // the slot in locs of each call
	locs     []callLoc                 // by slot; a free slot has len 0 and is listed in free
	free     []int32
	segs     segments
	bytes    int // bytes of the live encodings
}

// callLoc locates a call's encoding (never empty: it holds the handle).
type callLoc struct {
	seg      uint64 // segment number
	off, len uint32
}

func (t *callTable) count() int { return len(t.byHandle) }

// put stores enc as the call h, replacing its previous version.
func (t *callTable) put(h tapi.CallHandle, enc []byte) {
	if t.byHandle == nil {
		t.byHandle = map[tapi.CallHandle]int32{}
		t.segs.counted = true
	}
	seg, off, dst := t.segs.reserve(len(enc))
	copy(dst, enc)
	t.segs.ref(seg)
	t.bytes += len(enc)
	l := callLoc{seg, off, uint32(len(enc))}
	if i, ok := t.byHandle[h]; ok {
		t.release(t.locs[i])
		t.locs[i] = l
		return
	}
	var i int32
	if n := len(t.free); n > 0 {
		i, t.free = t.free[n-1], t.free[:n-1]
		t.locs[i] = l
	} else {
		i = int32(len(t.locs))
		t.locs = append(t.locs, l)
	}
	t.byHandle[h] = i
}

// remove deletes the call h, if stored.
func (t *callTable) remove(h tapi.CallHandle) {
	if i, ok := t.byHandle[h]; ok {
		delete(t.byHandle, h)
		t.release(t.locs[i])
		t.locs[i] = callLoc{}
		t.free = append(t.free, i)
	}
}

// each calls f with the encoding of every stored call (valid after unlocking).
func (t *callTable) each(f func(enc []byte)) {
	for _, l := range t.locs {
		if l.len > 0 {
			f(t.coded(l))
		}
	}
}

func (t *callTable) release(l callLoc) {
	t.bytes -= int(l.len)
	t.segs.unref(l.seg)
}

// coded returns a call's encoding (valid after unlocking: see segments).
func (t *callTable) coded(l callLoc) []byte { return t.segs.bytes(l.seg, l.off, l.len) }

// compact repacks the calls when the segments hold much more than the live calls, or when
// many freed segments lie behind an old one that a long call keeps (the segments' slice
// would grow with every segment written meanwhile).
func (t *callTable) compact() {
	if t.segs.held <= 2*t.bytes+4*segmentSize && len(t.segs.segs) <= 2*t.segs.held/segmentSize+64 {
		return
	}
	old := t.segs
	t.segs = segments{counted: true, base: old.base + uint64(len(old.segs))}
	for i, l := range t.locs {
		if l.len == 0 {
			continue
		}
		seg, off, dst := t.segs.reserve(int(l.len))
		copy(dst, old.bytes(l.seg, l.off, l.len))
		t.segs.ref(seg)
		t.locs[i] = callLoc{seg, off, l.len}
	}
}

// callLine returns the line of an encoded call (its second string, after the handle) without
// decoding it; nil if it does not decode.
func callLine(b []byte) []byte {
	var s []byte
	for range 2 { // the handle, then the line
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil
		}
		s, b = b[k:k+int(n)], b[k+int(n):]
	}
	return s
}

// decodeCalls decodes encoded calls, with every string of them in one allocation. Empty
// slices come back nil, as tapi's Clone makes them.
func decodeCalls(recs [][]byte, locs *locations) ([]tapi.Call, error) {
	d := pageDecoder(recs, locs)
	calls := make([]tapi.Call, len(recs))
	for i := range calls {
		c := &calls[i]
		d.call(c)
		if len(c.OtherCallIDs) == 0 {
			c.OtherCallIDs = nil
		}
		if len(c.Parties) == 0 {
			c.Parties = nil
		}
		if c.Conference != nil && len(c.Conference.Parties) == 0 {
			c.Conference.Parties = nil
		}
	}
	if d.bad || d.i != len(d.s) {
		return nil, errCorrupt
	}
	return calls, nil
}

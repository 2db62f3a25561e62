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
type callTable struct {
	byHandle map[tapi.CallHandle]callLoc
	segs     segments
	bytes    int // bytes of the live encodings
}

// callLoc locates a call's encoding.
type callLoc struct {
	seg      uint64 // segment number
	off, len uint32
}

func (t *callTable) count() int { return len(t.byHandle) }

// put stores enc as the call h, replacing its previous version.
func (t *callTable) put(h tapi.CallHandle, enc []byte) {
	if t.byHandle == nil {
		t.byHandle = map[tapi.CallHandle]callLoc{}
		t.segs.counted = true
	}
	seg, off, dst := t.segs.reserve(len(enc))
	copy(dst, enc)
	t.segs.ref(seg)
	t.bytes += len(enc)
	if old, ok := t.byHandle[h]; ok {
		t.release(old)
	}
	t.byHandle[h] = callLoc{seg, off, uint32(len(enc))}
}

// remove deletes the call h, if stored.
func (t *callTable) remove(h tapi.CallHandle) {
	if l, ok := t.byHandle[h]; ok {
		delete(t.byHandle, h)
		t.release(l)
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
	for h, l := range t.byHandle {
		seg, off, dst := t.segs.reserve(int(l.len))
		copy(dst, old.bytes(l.seg, l.off, l.len))
		t.segs.ref(seg)
		t.byHandle[h] = callLoc{seg, off, l.len}
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

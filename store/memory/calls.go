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
// The calls are found by the hash of their handle (handleHash, made before taking the lock)
// in a handleIndex, which holds their handles and locations: storing a changed call is one
// probe of that table, and comparing the handles is mostly comparing their pointers (the
// engine passes the same string each time). A Go map keyed by the handle took more dependent
// cache misses per access (its directory, group, then the slot it gave in an array of
// locations). A handle whose hash a stored call's other handle has goes to collided instead
// (a 64-bit hash: never, in practice); each handle is in one of the two at most.
type callTable struct {
	byHandle handleIndex[callSlot]
	collided map[tapi.CallHandle]callLoc
	segs     segments
	bytes    int // bytes of the live encodings
}

// callSlot is a call's entry in byHandle.
type callSlot struct {
	handle tapi.CallHandle
	callLoc
}

// callLoc locates a call's encoding (never empty: it holds the handle).
type callLoc struct {
	seg      uint64 // segment number
	off, len uint32
}

func (t *callTable) count() int { return t.byHandle.n + len(t.collided) }

// put stores enc as the call h, replacing its previous version; hh is handleHash(h).
func (t *callTable) put(h tapi.CallHandle, hh uint64, enc []byte) {
	t.segs.counted = true
	seg, off, dst := t.segs.reserve(len(enc))
	copy(dst, enc)
	t.segs.ref(seg)
	t.bytes += len(enc)
	l := callLoc{seg, off, uint32(len(enc))}
	if len(t.collided) > 0 {
		if old, ok := t.collided[h]; ok {
			t.release(old)
			t.collided[h] = l
			return
		}
	}
	i, found := t.byHandle.slot(hh)
	if found {
		old := &t.byHandle.locs[i]
		if old.handle != h {
			if t.collided == nil {
				t.collided = map[tapi.CallHandle]callLoc{}
			}
			t.collided[h] = l
			return
		}
		t.release(old.callLoc)
		old.callLoc = l
		return
	}
	t.byHandle.setAt(i, hh, callSlot{h, l})
}

// remove deletes the call h, if stored; hh is handleHash(h).
func (t *callTable) remove(h tapi.CallHandle, hh uint64) {
	if len(t.collided) > 0 {
		if old, ok := t.collided[h]; ok {
			delete(t.collided, h)
			t.release(old)
			return
		}
	}
	if t.byHandle.n == 0 {
		return
	}
	if i, ok := t.byHandle.find(key(hh)); ok && t.byHandle.locs[i].handle == h {
		t.release(t.byHandle.locs[i].callLoc)
		t.byHandle.removeAt(i)
	}
}

// each calls f with the encoding of every stored call (valid after unlocking).
func (t *callTable) each(f func(enc []byte)) {
	for i, k := range t.byHandle.keys {
		if k != 0 {
			f(t.coded(t.byHandle.locs[i].callLoc))
		}
	}
	for _, l := range t.collided {
		f(t.coded(l))
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
	move := func(l callLoc) callLoc {
		seg, off, dst := t.segs.reserve(int(l.len))
		copy(dst, old.bytes(l.seg, l.off, l.len))
		t.segs.ref(seg)
		return callLoc{seg, off, l.len}
	}
	for i, k := range t.byHandle.keys {
		if k != 0 {
			t.byHandle.locs[i].callLoc = move(t.byHandle.locs[i].callLoc)
		}
	}
	for h, l := range t.collided {
		t.collided[h] = move(l)
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

package memory

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRingAcrossChunks fills rings of several sizes (within a chunk, on a chunk's edge, across
// chunks) several times over, in batches of 5, and checks after each batch that the oldest and
// newest retained offsets, and now and then all of them, give their own entries.
func TestRingAcrossChunks(t *testing.T) {
	for _, size := range []int{1, 3, ringChunk - 1, ringChunk, ringChunk + 5, 2*ringChunk + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			r := ring{max: size}
			var buf []byte
			var ends []int
			for off := uint64(1); off <= uint64(3*size+7); off++ {
				buf = binary.AppendUvarint(buf, off)
				ends = append(ends, len(buf))
				if len(ends) < 5 && off < uint64(3*size+7) {
					continue
				}
				r.pushAll(buf, ends)
				buf, ends = buf[:0], ends[:0]
				if r.last != off || r.oldest() != off+1-min(off, uint64(size)) {
					t.Fatalf("after %d: last %d, oldest %d", off, r.last, r.oldest())
				}
				step := uint64(1)
				if off%1000 > 5 { // all of them now and then: the sizes above make millions
					step = r.last - r.oldest() + 1
				}
				for o := r.oldest(); o <= r.last; o += min(step, max(r.last-o, 1)) {
					if got, _ := binary.Uvarint(r.at(o)); got != o {
						t.Fatalf("after %d: entry at %d holds %d", off, o, got)
					}
				}
			}
		})
	}
}

// Batches of entries of many sizes, some larger than a segment, cross segment boundaries
// anywhere in a batch: every retained entry reads back as written.
func TestRingAcrossSegments(t *testing.T) {
	r := ring{max: 3000}
	rnd := rand.New(rand.NewPCG(4, 2))
	entry := func(off uint64) []byte {
		n := 1 + int(off*7919%3000)
		if off%500 == 0 {
			n = segmentSize + 100
		}
		b := binary.AppendUvarint(make([]byte, 0, n+10), off)
		for len(b) < n {
			b = append(b, byte(off))
		}
		return b
	}
	var buf []byte
	var ends []int
	for off := uint64(1); off <= 20000; {
		buf, ends = buf[:0], ends[:0]
		for range 1 + rnd.IntN(60) {
			buf = append(buf, entry(off)...)
			ends = append(ends, len(buf))
			off++
		}
		r.pushAll(buf, ends)
		for o := r.oldest(); o <= r.last; o += 1 + uint64(rnd.IntN(50)) {
			if !bytes.Equal(r.at(o), entry(o)) {
				t.Fatalf("after %d: entry at %d differs", r.last, o)
			}
		}
	}
	if n := len(r.segs.segs); n > 3000*3000/segmentSize+10 {
		t.Fatalf("%d segments held for 3,000 entries", n)
	}
}

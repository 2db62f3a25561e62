package memory

import (
	"encoding/binary"
	"fmt"
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

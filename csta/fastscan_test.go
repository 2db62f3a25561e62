package csta

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// textWord agrees with the scanner's byte classes on every byte at every place of a word,
// next to text and to every other byte, and on random words.
func TestTextWord(t *testing.T) {
	check := func(w [8]byte) {
		want := true
		for _, c := range w {
			want = want && fastClass[c]&ftText != 0
		}
		if got := textWord(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("%q: textWord %v, classes %v", w, got, want)
		}
	}
	for i := range 8 {
		for c := range 256 {
			for _, other := range []byte{'a', '0', '~', '!', '<', ' ', 0x80, 0xff, 0} {
				w := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
				w[i] = byte(c)
				check(w)
				w[(i+1)%8] = other
				check(w)
				w[(i+7)%8] = other
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		check(w)
		for j := range w {
			if r.IntN(2) == 0 {
				w[j] = byte(0x21 + r.IntN(0x5e))
			}
		}
		check(w)
	}
}

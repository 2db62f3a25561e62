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

// textWords agrees with the byte classes on every run of 1 to 40 bytes with one byte of
// every value at every place, followed by any byte (a short run is read with the bytes after
// it), and refuses a run that the buffer does not hold eight bytes of.
func TestTextWords(t *testing.T) {
	want := func(b []byte) bool {
		for _, c := range b {
			if fastClass[c]&ftText == 0 {
				return false
			}
		}
		return len(b) > 0
	}
	buf := make([]byte, 64)
	for n := 1; n <= 40; n++ {
		for at := range n {
			for c := range 256 {
				for _, after := range []byte{'<', ' ', 0, 0xff} {
					for j := range buf {
						buf[j] = 'a' + byte(j%26)
					}
					buf[3+at] = byte(c)
					for j := 3 + n; j < len(buf); j++ {
						buf[j] = after
					}
					if got := textWords(buf, 3, n); got != want(buf[3:3+n]) {
						t.Fatalf("n %d, byte %#x at %d, then %#x: textWords %v", n, c, at, after, got)
					}
				}
			}
		}
	}
	if textWords([]byte("abc<"), 0, 3) || textWords([]byte("abcdefgh"), 0, 0) || textWords([]byte("abcdefgh"), 4, 5) {
		t.Fatal("textWords read past its buffer or took an empty run")
	}
}

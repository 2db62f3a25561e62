package wordbytes

import (
	"encoding/binary"
	"fmt"
	"testing"
)

func TestLoad(t *testing.T) {
	s := "\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	if got, want := Load8(s), binary.LittleEndian.Uint64([]byte(s)); got != want {
		t.Fatalf("Load8 %x, want %x", got, want)
	}
	if got, want := Load4(s[1:]), binary.LittleEndian.Uint32([]byte(s[1:])); got != want {
		t.Fatalf("Load4 %x, want %x", got, want)
	}
}

func TestDigitPairs(t *testing.T) {
	for v := range 100 {
		if got := DigitPairs[2*v : 2*v+2]; got != fmt.Sprintf("%02d", v) {
			t.Fatalf("pair %d is %q", v, got)
		}
	}
}

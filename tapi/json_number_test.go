package tapi

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendUintMatchesStrconv holds appendUint to strconv at every power of ten and its
// neighbours, the extremes, and random values of every bit length.
func TestAppendUintMatchesStrconv(t *testing.T) {
	check := func(v uint64) {
		t.Helper()
		if got, want := string(appendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Fatalf("appendUint(%d) = %s, want %s", v, got, want)
		}
	}
	for p := uint64(1); p <= 1e19; p *= 10 {
		check(p - 1)
		check(p)
		check(p + 1)
	}
	check(0)
	check(math.MaxUint64)
	check(uint64(LineDeviceID("hq/201")))
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		check(r.Uint64() >> r.IntN(64))
		check(1e8 + r.Uint64N(1e10-1e8))
	}
}

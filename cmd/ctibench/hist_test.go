package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketsAreMonotonicAndTight(t *testing.T) {
	prev := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/97 {
		b := bucketOf(us)
		if b < prev {
			t.Fatalf("bucket of %d µs is %d, below %d of a smaller value", us, b, prev)
		}
		prev = b
		mid := bucketMid(b)
		if us > 0 && math.Abs(mid-float64(us))/float64(us) > 0.04 {
			t.Fatalf("%d µs lands in bucket %d with middle %.1f: error above 4 %%", us, b, mid)
		}
	}
	if b := bucketOf(math.MaxUint64); b != histBuckets-1 {
		t.Fatalf("huge value in bucket %d, want the last (%d)", b, histBuckets-1)
	}
}

func TestQuantiles(t *testing.T) {
	var h hist
	if h.quantile(0.99) != 0 {
		t.Fatal("empty histogram must report 0")
	}
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	h.record(-time.Second) // clock step: counted as 0
	s := h.summary()
	if s.Count != 1001 {
		t.Fatalf("count %d, want 1001", s.Count)
	}
	for _, c := range []struct{ got, want float64 }{{s.P50, 500}, {s.P99, 990}, {s.P999, 999}, {s.Max, 1000}} {
		if math.Abs(c.got-c.want)/c.want > 0.04 {
			t.Errorf("quantile %.2f ms, want about %.0f ms", c.got, c.want)
		}
	}
	var m hist
	m.merge(&h)
	if m.summary() != s {
		t.Fatalf("merged summary %+v differs from %+v", m.summary(), s)
	}
}

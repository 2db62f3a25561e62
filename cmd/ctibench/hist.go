package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Latency histogram with log-linear buckets over microseconds: exact below 64 µs, then 32
// buckets per power of two (at most ~3 % relative error). Counters are atomic so that
// thousands of client goroutines record without a lock.
const (
	histLinear  = 64
	histSub     = 32
	histShifts  = 36
	histBuckets = histLinear + histShifts*histSub
)

type hist struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	maxUS  atomic.Uint64
}

func bucketOf(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	shift := bits.Len64(us) - 6
	if shift > histShifts {
		return histBuckets - 1
	}
	return histLinear + (shift-1)*histSub + int(us>>uint(shift)) - histSub
}

// bucketMid is the middle of bucket i, in microseconds.
func bucketMid(i int) float64 {
	if i < histLinear {
		return float64(i)
	}
	k := (i - histLinear) / histSub
	m := uint64((i-histLinear)%histSub + histSub)
	shift := uint(k + 1)
	lo := m << shift
	hi := (m + 1) << shift
	return float64(lo+hi) / 2
}

// record adds one latency; negative values (clock steps) count as zero.
func (h *hist) record(d time.Duration) {
	us := uint64(0)
	if d > 0 {
		us = uint64(d / time.Microsecond)
	}
	h.counts[bucketOf(us)].Add(1)
	h.n.Add(1)
	for {
		m := h.maxUS.Load()
		if us <= m || h.maxUS.CompareAndSwap(m, us) {
			break
		}
	}
}

func (h *hist) merge(o *hist) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c > 0 {
			h.counts[i].Add(c)
		}
	}
	h.n.Add(o.n.Load())
	for {
		m, om := h.maxUS.Load(), o.maxUS.Load()
		if om <= m || h.maxUS.CompareAndSwap(m, om) {
			break
		}
	}
}

// quantile returns the q-quantile (0 < q <= 1) in milliseconds, 0 when empty.
func (h *hist) quantile(q float64) float64 {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			return bucketMid(i) / 1000
		}
	}
	return float64(h.maxUS.Load()) / 1000
}

// Latency is a summary in milliseconds, as reported.
type Latency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p99_9_ms"`
	Max   float64 `json:"max_ms"`
}

func (h *hist) summary() Latency {
	return Latency{Count: h.n.Load(), P50: h.quantile(0.50), P99: h.quantile(0.99),
		P999: h.quantile(0.999), Max: float64(h.maxUS.Load()) / 1000}
}

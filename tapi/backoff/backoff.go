package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter says how a wait is randomised below its ceiling.
type Jitter int

const (
	// Full draws the wait from (0, ceiling]: the widest spread, for many independent
	// retriers of one shared resource.
	Full Jitter = iota
	// Equal draws it from [ceiling/2, ceiling]: spread out, but never much shorter than
	// the ceiling (a link retrying a PBX node should not hammer it).
	Equal
	// None waits the ceiling itself: for a single retrier whose rhythm nobody shares.
	None
)

// Policy is an exponential backoff: the ceiling of retry n (n >= 1) is Min*2^(n-1), at most
// Max.
type Policy struct {
	Min, Max time.Duration
	Jitter   Jitter
}

// Ceiling returns the longest wait before retry n (n < 1 counts as 1). Without Max it grows
// until it would overflow.
func (p Policy) Ceiling(n int) time.Duration {
	d := max(p.Min, 0)
	for i := 1; i < n && (p.Max <= 0 || d < p.Max) && d < 1<<61; i++ {
		d *= 2
	}
	if p.Max > 0 {
		d = min(d, p.Max)
	}
	return d
}

// Wait returns the jittered wait before retry n.
func (p Policy) Wait(n int) time.Duration {
	c := p.Ceiling(n)
	if c <= 0 {
		return 0
	}
	switch p.Jitter {
	case Full:
		return rand.N(c) + 1
	case Equal:
		return c/2 + rand.N(c/2+1)
	}
	return c
}

// Sleep waits d, or until ctx ends; it reports whether the whole wait passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

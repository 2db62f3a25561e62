package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter is a token bucket per key (user, line or remote address), from
// golang.org/x/time/rate: perMinute tokens, refilled continuously, holding at most burst. A
// negative perMinute disables it.
type rateLimiter struct {
	perMinute int
	burst     int
	mu        sync.Mutex
	limiters  map[string]*rate.Limiter
	now       func() time.Time
}

// sweepAbove is the limiter count above which full (idle) ones are dropped, so that a map
// keyed by remote address does not grow without bound.
const sweepAbove = 4096

// newRateLimiter returns a limiter whose burst equals its rate per minute.
func newRateLimiter(perMinute int) *rateLimiter { return newBurstLimiter(perMinute, perMinute) }

func newBurstLimiter(perMinute, burst int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, burst: max(burst, 1), limiters: map[string]*rate.Limiter{}, now: time.Now}
}

// grant is a token taken by allow; refund gives it back (for a request another limit refused).
type grant struct {
	r  *rate.Reservation
	at time.Time
}

func (g grant) refund() {
	if g.r != nil {
		g.r.CancelAt(g.at)
	}
}

// allow takes one token for key. When none is left it returns how long until one is: the
// Retry-After of the refusal.
func (l *rateLimiter) allow(key string) (grant, bool, time.Duration) {
	if l.perMinute < 0 {
		return grant{}, true, 0
	}
	now := l.now()
	l.mu.Lock()
	lim, ok := l.limiters[key]
	if !ok {
		if len(l.limiters) >= sweepAbove {
			l.sweep(now)
		}
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.burst)
		l.limiters[key] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return grant{}, false, time.Minute // a rate of 0: nothing after the burst
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return grant{}, false, wait
	}
	return grant{r: r, at: now}, true, 0
}

// sweep drops the limiters that have refilled: they are what a new one would be. It runs
// under l.mu.
func (l *rateLimiter) sweep(now time.Time) {
	for k, lim := range l.limiters {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.limiters, k)
		}
	}
}

// retryAfter is the value of a Retry-After header for a wait: whole seconds, rounded up, at
// least 1.
func retryAfter(wait time.Duration) int {
	s := int((wait + time.Second - 1) / time.Second)
	return max(s, 1)
}

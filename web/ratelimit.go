package web

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per key (user, line or remote address): perMinute tokens,
// refilled continuously, holding at most burst. A negative perMinute disables it.
type rateLimiter struct {
	perMinute int
	burst     int
	mu        sync.Mutex
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// sweepAbove is the bucket count above which full (idle) buckets are dropped, so that a map
// keyed by remote address does not grow without bound.
const sweepAbove = 4096

// newRateLimiter returns a limiter whose burst equals its rate per minute.
func newRateLimiter(perMinute int) *rateLimiter { return newBurstLimiter(perMinute, perMinute) }

func newBurstLimiter(perMinute, burst int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, burst: max(burst, 1), buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one token for key. When none is left it returns how long until one is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	if l.perMinute < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	rate := float64(l.perMinute) / float64(time.Minute) // tokens per nanosecond
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= sweepAbove {
			l.sweep(now, rate)
		}
		b = &bucket{tokens: float64(l.burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = min(b.tokens+float64(now.Sub(b.last))*rate, float64(l.burst))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if rate == 0 {
		return false, time.Minute
	}
	return false, time.Duration((1 - b.tokens) / rate)
}

// refund gives back a token taken by allow, for a request another limit refused.
func (l *rateLimiter) refund(key string) {
	if l.perMinute < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b.tokens = min(b.tokens+1, float64(l.burst))
	}
}

// sweep drops the buckets that have refilled: they are what a new bucket would be.
func (l *rateLimiter) sweep(now time.Time, rate float64) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.last))*rate >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// retryAfter is the value of a Retry-After header for a wait: whole seconds, rounded up, at
// least 1.
func retryAfter(wait time.Duration) int {
	s := int((wait + time.Second - 1) / time.Second)
	return max(s, 1)
}

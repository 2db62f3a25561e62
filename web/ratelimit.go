package web

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per key (user name): perMinute tokens, refilled continuously,
// burst equal to perMinute. It is used for click-to-dial, which rings real phones.
type rateLimiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, buckets: map[string]*bucket{}, now: time.Now}
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
		b = &bucket{tokens: float64(l.perMinute), last: now}
		l.buckets[key] = b
	}
	b.tokens += float64(now.Sub(b.last)) * rate
	if b.tokens > float64(l.perMinute) {
		b.tokens = float64(l.perMinute)
	}
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

package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The limiter's refusals say exactly how long until the next token (the Retry-After the
// client gets), refunds give tokens back, and idle keys are swept.
func TestRateLimiterRetryAfterAndRefund(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	l := newBurstLimiter(60, 2) // a token a second, two in the bucket
	l.now = func() time.Time { return at }

	for i := range 2 {
		_, ok, _ := l.allow("alice")
		require.True(t, ok, "burst token %d", i)
	}
	_, ok, wait := l.allow("alice")
	require.False(t, ok)
	require.Equal(t, time.Second, wait, "one token a second: the next in 1 s")
	require.Equal(t, 1, retryAfter(wait))

	at = at.Add(400 * time.Millisecond)
	_, ok, wait = l.allow("alice")
	require.False(t, ok, "a refused request takes nothing: still 600 ms to wait")
	require.Equal(t, 600*time.Millisecond, wait)
	require.Equal(t, 1, retryAfter(wait), "Retry-After rounds up to whole seconds")

	_, ok, _ = l.allow("bob")
	require.True(t, ok, "keys have buckets of their own")

	at = at.Add(600 * time.Millisecond)
	g, ok, _ := l.allow("alice")
	require.True(t, ok)
	g.refund()
	_, ok, _ = l.allow("alice")
	require.True(t, ok, "the refunded token is there again")

	// Full buckets are dropped once the map is large; a swept key starts full again.
	at = at.Add(time.Hour)
	l.mu.Lock()
	l.sweep(at)
	n := len(l.limiters)
	l.mu.Unlock()
	require.Zero(t, n, "every bucket refilled in an hour")

	off := newBurstLimiter(-1, 1)
	for range 100 {
		_, ok, _ := off.allow("x")
		require.True(t, ok, "a negative rate disables the limit")
	}
}

package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCeilingDoublesUpToMax(t *testing.T) {
	p := Policy{Min: 50 * time.Millisecond, Max: time.Second}
	want := []time.Duration{50, 50, 100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		require.Equal(t, w*time.Millisecond, p.Ceiling(n), "retry %d", n)
	}
	require.Equal(t, 40*time.Millisecond, Policy{Min: 5 * time.Millisecond}.Ceiling(4), "no Max: unbounded")
	require.Equal(t, time.Duration(0), Policy{}.Ceiling(3))
}

func TestWaitStaysInItsJitterBand(t *testing.T) {
	for _, tc := range []struct {
		j      Jitter
		lo, hi time.Duration
	}{{Full, 1, 400 * time.Millisecond}, {Equal, 200 * time.Millisecond, 400 * time.Millisecond},
		{None, 400 * time.Millisecond, 400 * time.Millisecond}} {
		p := Policy{Min: 50 * time.Millisecond, Max: time.Second, Jitter: tc.j}
		seen := map[time.Duration]bool{}
		for range 1000 {
			w := p.Wait(4)
			require.GreaterOrEqual(t, w, tc.lo)
			require.LessOrEqual(t, w, tc.hi)
			seen[w] = true
		}
		if tc.j != None {
			require.Greater(t, len(seen), 100, "jitter %d draws spread out", tc.j)
		}
	}
	require.Equal(t, time.Duration(0), Policy{Jitter: Full}.Wait(1))
}

func TestSleepEndsWithTheContext(t *testing.T) {
	require.True(t, Sleep(context.Background(), time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.False(t, Sleep(ctx, time.Hour))
	require.False(t, Sleep(ctx, 0))
}

package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBehindInOneResyncIsOneEpisode: a session that falls behind again and again during one
// PBX resync (a burst the bridge caused) is charged one episode, not one per time; outside a
// resync, or in the next one, each time counts.
func TestBehindInOneResyncIsOneEpisode(t *testing.T) {
	c := &wsConn{s: &Server{cfg: Config{BehindLimit: time.Hour}}}
	now := time.Now()
	for i := range 3 * maxBehindEpisodes {
		_, why := c.noteBehind(now.Add(time.Duration(i)*time.Millisecond), 7)
		require.Empty(t, why, "time %d behind in resync 7", i)
	}
	for i := range maxBehindEpisodes - 2 { // resync 7 was one episode, the next resync is one
		_, why := c.noteBehind(now.Add(time.Second+time.Duration(i)*time.Millisecond), 0)
		require.Empty(t, why)
	}
	_, why := c.noteBehind(now.Add(2*time.Second), 8)
	require.Empty(t, why)
	_, why = c.noteBehind(now.Add(3*time.Second), 0)
	require.Contains(t, why, "slow consumer: fell behind more than")
}

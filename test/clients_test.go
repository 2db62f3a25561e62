package e2e

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Client connections are cut at random and the clients reconnect to other instances and
// resume from their cursors; meanwhile the every-line client reads slowly, so that the
// bridge may disconnect it as a slow consumer and it has to resume as well.
func TestClientChurnAndSlowClient(t *testing.T) {
	scenario(t, clusterOpts{slowBuffer: 4}, func(c *cluster) {
		c.watcher.delay.Store(int64(60 * time.Millisecond))
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
		cut := 0
		end := time.Now().Add(2 * phase())
		for time.Now().Before(end) {
			cut += c.relays[rng.IntN(len(c.relays))].cut(1+rng.IntN(2), rng)
			time.Sleep(150 * time.Millisecond)
		}
		_, drops := c.watcher.sessions()
		t.Logf("cut %d client connections; the slow client was disconnected %d times", cut, drops)
		if cut == 0 {
			t.Error("no client connection was cut")
		}
	})
}

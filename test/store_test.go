package e2e

import (
	"testing"
	"time"
)

// Redis restarts empty (no persistence): leases, state and log are gone. Owners self-fence,
// one instance takes the link again, resyncs, and clients get a resync for the new epoch.
func TestRedisRestart(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		old := c.owner()
		start := time.Now()
		c.redis.Restart()
		t0 := time.Now() // Redis answers again, empty
		t.Logf("Redis down and back in %v", t0.Sub(start).Round(time.Millisecond))
		owner, at := c.waitLeaseMoved("", t0, 20*leaseTTL)
		time.Sleep(phase())
		c.takeoverTimes("Redis restart (was "+old.id+")", owner, at, t0)
	})
}

// Sentinel moves the master to the replica; the bridges follow it through the Sentinels.
func TestRedisSentinelFailover(t *testing.T) {
	scenario(t, clusterOpts{sentinel: true}, func(c *cluster) {
		start := time.Now()
		if err := c.sentinel.Failover(c.ctx); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now() // the former replica accepts writes
		t.Logf("Sentinel failover took %v", t0.Sub(start).Round(time.Millisecond))
		owner, at := c.waitLeaseMoved("", t0, 20*leaseTTL)
		time.Sleep(phase())
		c.takeoverTimes("Sentinel failover", owner, at, t0)
	})
}

package e2e

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The active PBX node dies: the owner switches to the standby, re-monitors and resyncs hot.
func TestPBXActiveNodeKilled(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		t0 := mustFault(c, "primary", "kill", nil)
		time.Sleep(phase())
		c.switchoverTimes("primary killed", t0)
	})
}

// The active node stops answering but keeps the TCP connection (half-open): missed
// heartbeats must take the bridge to the standby.
func TestPBXActiveNodeFrozen(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		t0 := mustFault(c, "primary", "freeze", map[string]bool{"on": true})
		time.Sleep(phase())
		c.switchoverTimes("primary frozen", t0)
	})
}

// Both nodes go down while calls go on at the phones; then the standby comes back and the
// bridge must show exactly the calls that exist then.
func TestPBXBothNodesDownThenOneBack(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		mustFault(c, "primary", "kill", nil)
		mustFault(c, "standby", "kill", nil)
		time.Sleep(phase())
		t0 := mustFault(c, "standby", "restart", nil)
		// The bridge has been retrying with a growing backoff (with jitter) while both
		// were down: its next try may come later than a phase.
		c.waitEntry(t0, tapi.BridgeResync, func(e store.Entry) bool { return e.Event.Resync.Phase == "completed" }, 20*time.Second)
		time.Sleep(phase())
		c.switchoverTimes("standby back after both down", t0)
	})
}

// No fault: the reference run. Any failure here is not about failover.
func TestBaselineNoFault(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {})
}

// Switches that differ from the simulator's own reading of CSTA: OpenScape Voice shapes
// (decorated device IDs, application sessions, OSV extras) and a minimal switch (no callIDs,
// events naming the recipient's own connection, no SnapshotCall). Calls run, the active node
// dies, and every client must end with no lost event and the switch's call states.
func TestSwitchProfiles(t *testing.T) {
	for _, p := range []string{"osv", "minimal"} {
		t.Run(p, func(t *testing.T) {
			scenario(t, clusterOpts{profile: p}, func(c *cluster) {
				t0 := mustFault(c, "primary", "kill", nil)
				time.Sleep(phase())
				c.switchoverTimes(p+": primary killed", t0)
			})
		})
	}
}

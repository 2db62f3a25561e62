package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// phase returns how long calls run before a fault and after it, before verification.
func phase() time.Duration {
	if *soak {
		return 15 * time.Second
	}
	return 2 * time.Second
}

// scenario starts a cluster, builds up calls, runs fault while calls keep changing, lets
// them run on, and verifies.
func scenario(t *testing.T, opts clusterOpts, fault func(c *cluster)) {
	timeout := 90 * time.Second
	if *soak {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := newCluster(t, ctx, opts)
	c.gen.start(ctx, uint64(time.Now().UnixNano()))
	time.Sleep(phase())
	fault(c)
	time.Sleep(phase())
	c.verify()
}

// switchoverTimes logs how long the bridge took to move to the other node after a PBX fault.
func (c *cluster) switchoverTimes(what string, t0 time.Time) {
	marks := map[string]time.Time{}
	if e, ok := c.firstEntry(t0, tapi.BridgeSwitchover, nil); ok {
		marks["BRIDGE_SWITCHOVER logged"] = e.Event.Time
	}
	if e, ok := c.firstEntry(t0, tapi.BridgeResync, func(e store.Entry) bool { return e.Event.Resync.Phase == "completed" }); ok {
		marks["resync completed"] = e.Event.Time
	}
	if at, ok := c.firstClientEventAt(t0); ok {
		marks["first line event at a client"] = at
	}
	c.logTimes(what, t0, marks)
	if len(marks) == 0 {
		c.t.Errorf("%s: no switchover, resync or line event after the fault", what)
	}
}

func mustFault(c *cluster, node, fault string, body any) time.Time {
	c.t.Helper()
	t0 := time.Now()
	if err := c.sim.fault(c.ctx, node, fault, body); err != nil {
		c.t.Fatalf("%s %s: %v", fault, node, err)
	}
	return t0
}

package e2e

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// waitLeaseMoved waits until another instance than from holds the lease and returns it.
func (c *cluster) waitLeaseMoved(from string, t0 time.Time, within time.Duration) (string, time.Time) {
	c.t.Helper()
	var owner string
	var at time.Time
	err := poll(c.ctx, within, func() error {
		var ok bool
		if owner, at, ok = c.leaseMovedAt(from, t0); !ok {
			return fmt.Errorf("the lease has not left %s", from)
		}
		return nil
	})
	if err != nil {
		c.t.Fatalf("%v within %v", err, within)
	}
	return owner, at
}

// takeoverTimes logs the steps of a takeover after t0.
func (c *cluster) takeoverTimes(what, owner string, leaseAt, t0 time.Time) {
	marks := map[string]time.Time{"lease held by " + owner: leaseAt}
	if at, ok := c.firstRequestAt(owner, leaseAt.Add(-50*time.Millisecond)); ok {
		marks["first CSTA request of "+owner] = at
	}
	if e, ok := c.firstEntry(t0, tapi.BridgeResync, func(e store.Entry) bool { return e.Event.Resync.Phase == "completed" }); ok {
		marks["resync completed"] = e.Event.Time
	}
	if e, ok := c.firstEntry(leaseAt.Add(-50*time.Millisecond), tapi.LineCallState, nil); ok {
		marks["first line event logged"] = e.Event.Time
	}
	if at, ok := c.firstClientEventAt(leaseAt.Add(-50 * time.Millisecond)); ok {
		marks["first line event at a client (events flowing)"] = at
	}
	c.logTimes(what, t0, marks)
}

// The owner dies without a word: another instance must take the lease when it expires,
// connect to the active node, resync hot and continue the same log.
func TestOwnerSIGKILL(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		old := c.owner()
		t0 := time.Now()
		old.signal(syscall.SIGKILL)
		owner, at := c.waitLeaseMoved(old.id, t0, 10*leaseTTL)
		time.Sleep(phase())
		c.takeoverTimes("owner SIGKILL", owner, at, t0)
	})
}

// SIGTERM hands the lease over at once instead of letting it expire.
func TestOwnerSIGTERM(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		old := c.owner()
		t0 := time.Now()
		old.signal(syscall.SIGTERM)
		owner, at := c.waitLeaseMoved(old.id, t0, 10*leaseTTL)
		if err := old.wait(15 * time.Second); err != nil {
			t.Errorf("after SIGTERM: %v", err)
		}
		time.Sleep(phase())
		c.takeoverTimes("owner SIGTERM", owner, at, t0)
	})
}

// The owner is stopped past its lease and resumed: another instance owns the link by then,
// and the resumed process must send nothing to the PBX and drop its link.
func TestOwnerSIGSTOPPastLease(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		old := c.owner()
		t0 := time.Now()
		old.signal(syscall.SIGSTOP)
		owner, at := c.waitLeaseMoved(old.id, t0, 10*leaseTTL)
		time.Sleep(leaseTTL)
		tCont := time.Now()
		old.signal(syscall.SIGCONT)
		err := poll(c.ctx, 10*time.Second, func() error {
			if n := c.proxies["primary"].openLinks(old.id) + c.proxies["standby"].openLinks(old.id); n > 0 {
				return fmt.Errorf("%s still has %d CSTA links open after SIGCONT", old.id, n)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		time.Sleep(phase())
		if at, ok := c.firstRequestAt(old.id, tCont); ok {
			t.Errorf("%s sent a CSTA request %v after it was resumed, while %s owned the link", old.id, at.Sub(tCont), owner)
		}
		c.takeoverTimes("owner SIGSTOP", owner, at, t0)
	})
}

// The PBX prefers bridge-c. Killed, it loses the link to another instance; started again, it
// gets the link handed back while calls go on, and no two instances talk to the PBX at once.
func TestPreferredInstanceReturns(t *testing.T) {
	const preferred = "bridge-c"
	scenario(t, clusterOpts{preferred: preferred}, func(c *cluster) {
		c.waitOwner(preferred, 10*time.Second)
		old := c.owner()
		t0 := time.Now()
		old.signal(syscall.SIGKILL)
		owner, at := c.waitLeaseMoved(old.id, t0, 10*leaseTTL)
		c.takeoverTimes("preferred owner SIGKILL", owner, at, t0)
		time.Sleep(phase())

		t1 := time.Now()
		back := c.startBridge(preferred)
		if err := back.ready(c.ctx); err != nil {
			t.Fatal(err)
		}
		for i, b := range c.bridges {
			if b == old {
				c.bridges[i] = back
			}
		}
		c.waitOwner(preferred, 15*time.Second)
		_, at2, _ := c.leaseMovedAt(owner, t1)
		c.takeoverTimes("hand-over to the preferred instance", preferred, at2, t1)
	})
}

// waitOwner waits until instance id holds the lease.
func (c *cluster) waitOwner(id string, within time.Duration) {
	c.t.Helper()
	err := poll(c.ctx, within, func() error {
		if o := c.owner(); o == nil || o.id != id {
			return fmt.Errorf("the lease is not held by %s", id)
		}
		return nil
	})
	if err != nil {
		c.t.Fatalf("%v within %v", err, within)
	}
}

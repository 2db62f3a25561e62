package redisstore

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// Under Sentinel a lease change counts only once the replica has it: with the replica frozen
// a renewal is refused (the owner keeps its old deadline, so a failover to that replica cannot
// give the lease to a second instance while the first still believes it holds it), and it
// succeeds again once the replica catches up.
func TestLeaseChangeNeedsTheReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("a Sentinel setup takes seconds")
	}
	sn := redistest.StartSentinel(t)
	s := open(t, Options{Addrs: sn.Addrs(), MasterName: redistest.MasterName, ProbeInterval: 100 * time.Millisecond})
	// On a loaded machine the replica may take longer than the WAIT to acknowledge even the
	// first acquisition; the engine retries it, and so does the test.
	var l store.Lease
	eventually(t, "first acquisition acknowledged by the replica", func() error {
		var err error
		l, err = s.AcquireLease(tctx(t), "hq", "a", 2*time.Second)
		if err != nil && !errors.Is(err, ErrLeaseNotReplicated) {
			t.Fatal(err)
		}
		return err
	})

	sn.Replica.Pause()
	_, err := s.RenewLease(tctx(t), l, 2*time.Second)
	require.ErrorIs(t, err, ErrLeaseNotReplicated)
	sn.Replica.Resume()

	eventually(t, "renewal acknowledged once the replica runs again", func() error {
		_, err := s.RenewLease(tctx(t), l, 2*time.Second)
		if err != nil && !errors.Is(err, ErrLeaseNotReplicated) {
			t.Fatal(err)
		}
		return err
	})
}

package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// After SENTINEL FAILOVER the store, configured with MasterName and the sentinels, keeps
// writing to the promoted replica with the same lease, and the log continues.
func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("a Sentinel setup takes seconds")
	}
	sn := redistest.StartSentinel(t)
	s := open(t, Options{Addrs: sn.Addrs(), MasterName: redistest.MasterName, ProbeInterval: 100 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	evs := events("f", 20)
	for _, e := range evs[:10] {
		applyOne(t, s, l.Fence(), e)
	}
	// Asynchronous replication: wait until the replica has all ten before failing over.
	k := newKeys(s.opts.KeyPrefix, "hq")
	eventually(t, "replication of the first entries", func() error {
		off, err := redistest.Do(sn.Replica.Addr, "HGET", k.meta(), "offset")
		if err != nil || off != "10" {
			return errors.New("replica offset " + off)
		}
		return nil
	})

	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := sn.Failover(ctx); err != nil {
		t.Fatal(err)
	}
	var entries []store.Entry
	for _, e := range evs[10:] {
		entries = append(entries, applyOne(t, s, l.Fence(), e))
	}
	if entries[0].Offset != 11 || entries[9].Offset != 20 {
		t.Fatalf("offsets after failover %d..%d, want 11..20", entries[0].Offset, entries[9].Offset)
	}
	if role, err := redistest.Do(sn.Replica.Addr, "ROLE"); err != nil || !strings.HasPrefix(role, "master") {
		t.Fatalf("former replica role %q, %v", role, err)
	}
	all, err := s.Replay(tctx(t), "hq", entries[0].Epoch, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantSequence(t, all, entries[0].Epoch, 1, details("f", 0, 20))
	// The subscription follows the master to its new address and misses nothing.
	wantSequence(t, receive(t, sub, 20), entries[0].Epoch, 1, details("f", 0, 20))
	if _, err := s.RenewLease(tctx(t), l, time.Hour); err != nil {
		t.Fatalf("renew after failover: %v", err)
	}
}

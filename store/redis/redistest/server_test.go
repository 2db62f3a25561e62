package redistest

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestStartRestartKeepsPortAndLosesData(t *testing.T) {
	s := Start(t)
	if _, err := s.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	port := s.Port
	s.Restart()
	if s.Port != port {
		t.Fatalf("port changed from %d to %d", port, s.Port)
	}
	if v, err := s.Do("EXISTS", "k"); err != nil || v != "0" {
		t.Fatalf("after restart without SAVE: EXISTS k = %q, %v; want 0", v, err)
	}
	if _, err := s.Do("SET", "k", "v2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Do("SAVE"); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	if v, err := s.Do("GET", "k"); err != nil || v != "v2" {
		t.Fatalf("after SAVE and restart: GET k = %q, %v; want v2", v, err)
	}
	s.Stop()
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("PING answered after Stop")
	}
}

func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("sentinel setup takes seconds")
	}
	s := StartSentinel(t)
	before, err := s.MasterAddr()
	if err != nil || before != s.Master.Addr {
		t.Fatalf("master = %q, %v; want %s", before, err, s.Master.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := s.Failover(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.MasterAddr()
	if err != nil || after != s.Replica.Addr {
		t.Fatalf("master after failover = %q, %v; want %s", after, err, s.Replica.Addr)
	}
}

func TestClusterStarts(t *testing.T) {
	c := StartCluster(t, 3)
	for _, n := range c.Nodes {
		info, err := n.Do("CLUSTER", "INFO")
		if err != nil || !strings.Contains(info, "cluster_slots_assigned:16384") {
			t.Fatalf("node %s: %q, %v", n.Addr, info, err)
		}
	}
}

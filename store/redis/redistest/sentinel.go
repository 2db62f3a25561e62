package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// MasterName is the name the sentinels monitor the master under.
const MasterName = "ctimaster"

// Sentinel is a Sentinel-managed setup: one master, one replica, three sentinels, all on
// loopback ports. Redis runs in sentinel mode from the same binary (`redis-server conf
// --sentinel`), so no separate redis-sentinel package is needed.
type Sentinel struct {
	t         testing.TB
	Master    *Server // the master at start; after Failover it is a replica
	Replica   *Server
	Sentinels []*Server
}

// Addrs returns the sentinels' addresses, as a client's Sentinel configuration lists them.
func (s *Sentinel) Addrs() []string {
	a := make([]string, len(s.Sentinels))
	for i, x := range s.Sentinels {
		a[i] = x.Addr
	}
	return a
}

// StartSentinel starts the setup and waits until the replica is in sync and every sentinel
// knows the replica and the two other sentinels, so that a failover can succeed.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	master := Start(t)
	replica := Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	s := &Sentinel{t: t, Master: master, Replica: replica}
	for range 3 {
		s.Sentinels = append(s.Sentinels, launch(t, func(port int, dir string) []string {
			conf := filepath.Join(dir, "sentinel.conf")
			text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n"+
				"sentinel monitor %s 127.0.0.1 %d 2\n"+
				"sentinel down-after-milliseconds %[4]s 2000\n"+
				"sentinel failover-timeout %[4]s 10000\n"+
				"sentinel parallel-syncs %[4]s 1\n",
				port, dir, filepath.Join(dir, "sentinel.log"), MasterName, master.Port)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatalf("redistest: write sentinel config: %v", err)
			}
			return []string{conf, "--sentinel"}
		}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := poll(ctx, func() error {
		info, err := replica.Do("INFO", "replication")
		if err != nil || !strings.Contains(info, "master_link_status:up") {
			return fmt.Errorf("replica not in sync (%v)", err)
		}
		for _, x := range s.Sentinels {
			m, err := x.Do("SENTINEL", "MASTER", MasterName)
			if err != nil || !strings.Contains(m, "num-slaves\n1\n") ||
				!strings.Contains(m, "num-other-sentinels\n2\n") {
				return fmt.Errorf("sentinel %s does not know the replica and its peers yet (%v)", x.Addr, err)
			}
			r, err := x.Do("SENTINEL", "REPLICAS", MasterName)
			if err != nil || !strings.Contains(r, "flags\nslave\n") {
				return fmt.Errorf("sentinel %s does not see a healthy replica yet (%v)", x.Addr, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("redistest: sentinel setup not ready: %v", err)
	}
	return s
}

// MasterAddr returns the master address the first reachable sentinel reports.
func (s *Sentinel) MasterAddr() (string, error) {
	var lastErr error
	for _, x := range s.Sentinels {
		r, err := x.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MasterName)
		if err != nil {
			lastErr = err
			continue
		}
		hp := strings.Split(r, "\n")
		if len(hp) != 2 {
			return "", fmt.Errorf("unexpected GET-MASTER-ADDR-BY-NAME reply %q", r)
		}
		return addr(atoi(hp[1])), nil
	}
	return "", lastErr
}

// Failover forces a failover (SENTINEL FAILOVER) and waits until the sentinels report the
// former replica as master, it accepts writes, and the old master has become a replica.
func (s *Sentinel) Failover(ctx context.Context) error {
	old, err := s.MasterAddr()
	if err != nil {
		return err
	}
	err = poll(ctx, func() error {
		_, err := s.Sentinels[0].Do("SENTINEL", "FAILOVER", MasterName)
		return err
	})
	if err != nil {
		return fmt.Errorf("SENTINEL FAILOVER: %w", err)
	}
	return poll(ctx, func() error {
		now, err := s.MasterAddr()
		if err != nil {
			return err
		}
		if now == old {
			return fmt.Errorf("master still %s", old)
		}
		role, err := Do(now, "ROLE")
		if err != nil || !strings.HasPrefix(role, "master") {
			return fmt.Errorf("%s not master yet (%v)", now, err)
		}
		// Until the old master is demoted it still accepts writes that the resync then
		// discards; a caller that writes on must not hit that window.
		role, err = Do(old, "ROLE")
		if err != nil || !strings.HasPrefix(role, "slave") {
			return fmt.Errorf("old master %s not demoted yet (%v)", old, err)
		}
		return nil
	})
}

// poll calls f until it returns nil or ctx ends, returning f's last error then.
func poll(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

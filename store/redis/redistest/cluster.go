package redistest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of masters only, on loopback ports, with the 16384 slots split
// evenly.
type Cluster struct {
	Nodes []*Server
}

// Addrs returns the nodes' addresses, as a client's seed list.
func (c *Cluster) Addrs() []string {
	a := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		a[i] = n.Addr
	}
	return a
}

// StartCluster starts n cluster-enabled servers, assigns the slots, joins them with CLUSTER
// MEET and waits until every node reports cluster_state:ok.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("redistest: cluster of %d nodes", n)
	}
	c := &Cluster{}
	bus := make([]int, n)
	for i := range n {
		p, err := FreePort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		bus[i] = p
		c.Nodes = append(c.Nodes, Start(t, "--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(p),
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"))
	}
	const slots = 16384
	for i, node := range c.Nodes {
		from, to := i*slots/n, (i+1)*slots/n-1
		if _, err := node.Do("CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(from), strconv.Itoa(to)); err != nil {
			t.Fatalf("redistest: CLUSTER ADDSLOTSRANGE on %s: %v", node.Addr, err)
		}
		if i > 0 {
			if _, err := c.Nodes[0].Do("CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(node.Port), strconv.Itoa(bus[i])); err != nil {
				t.Fatalf("redistest: CLUSTER MEET %s: %v", node.Addr, err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := poll(ctx, func() error {
		for _, node := range c.Nodes {
			info, err := node.Do("CLUSTER", "INFO")
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") ||
				!strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d\r", n)) {
				return fmt.Errorf("node %s not ready: %s", node.Addr, firstLines(info, 3))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("redistest: cluster not ready: %v", err)
	}
	return c
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " ")
}

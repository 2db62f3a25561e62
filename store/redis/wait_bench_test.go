package redisstore

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// BenchmarkApplyReplicaWait measures what waiting for a replica's acknowledgement (WAIT 1
// after the Apply script, on the same connection) would add to every Apply, against a master
// with one replica on the same host. Apply does not WAIT: the figure is why (see doc.go).
func BenchmarkApplyReplicaWait(b *testing.B) {
	master := redistest.Start(b)
	replica := redistest.Start(b, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	for {
		info, err := replica.Do("INFO", "replication")
		if err == nil && strings.Contains(info, "master_link_status:up") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s, l := benchOwner(b, Options{Addrs: []string{master.Addr}})
	// One connection, so that WAIT waits for this connection's own writes.
	conn := redis.NewClient(&redis.Options{Addr: master.Addr, PoolSize: 1})
	defer conn.Close()
	for _, wait := range []bool{false, true} {
		b.Run("wait="+strconv.FormatBool(wait), func(b *testing.B) {
			for i := range b.N {
				bt := benchBatch(i%64, 1)
				call, err := s.applyArgs("hq", l.Fence(), newEpoch(), &bt)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := call.run(b.Context(), conn); err != nil {
					b.Fatal(err)
				}
				if wait {
					n, err := conn.Wait(b.Context(), 1, 100*time.Millisecond).Result()
					if err != nil || n < 1 {
						b.Fatalf("WAIT 1: %d replicas, %v", n, err)
					}
				}
			}
		})
	}
}

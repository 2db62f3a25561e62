package redisstore

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
)

// TestContract runs the shared store contract on a real redis-server per test.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, o storetest.Options) storetest.Opener {
		srv := redistest.Start(t)
		return opener(Options{Addrs: []string{srv.Addr}}, o)
	})
}

// TestContractCluster runs the contract on a three-node Redis Cluster, each test under its
// own key prefix: every script must keep to one hash slot there.
func TestContractCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster setup")
	}
	c := redistest.StartCluster(t, 3)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T, o storetest.Options) storetest.Opener {
		prefix := "c" + strconv.FormatInt(n.Add(1), 10)
		return opener(Options{Addrs: c.Addrs(), KeyPrefix: prefix}, o)
	})
}

func opener(base Options, o storetest.Options) storetest.Opener {
	base.MaxLogLen, base.SubscriberBuffer = o.MaxLogLen, o.SubscriberBuffer
	base.HistoryMaxRecords, base.HistoryScan = o.HistoryMaxRecords, o.HistoryScan
	return func(t *testing.T) store.Store {
		s, err := New(context.Background(), base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

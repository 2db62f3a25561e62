package redisstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// TestCriticalClientWritesCommandsWhole: the fenced writes' client buffers a whole Apply
// command of hundreds of events before writing it (one write system call, not one per 32 KiB),
// and the other client keeps go-redis's default (it has many connections and small commands).
func TestCriticalClientWritesCommandsWhole(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	critical, ok := s.critical.(*redis.Client)
	require.True(t, ok, "a single address makes a *redis.Client")
	require.Equal(t, criticalWriteBuffer, critical.Options().WriteBufferSize)
	require.Less(t, s.client.(*redis.Client).Options().WriteBufferSize, criticalWriteBuffer)
}

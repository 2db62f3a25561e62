package redisstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// With Sentinel, a failover promotes a replica, and replication is asynchronous: a replica
// that missed the owner's last lease renewal would let another instance take the lease while
// the owner still believes it holds it (two owners for up to a renewal interval), and a
// replica that missed an acquire could hand out a token twice. So under Sentinel a lease
// change counts only once a connected replica has it: the script and a WAIT run on one
// connection, and a change no replica acknowledged in time is reported as
// ErrLeaseNotReplicated (the engine keeps its old deadline and tries again). Without an
// online replica (none, or one still loading a full copy, as right after a failover) nothing
// can be promoted with stale data, and the change counts at once.
// Standalone Redis has no failover and Cluster is not covered (WAIT would go to another node).

// ErrLeaseNotReplicated reports a lease change that no connected replica acknowledged in time.
var ErrLeaseNotReplicated = errors.New("redisstore: lease change not acknowledged by a replica in time")

// replicaWait bounds the WAIT after a lease change: a small share of the lease TTL.
func replicaWait(ttl time.Duration) time.Duration {
	return min(max(ttl/10, 10*time.Millisecond), 250*time.Millisecond)
}

// runLeaseScript runs a lease script on the critical client; under Sentinel it also waits
// for a replica to acknowledge it (see above).
func (s *Store) runLeaseScript(ctx context.Context, script *redis.Script, keys []string, ttl time.Duration, args ...any) (any, error) {
	if s.opts.MasterName == "" {
		return script.Run(ctx, s.critical, keys, args...).Result()
	}
	var res *redis.Cmd
	var acks *redis.IntCmd
	_, err := s.critical.Pipelined(ctx, func(p redis.Pipeliner) error {
		res = script.Eval(ctx, p, keys, args...)
		acks = redis.NewIntCmd(ctx, "wait", 1, replicaWait(ttl).Milliseconds())
		_ = p.Process(ctx, acks)
		return nil
	})
	v, rerr := res.Result()
	if rerr != nil {
		return nil, rerr
	}
	if err != nil {
		return nil, err
	}
	if acks.Val() >= 1 {
		return v, nil
	}
	n, err := s.onlineReplicas(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrLeaseNotReplicated
	}
	return v, nil
}

// onlineReplicas counts the master's replicas in state online (INFO replication: slaveN:
// ...,state=online,...). A replica still loading a full copy is not counted: it will get the
// change with the copy.
func (s *Store) onlineReplicas(ctx context.Context) (int, error) {
	info, err := s.critical.Info(ctx, "replication").Result()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "slave") && strings.Contains(line, "state=online") {
			n++
		}
	}
	return n, nil
}

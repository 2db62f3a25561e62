package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// Command routing: ServeCommands keeps its instance in the PBX's servers set and pops requests
// from its own queue; SendCommand picks the lease owner (or, without a lease, any server),
// pushes the request onto that server's queue only while it serves, and waits for the reply,
// which the server pushes onto the sender's reply list (see replies.go).
const (
	servingTTL    = 5 * time.Second // how long a crashed server still looks alive
	servingRenew  = time.Second     // refresh of the servers entry, also the longest blocking pop
	replyTTL      = 30 * time.Second
	maxInFlight   = 64 // handlers running at once per ServeCommands
	retryMax      = time.Second
	pickupTimeout = 1500 * time.Millisecond // a live server pops a request long before this
	drainTimeout  = 5 * time.Second
	replyHandled  = 'r' // reply: the handler's answer follows
	replyNoServer = 'n' // reply: the server stopped before handling the request
)

// request is a routed command on the wire.
type request struct {
	ID       string `json:"id"`
	ReplyTo  string `json:"replyTo"`  // the sender's reply list
	Deadline int64  `json:"deadline"` // Unix milliseconds; the server skips expired requests
	Cmd      []byte `json:"cmd"`
}

// SendCommand delivers cmd to the instance that owns and serves pbx and waits for its reply
// until ctx's deadline (Options.CommandTimeout when ctx has none).
func (s *Store) SendCommand(ctx context.Context, pbx string, cmd []byte) ([]byte, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return nil, err
	}
	owner, err := pickServerScript.Run(ctx, s.client, []string{k.lease(), k.servers()}).Text()
	if err != nil {
		return nil, s.fail("send command to", pbx, err)
	}
	if owner == "" {
		return nil, fmt.Errorf("redisstore: send command to %s: no serving lease owner: %w", pbx, store.ErrNoOwner)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.CommandTimeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	replies, err := s.replyList()
	if err != nil {
		return nil, err
	}
	req := request{ID: rand.Text(), ReplyTo: replies.key, Deadline: deadline.UnixMilli(), Cmd: cmd}
	js, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("redisstore: send command to %s: %w", pbx, err)
	}
	wait := replies.expect(req.ID)
	defer replies.forget(req.ID)
	ttl := time.Until(deadline) + servingTTL
	queued, err := sendScript.Run(ctx, s.client, []string{k.servers(), k.queue(owner)},
		owner, js, ttl.Milliseconds()).Int()
	if err != nil {
		return nil, s.fail("send command to", pbx, err)
	}
	if queued == 0 {
		return nil, fmt.Errorf("redisstore: send command to %s: %q stopped serving commands: %w",
			pbx, owner, store.ErrNoOwner)
	}
	// A live server pops a request within milliseconds. One still queued after pickupTimeout
	// sits with a server that died before its servers entry expired: take it back. If it is
	// still there it provably never reached the owner, so the caller may route it again.
	pickup := time.NewTimer(pickupTimeout)
	defer pickup.Stop()
	select {
	case <-pickup.C:
		n, err := s.client.LRem(ctx, k.queue(owner), 1, js).Result()
		if err == nil && n == 1 {
			return nil, fmt.Errorf("redisstore: send command to %s: %q did not take the request within %v; withdrawn, not delivered: %w",
				pbx, owner, pickupTimeout, store.ErrNoOwner)
		}
	case r := <-wait:
		return replyResult(pbx, owner, r)
	case <-ctx.Done():
		return nil, fmt.Errorf("redisstore: send command to %s (owner %q): %w", pbx, owner, ctx.Err())
	case <-s.life.Done():
		return nil, fmt.Errorf("redisstore: send command to %s: %w", pbx, store.ErrClosed)
	}
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("redisstore: send command to %s (owner %q): %w", pbx, owner, ctx.Err())
	case <-s.life.Done():
		return nil, fmt.Errorf("redisstore: send command to %s: %w", pbx, store.ErrClosed)
	case r := <-wait:
		return replyResult(pbx, owner, r)
	}
}

func replyResult(pbx, owner string, r reply) ([]byte, error) {
	if r.kind == replyNoServer {
		return nil, fmt.Errorf("redisstore: send command to %s: %q stopped serving before handling it: %w",
			pbx, owner, store.ErrNoOwner)
	}
	return r.body, nil
}

package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

const minBackoff = 50 * time.Millisecond

// ServeCommands answers commands routed to owner for pbx until ctx ends (returning ctx's
// error) or the store is closed (store.ErrClosed). Redis outages are waited out. Requests
// still queued when it returns are answered with store.ErrNoOwner for their senders.
func (s *Store) ServeCommands(ctx context.Context, pbx, owner string, handle store.CommandHandler) error {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return err
	}
	if owner == "" {
		return fmt.Errorf("redisstore: serve commands of %s: empty owner", pbx)
	}
	if handle == nil {
		return fmt.Errorf("redisstore: serve commands of %s: nil handler", pbx)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	unhook := context.AfterFunc(s.life, cancel)
	defer unhook()

	var handlers sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	defer s.stopServing(k, owner)
	defer handlers.Wait()

	var marked time.Time
	retries := 0
	timeout := strconv.FormatFloat(servingRenew.Seconds(), 'f', 3, 64)
	for ctx.Err() == nil {
		if time.Since(marked) >= servingRenew {
			err := markServingScript.Run(ctx, s.client, []string{k.servers()}, owner, servingTTL.Milliseconds()).Err()
			if err != nil {
				retries++
				backoff.Sleep(ctx, serveRetry.Wait(retries))
				continue
			}
			marked = time.Now()
		}
		// Take a handler slot before popping, so that requests wait in Redis, not here.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		v, err := s.client.Do(ctx, "BRPOP", k.queue(owner), timeout).StringSlice()
		if err != nil || len(v) != 2 {
			<-slots
			if !errors.Is(err, redis.Nil) {
				retries++
				backoff.Sleep(ctx, serveRetry.Wait(retries))
			}
			continue
		}
		retries = 0
		var req request
		if json.Unmarshal([]byte(v[1]), &req) != nil || req.ID == "" {
			<-slots
			continue // not a request of ours; nobody waits for it
		}
		deadline := time.UnixMilli(req.Deadline)
		if time.Now().After(deadline) {
			<-slots
			continue // its sender has given up
		}
		handlers.Add(1)
		go func() { // owned by ServeCommands, which waits for it before returning
			defer handlers.Done()
			defer func() { <-slots }()
			hctx, hcancel := context.WithDeadline(ctx, deadline)
			defer hcancel()
			reply := handle(hctx, req.Cmd)
			if hctx.Err() != nil && parent.Err() == nil && s.life.Err() == nil {
				return // past the sender's deadline: it has given up waiting
			}
			s.answer(req, replyHandled, reply)
		}()
	}
	if s.life.Err() != nil {
		return fmt.Errorf("redisstore: serve commands of %s: %w", pbx, store.ErrClosed)
	}
	return parent.Err()
}

// stopServing removes owner from the servers set, so that new requests fail at once with
// ErrNoOwner, and answers the requests already queued with ErrNoOwner.
func (s *Store) stopServing(k keys, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if s.client.ZRem(ctx, k.servers(), owner).Err() != nil {
		return
	}
	for {
		js, err := s.client.RPop(ctx, k.queue(owner)).Result()
		if err != nil {
			return
		}
		var req request
		if json.Unmarshal([]byte(js), &req) == nil && req.ID != "" {
			s.answer(req, replyNoServer, nil)
		}
	}
}

// serveRetry paces a server that cannot reach Redis: every instance serving commands retries,
// so the waits are spread.
var serveRetry = backoff.Policy{Min: minBackoff, Max: retryMax, Jitter: backoff.Equal}

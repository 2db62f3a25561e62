package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// replies receives the answers to this Store's commands. Servers push them onto one list per
// Store; a single reader pops them and hands each to the waiting SendCommand by request ID.
// One blocking connection serves any number of pending commands, so waiting senders never
// exhaust the connection pool.
type replies struct {
	key string // "<prefix>:replies:<random id>"

	mu      sync.Mutex
	pending map[string]chan reply
}

type reply struct {
	kind byte
	body []byte
}

// replyList returns the Store's reply list, starting its reader on first use.
func (s *Store) replyList() (*replies, error) {
	s.repliesOnce.Do(func() {
		r := &replies{key: s.opts.KeyPrefix + ":replies:" + newEpoch(), pending: map[string]chan reply{}}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.life.Err() != nil {
			return
		}
		s.replies = r
		s.workers.Add(1)
		go func() { // owned by the Store: ends at Close
			defer s.workers.Done()
			s.readReplies(r)
		}()
	})
	if s.replies == nil {
		return nil, store.ErrClosed
	}
	return s.replies, nil
}

// expect registers a pending request and returns where its reply will arrive.
func (r *replies) expect(id string) <-chan reply {
	ch := make(chan reply, 1)
	r.mu.Lock()
	r.pending[id] = ch
	r.mu.Unlock()
	return ch
}

func (r *replies) forget(id string) {
	r.mu.Lock()
	delete(r.pending, id)
	r.mu.Unlock()
}

// deliver hands a reply to its sender; replies for senders that gave up are dropped.
func (r *replies) deliver(id string, rep reply) {
	r.mu.Lock()
	ch := r.pending[id]
	delete(r.pending, id)
	r.mu.Unlock()
	if ch != nil {
		ch <- rep
	}
}

// readReplies pops replies until the Store closes, waiting out Redis outages.
func (s *Store) readReplies(r *replies) {
	retries := 0
	timeout := strconv.FormatFloat(servingRenew.Seconds(), 'f', 3, 64)
	for s.life.Err() == nil {
		v, err := s.client.Do(s.life, "BLPOP", r.key, timeout).StringSlice()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil || len(v) != 2 {
			retries++
			backoff.Sleep(s.life, serveRetry.Wait(retries))
			continue
		}
		retries = 0
		id, msg, ok := strings.Cut(v[1], "\n")
		if !ok || msg == "" {
			continue // not a reply of ours
		}
		r.deliver(id, reply{kind: msg[0], body: []byte(msg[1:])})
	}
}

// answer pushes a reply onto the sender's reply list; it runs even while the server shuts
// down.
func (s *Store) answer(req request, kind byte, body []byte) {
	if req.ReplyTo == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	var b strings.Builder
	b.Grow(len(req.ID) + 2 + len(body))
	fmt.Fprintf(&b, "%s\n%c", req.ID, kind)
	b.Write(body)
	_, _ = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, req.ReplyTo, b.String())
		p.PExpire(ctx, req.ReplyTo, replyTTL)
		return nil
	})
}

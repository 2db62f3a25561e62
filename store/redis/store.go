package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
)

// Store is a store.Store on Redis. It is safe for concurrent use.
type Store struct {
	opts   Options
	client redis.UniversalClient
	// critical carries the lease scripts, the owner's fenced writes and Load (a new owner
	// must load the state before its first renewal) on a small pool of its own, so a crowd of reads (hundreds of clients replaying after a takeover) cannot starve
	// the lease renewal and make the owner fence itself.
	critical redis.UniversalClient

	// life ends at Close; subscriptions and command loops watch it.
	life     context.Context
	shutdown context.CancelFunc
	mu       sync.Mutex     // orders workers.Add against Close
	workers  sync.WaitGroup // subscription goroutines and the reply reader
	once     sync.Once

	feedsMu sync.Mutex
	feeds   map[string]*feed // the PUB/SUB connection per PBX its subscriptions share

	seenMu  sync.Mutex
	seenPos map[string]store.Position // newest log position observed per PBX
	histPBX map[string]string         // PBX -> epoch under which registerHistory added it

	repliesOnce sync.Once
	replies     *replies // nil until the first SendCommand

	local localEvents // events this Store wrote lately, for its own subscriptions
	apply applyCache  // the apply script's KEYS and epoch candidate per PBX
}

var (
	_ store.Store      = (*Store)(nil)
	_ store.RoundTrips = (*Store)(nil)
)

// RoundTrips implements store.RoundTrips: every fenced write is a round trip to Redis.
func (s *Store) RoundTrips() bool { return true }

// New connects to Redis as opts say and checks that it answers within ctx.
func New(ctx context.Context, opts Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// The critical client (lease and fenced writes) honours its callers' deadlines: a write
	// that hangs must fail when the engine's bound says so, not after go-redis's own read
	// timeout. The other client serves blocking reads, whose contexts carry no deadline.
	newClient := func(pool int, honourDeadlines bool, writeBuffer int) redis.UniversalClient {
		return redis.NewUniversalClient(&redis.UniversalOptions{
			ContextTimeoutEnabled: honourDeadlines,
			WriteBufferSize:       writeBuffer,
			Addrs:                 o.Addrs,
			MasterName:            o.MasterName,
			IsClusterMode:         o.Cluster,
			Username:              o.Username,
			Password:              o.Password,
			SentinelPassword:      o.SentinelPassword,
			DB:                    o.DB,
			PoolSize:              pool,
		})
	}
	client, critical := newClient(o.PoolSize, false, 0), newClient(criticalPoolSize, true, criticalWriteBuffer)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		_ = critical.Close()
		return nil, fmt.Errorf("redisstore: connect to %v: %w", o.Addrs, err)
	}
	life, shutdown := context.WithCancel(context.Background())
	return &Store{opts: o, client: client, critical: critical, life: life, shutdown: shutdown,
		seenPos: map[string]store.Position{}, histPBX: map[string]string{}}, nil
}

// criticalPoolSize is the connection pool of the lease and write client.
const criticalPoolSize = 4

// criticalWriteBuffer is the write buffer of each critical connection. An Apply's command is
// tens to hundreds of KiB at thousands of events a second (about 700 bytes per event with its
// call); go-redis's default 32 KiB buffer wrote one of 90 KiB in three write system calls, each
// waking Redis to read a part. Commands up to this size go out in one (larger ones, an
// overloaded pipeline's, in pieces of it).
const criticalWriteBuffer = 512 << 10

// Client returns the underlying go-redis client, for diagnostics and tests.
func (s *Store) Client() redis.UniversalClient { return s.client }

// Close ends all subscriptions with store.ErrClosed and closes the connections. It is safe to
// call more than once.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.shutdown()
		s.mu.Unlock()
		// Closing the client first breaks the blocking pops of the workers at once.
		err = s.client.Close()
		_ = s.critical.Close()
		s.workers.Wait()
	})
	return err
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return s.fail("ping", "", err)
	}
	return nil
}

// begin checks what every method checks first: the store is open and ctx is live.
func (s *Store) begin(ctx context.Context) error {
	if s.life.Err() != nil {
		return store.ErrClosed
	}
	return ctx.Err()
}

// beginPBX is begin plus a valid PBX name.
func (s *Store) beginPBX(ctx context.Context, pbx string) (keys, error) {
	if err := s.begin(ctx); err != nil {
		return keys{}, err
	}
	if err := checkPBX(pbx); err != nil {
		return keys{}, err
	}
	return newKeys(s.opts.KeyPrefix, pbx), nil
}

// fail wraps a Redis error of operation op, reporting ErrClosed once the store is closed.
func (s *Store) fail(op, pbx string, err error) error {
	if s.life.Err() != nil || errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("redisstore: %s %s: %w", op, pbx, store.ErrClosed)
	}
	return fmt.Errorf("redisstore: %s %s: %w", op, pbx, err)
}

// newEpoch returns a random epoch candidate for the scripts that may have to create one.
func newEpoch() string { return rand.Text() }

package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Defaults for zero (or negative) Options fields.
const (
	DefaultMaxLogLen        = 100000
	DefaultHistoryScan      = 5000
	DefaultSubscriberBuffer = 4096
)

// Options configure a Store. Zero or negative values mean the defaults.
type Options struct {
	// MaxLogLen is how many newest entries each PBX's log keeps (exactly).
	MaxLogLen int
	// HistoryMaxAge and HistoryMaxRecords bound the call history: records are kept this long,
	// and at most this many per PBX (defaults store.DefaultHistoryMaxAge and
	// store.DefaultHistoryMaxRecords). Apply trims them.
	HistoryMaxAge     time.Duration
	HistoryMaxRecords int
	// HistoryScan is how many records one History call examines per PBX at most.
	HistoryScan int
	// SubscriberBuffer is how many entries a subscription buffers before it is dropped.
	SubscriberBuffer int
	// Now is the clock of lease expiry; time.Now when nil.
	Now func() time.Time
}

// Store is the in-memory store.Store.
type Store struct {
	opts Options

	mu   sync.Mutex // guards pbxs
	pbxs map[string]*pbx
	last atomic.Pointer[pbx] // the PBX pbx returned last: an engine writes one PBX many times

	closed atomic.Bool
	done   chan struct{} // closed by Close
	once   sync.Once

	locs  locations                    // time zones of encoded times
	spare atomic.Pointer[batchEncoder] // Apply's scratch space, when no Apply holds it

	whOnce sync.Once
	wh     *webhookState // call webhook state (webhooks.go), made on first use
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.FixedEpochs = (*Store)(nil)
)

// New returns an empty Store.
func New(opts Options) *Store {
	if opts.MaxLogLen <= 0 {
		opts.MaxLogLen = DefaultMaxLogLen
	}
	if opts.HistoryMaxAge <= 0 {
		opts.HistoryMaxAge = store.DefaultHistoryMaxAge
	}
	if opts.HistoryMaxRecords <= 0 {
		opts.HistoryMaxRecords = store.DefaultHistoryMaxRecords
	}
	if opts.HistoryScan <= 0 {
		opts.HistoryScan = DefaultHistoryScan
	}
	if opts.SubscriberBuffer <= 0 {
		opts.SubscriberBuffer = DefaultSubscriberBuffer
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{opts: opts, pbxs: map[string]*pbx{}, done: make(chan struct{})}
}

// pbx is everything stored for one PBX, guarded by its own mutex.
type pbx struct {
	name string
	mu   sync.Mutex

	lines      map[string]tapi.Line
	calls      callTable
	nextHandle uint64

	epoch string
	log   ring

	// The lease has a mutex of its own, so that renewing it never waits for a reader copying
	// 100,000 lines under mu (the lease could lapse meanwhile). Apply holds both, mu first, so
	// that no other owner takes the lease while a write checked against it is under way.
	lmu      sync.Mutex
	lease    lease
	tokenSeq uint64 // last token granted; tokens only grow

	hist    history
	subs    []*subscription // in the order they came: a slice ranges faster than a map
	servers []*server
	slabs   tapi.Slabs // the subscribers' copies of the events' call payloads (fanOut)
	written lastWrite  // the last Apply, for a repeated one (store.Batch.ID)
}

// ready checks what every method checks first: an open store and a live context.
func (s *Store) ready(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// pbx returns the PBX's state, creating it (with a new random epoch) on first use.
func (s *Store) pbx(name string) (*pbx, error) {
	if p := s.last.Load(); p != nil && p.name == name { // a valid name, seen before
		if s.closed.Load() {
			return nil, store.ErrClosed
		}
		return p, nil
	}
	if err := checkPBX(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	p := s.pbxs[name]
	if p == nil {
		p = &pbx{name: name, lines: map[string]tapi.Line{}, epoch: newEpoch(), log: ring{max: s.opts.MaxLogLen}}
		s.pbxs[name] = p
	}
	s.last.Store(p)
	return p, nil
}

// existing returns the PBX's state, or nil when nothing was ever stored for it.
func (s *Store) existing(name string) *pbx {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pbxs[name]
}

func checkPBX(name string) error {
	if name == "" {
		return fmt.Errorf("memory store: empty PBX name")
	}
	if strings.Contains(name, "/") {
		return fmt.Errorf("memory store: PBX name %q contains '/', which separates PBX and extension in line names", name)
	}
	return nil
}

// newEpoch returns 16 random hex digits.
func newEpoch() string {
	var b [8]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// FixedEpochs implements store.FixedEpochs: a PBX's epoch is chosen when the store first
// sees the PBX and never changes.
func (s *Store) FixedEpochs() bool { return true }

// Ping reports ErrClosed after Close, nil before.
func (s *Store) Ping(ctx context.Context) error { return s.ready(ctx) }

// Close ends every subscription with store.ErrClosed, stops ServeCommands and makes every
// later call fail with store.ErrClosed. Closing twice is harmless.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed.Store(true)
		close(s.done)
		ps := make([]*pbx, 0, len(s.pbxs))
		for _, p := range s.pbxs {
			ps = append(ps, p)
		}
		s.mu.Unlock()
		// Subscribe registers under the PBX's mutex after checking closed, so every
		// subscription is either refused or ended here.
		for _, p := range ps {
			p.mu.Lock()
			for len(p.subs) > 0 {
				p.end(p.subs[len(p.subs)-1], store.ErrClosed)
			}
			p.mu.Unlock()
		}
	})
	return nil
}

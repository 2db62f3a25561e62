package memory

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
)

// fakeClock is a settable clock for exact lease-expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClocked(t *testing.T, opts Options) (*Store, *fakeClock) {
	clk := &fakeClock{now: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	s := New(opts)
	t.Cleanup(func() { s.Close() })
	return s, clk
}

func TestLeaseExpiryExact(t *testing.T) {
	ctx := context.Background()
	s, clk := newClocked(t, Options{})
	a, err := s.AcquireLease(ctx, "hq", "a", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(10 * time.Second); !a.Expires.Equal(want) {
		t.Fatalf("expires %v, want %v", a.Expires, want)
	}
	clk.advance(5 * time.Second)
	if a, err = s.RenewLease(ctx, a, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	clk.advance(10*time.Second - time.Nanosecond) // 1 ns before the renewed expiry
	if _, err := s.AcquireLease(ctx, "hq", "b", time.Second); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("acquire 1ns before expiry: %v, want ErrLeaseHeld", err)
	}
	if _, err := s.Apply(ctx, "hq", a.Fence(), store.Batch{}); err != nil {
		t.Fatalf("apply 1ns before expiry: %v", err)
	}
	clk.advance(time.Nanosecond) // at expiry the lease is gone
	if _, err := s.Apply(ctx, "hq", a.Fence(), store.Batch{}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("apply at expiry: %v, want ErrFenced", err)
	}
	if _, _, err := s.LeaseOwner(ctx, "hq"); !errors.Is(err, store.ErrNoOwner) {
		t.Fatalf("owner at expiry: %v, want ErrNoOwner", err)
	}
	b, err := s.AcquireLease(ctx, "hq", "b", time.Second)
	if err != nil || b.Token != a.Token+1 {
		t.Fatalf("takeover at expiry: %+v, %v; want token %d", b, err, a.Token+1)
	}
}

func TestLogTrimmedExactly(t *testing.T) {
	ctx := context.Background()
	s, _ := newClocked(t, Options{MaxLogLen: 3})
	l, _ := s.AcquireLease(ctx, "hq", "a", time.Hour)
	for i := range 7 { // wraps the ring twice
		if _, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: storetest.Events("hq", "x", i%2+1)}); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := s.Position(ctx, "hq") // 1+2+1+2+1+2+1 = 10 events
	if p.Offset != 10 {
		t.Fatalf("offset %d, want 10", p.Offset)
	}
	es, err := s.Replay(ctx, "hq", p.Epoch, 7, 0)
	if err != nil || len(es) != 3 || es[0].Offset != 8 || es[2].Offset != 10 {
		t.Fatalf("replay after 7: %d entries, %v; want offsets 8..10", len(es), err)
	}
	if _, err := s.Replay(ctx, "hq", p.Epoch, 6, 0); !errors.Is(err, store.ErrCursorTooOld) {
		t.Fatalf("replay after 6 with 3 retained: %v, want ErrCursorTooOld", err)
	}
	if es, err := s.Replay(ctx, "hq", p.Epoch, 11, 0); err != nil || len(es) != 0 {
		t.Fatalf("replay after a future offset: %d entries, %v; want none", len(es), err)
	}
}

func TestDefaults(t *testing.T) {
	s := New(Options{MaxLogLen: -1})
	defer s.Close()
	if s.opts.MaxLogLen != DefaultMaxLogLen || s.opts.HistoryMaxRecords != store.DefaultHistoryMaxRecords ||
		s.opts.HistoryMaxAge != store.DefaultHistoryMaxAge || s.opts.HistoryScan != DefaultHistoryScan ||
		s.opts.SubscriberBuffer != DefaultSubscriberBuffer || s.opts.Now == nil {
		t.Fatalf("defaults not applied: %+v", s.opts)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

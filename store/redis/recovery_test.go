package redisstore

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// Losing the token counter (as a failover to a lagging replica may) must not let tokens go
// back: they are floored at Redis's clock. The lease says the store had no history, so that
// its new owner waits out a former owner's lease.
func TestTokenMonotonicAfterCounterLost(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	k := newKeys(s.opts.KeyPrefix, "hq")
	var last uint64
	for i := range 5 {
		l, err := s.AcquireLease(tctx(t), "hq", "a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if l.Token <= last {
			t.Fatalf("acquisition %d: token %d not above %d", i, l.Token, last)
		}
		if !l.NoHistory {
			t.Fatalf("acquisition %d without a counter: NoHistory not set", i)
		}
		last = l.Token
		if err := s.ReleaseLease(tctx(t), l); err != nil {
			t.Fatal(err)
		}
		if err := s.client.Del(tctx(t), k.token()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// A counter pushed far ahead (many acquisitions) still wins over the clock.
	if err := s.client.Set(tctx(t), k.token(), "9000000000000000", 0).Err(); err != nil {
		t.Fatal(err)
	}
	l, err := s.AcquireLease(tctx(t), "hq", "b", time.Minute)
	if err != nil || l.Token != 9000000000000001 || l.NoHistory {
		t.Fatalf("token after a high counter: %d (no history %v), %v; want 9000000000000001 with history",
			l.Token, l.NoHistory, err)
	}
}

// A Redis restart that keeps its data (SAVE before): the subscriber reconnects and delivers
// every entry once, in order, filling from the stream what PUB/SUB missed while it was away.
func TestRestartResumesSubscription(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: 50 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	pos, err := s.Position(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	evs := events("r", 20)
	for _, e := range evs[:10] {
		applyOne(t, s, l.Fence(), e)
	}
	wantSequence(t, receive(t, sub, 10), pos.Epoch, 1, details("r", 0, 10))

	if _, err := srv.Do("SAVE"); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	// Written at once, likely before the subscriber's PUB/SUB connection is back.
	for _, e := range evs[10:] {
		applyOne(t, s, l.Fence(), e)
	}
	got := receive(t, sub, 10)
	wantSequence(t, got, pos.Epoch, 11, details("r", 10, 10))
	if err := sub.Err(); err != nil {
		t.Fatalf("live subscription has Err %v", err)
	}
}

// A restart without persistence loses the log: the epoch changes, replay from the old epoch
// says so, the subscription ends with ErrEpochChanged, the old fence is gone, and the next
// token is still higher.
func TestRestartWithoutDataChangesEpoch(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: 50 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, e := range events("x", 3) {
		applyOne(t, s, l.Fence(), e)
	}
	got := receive(t, sub, 3)
	old := got[0].Epoch

	srv.Restart()
	eventually(t, "Replay from the old epoch", func() error {
		_, err := s.Replay(tctx(t), "hq", old, 1, 0)
		if errors.Is(err, store.ErrEpochChanged) {
			return nil
		}
		return errors.New("replay did not report ErrEpochChanged: " + errorString(err))
	})
	if err := waitEnd(t, sub); !errors.Is(err, store.ErrEpochChanged) {
		t.Fatalf("subscription ended with %v, want ErrEpochChanged", err)
	}
	pos, err := s.Position(tctx(t), "hq")
	if err != nil || pos.Epoch == old || pos.Offset != 0 {
		t.Fatalf("position after data loss: %+v, %v; want a new epoch at offset 0", pos, err)
	}
	if _, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("y", 1)}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Apply with the lost lease: %v, want ErrFenced", err)
	}
	l2, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil || l2.Token <= l.Token {
		t.Fatalf("token after data loss: %d, %v; want above %d", l2.Token, err, l.Token)
	}
}

func errorString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// Ping follows Redis: an error while it is down, nil again once it is back.
func TestPingFollowsRedis(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	if err := s.Ping(tctx(t)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if err := s.Ping(tctx(t)); err == nil {
		t.Fatal("Ping succeeded while Redis is down")
	}
	srv.Restart()
	eventually(t, "Ping after Redis is back", func() error { return s.Ping(tctx(t)) })
}

// A flushed script cache (as after a restart or failover) is refilled on NOSCRIPT.
func TestScriptsReloadedAfterFlush(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("n", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("SCRIPT", "FLUSH"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("n", 1)})
	if err != nil || got.Len() != 1 || got.First != 2 {
		t.Fatalf("Apply after SCRIPT FLUSH: %v, %v; want one entry at offset 2", got, err)
	}
}

// When Redis comes back with fewer entries than this writer saw (a failover lost the newest
// writes), Apply starts a new epoch instead of handing out offsets again.
func TestLostWritesStartNewEpoch(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: 50 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("w", 5)})
	if err != nil {
		t.Fatal(err)
	}
	old := got.Epoch
	receive(t, sub, 5)
	// What a lagging replica holds: the first three entries only.
	k := newKeys(s.opts.KeyPrefix, "hq")
	if err := s.client.HSet(tctx(t), k.meta(), "offset", 3).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.client.XTrimMaxLen(tctx(t), k.log(), 3).Err(); err != nil {
		t.Fatal(err)
	}
	got, err = s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("v", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Epoch == old || got.First != 1 {
		t.Fatalf("after lost writes: epoch %q offset %d; want a new epoch at offset 1", got.Epoch, got.First)
	}
	if _, err := s.Replay(tctx(t), "hq", old, 3, 0); !errors.Is(err, store.ErrEpochChanged) {
		t.Fatalf("Replay in the old epoch: %v, want ErrEpochChanged", err)
	}
	if err := waitEnd(t, sub); !errors.Is(err, store.ErrEpochChanged) {
		t.Fatalf("subscription ended with %v, want ErrEpochChanged", err)
	}
	// Another instance that never saw the lost entries keeps writing in the new epoch.
	other := open(t, Options{Addrs: []string{srv.Addr}})
	more, err := other.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("u", 1)})
	if err != nil || more.Epoch != got.Epoch || more.First != 2 {
		t.Fatalf("next Apply: %+v, %v; want offset 2 in epoch %q", more, err, got.Epoch)
	}
}

// A reader that saw entries Redis later lost starts the new epoch itself, whichever of
// Position, Load or Replay it calls first, so that it never reports the log going backwards
// within one epoch; a Store that never saw the lost entries keeps the log as it is.
func TestReaderSeeingLostWritesStartsNewEpoch(t *testing.T) {
	for _, read := range []struct {
		name string
		do   func(s *Store, epoch string) (store.Position, error)
	}{
		{"Position", func(s *Store, _ string) (store.Position, error) { return s.Position(tctx(t), "hq") }},
		{"Load", func(s *Store, _ string) (store.Position, error) {
			snap, err := s.Load(tctx(t), "hq")
			return snap.Position, err
		}},
		{"Replay", func(s *Store, epoch string) (store.Position, error) {
			_, err := s.Replay(tctx(t), "hq", epoch, 0, 0)
			if !errors.Is(err, store.ErrEpochChanged) {
				return store.Position{}, fmt.Errorf("Replay from 0: %v, want ErrEpochChanged", err)
			}
			return s.Position(tctx(t), "hq")
		}},
	} {
		t.Run(read.name, func(t *testing.T) {
			srv := redistest.Start(t)
			w := open(t, Options{Addrs: []string{srv.Addr}})
			l, err := w.AcquireLease(tctx(t), "hq", "a", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("w", 5)})
			if err != nil {
				t.Fatal(err)
			}
			old := got.Epoch
			reader := open(t, Options{Addrs: []string{srv.Addr}})
			if p, err := reader.Position(tctx(t), "hq"); err != nil || p != (store.Position{Epoch: old, Offset: 5}) {
				t.Fatalf("reader's first Position: %+v, %v", p, err)
			}
			k := newKeys(w.opts.KeyPrefix, "hq")
			if err := w.client.HSet(tctx(t), k.meta(), "offset", 3).Err(); err != nil {
				t.Fatal(err)
			}
			if err := w.client.XTrimMaxLen(tctx(t), k.log(), 3).Err(); err != nil {
				t.Fatal(err)
			}
			fresh := open(t, Options{Addrs: []string{srv.Addr}})
			if p, err := fresh.Position(tctx(t), "hq"); err != nil || p != (store.Position{Epoch: old, Offset: 3}) {
				t.Fatalf("Position of a Store that saw nothing: %+v, %v; want %s/3 unchanged", p, err, old)
			}
			p, err := read.do(reader, old)
			if err != nil {
				t.Fatal(err)
			}
			if p.Epoch == old || p.Epoch == "" || p.Offset != 0 {
				t.Fatalf("reader after the loss: %+v; want a new epoch at offset 0 (old %s)", p, old)
			}
			more, err := w.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("v", 1)})
			if err != nil || more.Epoch != p.Epoch || more.First != 1 {
				t.Fatalf("owner's next Apply: %+v, %v; want offset 1 in epoch %s", more, err, p.Epoch)
			}
		})
	}
}

package redisstore

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// subscribers returns how many PUB/SUB connections Redis has subscribed to the PBX's events.
func subscribers(t *testing.T, s *Store, pbx string) int64 {
	t.Helper()
	ch := newKeys(s.opts.KeyPrefix, pbx).events()
	n, err := s.client.PubSubNumSub(tctx(t), ch).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n[ch]
}

// leaseHQ takes PBX hq's lease for an hour and returns its fence.
func leaseHQ(t *testing.T, s *Store) store.Fence {
	t.Helper()
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return l.Fence()
}

// subscribeHQ subscribes to hq's log until the test ends.
func subscribeHQ(t *testing.T, s *Store) store.Subscription {
	t.Helper()
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// The Store's subscriptions to one PBX share one PUB/SUB connection, each gets every entry
// in order, the connection closes with the last of them, and a later one opens it again.
func TestSubscriptionsShareOneConnection(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	fence := leaseHQ(t, s)
	var subs []store.Subscription
	for range 4 {
		subs = append(subs, subscribeHQ(t, s))
	}
	if n := subscribers(t, s, "hq"); n != 1 {
		t.Fatalf("%d PUB/SUB connections for 4 subscriptions, want 1", n)
	}
	evs := events("s", 6)
	applyOne(t, s, fence, evs[0])
	if _, err := s.Apply(tctx(t), "hq", fence, store.Batch{Events: evs[1:]}); err != nil {
		t.Fatal(err)
	}
	for i, sub := range subs {
		got := receive(t, sub, 6)
		t.Logf("subscription %d: %d entries", i, len(got))
		wantSequence(t, got, got[0].Epoch, 1, details("s", 0, 6))
	}
	for _, sub := range subs {
		if err := sub.Close(); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the shared connection closed", func() error {
		if n := subscribers(t, s, "hq"); n != 0 {
			return fmt.Errorf("%d PUB/SUB connections left", n)
		}
		return nil
	})
	again := subscribeHQ(t, s)
	applyOne(t, s, fence, events("t", 1)[0])
	got := receive(t, again, 1)
	wantSequence(t, got, got[0].Epoch, 7, details("t", 0, 1))
}

// A subscription that stops reading is dropped as too slow; the others on the same connection
// get every entry, in order.
func TestSlowSubscriptionDoesNotHoldTheOthers(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, SubscriberBuffer: 8, ProbeInterval: 50 * time.Millisecond})
	fence := leaseHQ(t, s)
	stalled, reader := subscribeHQ(t, s), subscribeHQ(t, s)
	const batches, per = 6, 5
	var got []store.Entry
	for b := range batches {
		if _, err := s.Apply(tctx(t), "hq", fence, store.Batch{Events: events(fmt.Sprint("b", b), per)}); err != nil {
			t.Fatal(err)
		}
		got = append(got, receive(t, reader, per)...)
	}
	want := []string{}
	for b := range batches {
		want = append(want, details(fmt.Sprint("b", b), 0, per)...)
	}
	wantSequence(t, got, got[0].Epoch, 1, want)
	eventually(t, "drop of the stalled subscription", func() error {
		if err := stalled.Err(); !errors.Is(err, store.ErrSlowSubscriber) {
			return fmt.Errorf("stalled subscription: Err = %v", err)
		}
		return nil
	})
	if reader.Err() != nil {
		t.Fatalf("reading subscription ended: %v", reader.Err())
	}
}

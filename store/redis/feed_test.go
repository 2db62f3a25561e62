package redisstore

import (
	"errors"
	"fmt"
	"strings"
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

// A Store that did not write the events (a follower) decodes each published event once for
// all its subscriptions: they get the same decoded entry.
func TestFollowerSubscriptionsShareDecodedEvents(t *testing.T) {
	srv := redistest.Start(t)
	writer := open(t, Options{Addrs: []string{srv.Addr}})
	follower := open(t, Options{Addrs: []string{srv.Addr}})
	fence := leaseHQ(t, writer)
	view, hub := subscribeHQ(t, follower), subscribeHQ(t, follower)
	if _, err := writer.Apply(tctx(t), "hq", fence, store.Batch{Events: events("d", 3)}); err != nil {
		t.Fatal(err)
	}
	a, b := receive(t, view, 3), receive(t, hub, 3)
	wantSequence(t, a, a[0].Epoch, 1, details("d", 0, 3))
	wantSequence(t, b, a[0].Epoch, 1, details("d", 0, 3))
	for i := range a {
		if len(a[i].JSON) == 0 || &a[i].JSON[0] != &b[i].JSON[0] || a[i].Event.Link != b[i].Event.Link {
			t.Fatalf("entry %d decoded once for each subscription, want once for both", a[i].Offset)
		}
	}
}

// A published event that does not decode ends every subscription that reaches it, with the
// entry's offset in the error; the entries before it are delivered.
func TestUndecodablePublishedEventEndsSubscriptions(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	subs := []store.Subscription{subscribeHQ(t, s), subscribeHQ(t, s)}
	pos, err := s.Position(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	good := `{"v":1,"type":"BRIDGE_LINKSTATUS","pbx":"hq","time":"2025-03-14T09:30:00Z"}`
	msg := fmt.Sprintf("%s\n%d\n%s\n{not json", pos.Epoch, pos.Offset+1, good)
	if err := s.client.Publish(tctx(t), newKeys(s.opts.KeyPrefix, "hq").events(), msg).Err(); err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		got := receive(t, sub, 1)
		wantSequence(t, got, pos.Epoch, pos.Offset+1, []string{""})
		if err := waitEnd(t, sub); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("entry %d", pos.Offset+2)) {
			t.Fatalf("subscription ended with %v, want the undecodable entry %d named", err, pos.Offset+2)
		}
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

var subscribeTests = []contractTest{
	{"Subscribe/InOrderWithoutGaps", testSubscribeOrder},
	{"Subscribe/SeveralSubscribers", testSubscribeMany},
	{"Subscribe/SlowSubscriberDropped", testSubscribeSlow},
	{"Subscribe/ContextCancel", testSubscribeCancel},
	{"Subscribe/Close", testSubscribeClose},
}

func subscribe(t *testing.T, s store.Store, ctx context.Context, pbx string) store.Subscription {
	t.Helper()
	sub, err := s.Subscribe(ctx, pbx)
	noErr(t, "Subscribe "+pbx, err)
	t.Cleanup(func() { sub.Close() })
	return sub
}

// pacedApply applies rounds batches of 1..3 events and, after each, reads the batch from every
// subscriber in subs, so none of them falls behind by more than a batch. It returns the
// events applied.
func pacedApply(t *testing.T, s store.Store, f store.Fence, rounds int, subs ...store.Subscription) ([]tapi.Event, [][]store.Entry) {
	t.Helper()
	var all []tapi.Event
	got := make([][]store.Entry, len(subs))
	for r := range rounds {
		evs := Events("hq", fmt.Sprintf("p%d", r), 1+r%3)
		apply(t, s, "hq", f, store.Batch{Events: evs})
		all = append(all, evs...)
		for i, sub := range subs {
			got[i] = append(got[i], recv(t, sub, len(evs))...)
		}
	}
	return all, got
}

func testSubscribeOrder(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	appendEvents(t, s, "hq", f, "before", 5, 5) // not delivered: appended before subscribing
	epoch := position(t, s, "hq").Epoch
	sub := subscribe(t, s, testCtx(t), "hq")
	if err := sub.Err(); err != nil {
		t.Fatalf("Err of a live subscription: %v, want nil", err)
	}
	evs, got := pacedApply(t, s, f, 40, sub)
	checkEntries(t, "subscribed entries", got[0], "hq", epoch, 6, evs)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err of a live subscription after delivery: %v, want nil", err)
	}
}

func testSubscribeMany(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	s2 := open2(t)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch
	subs := []store.Subscription{subscribe(t, s, testCtx(t), "hq"), subscribe(t, s2, testCtx(t), "hq"),
		subscribe(t, s2, testCtx(t), "hq")}
	other := subscribe(t, s, testCtx(t), "branch")
	evs, got := pacedApply(t, s, f, 30, subs...)
	for i := range subs {
		checkEntries(t, fmt.Sprintf("entries of subscriber %d", i+1), got[i], "hq", epoch, 1, evs)
	}
	select {
	case e := <-other.C():
		t.Fatalf("subscriber of branch received an entry of %s at offset %d", e.PBX, e.Offset)
	default:
	}
}

func testSubscribeSlow(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch
	slow := subscribe(t, s, testCtx(t), "hq")
	fast := subscribe(t, s, testCtx(t), "hq")
	// Far more than any buffer: the slow subscriber must be dropped while Apply and the fast
	// subscriber go on.
	rounds := 2 * SuiteOptions.SubscriberBuffer
	var evs []tapi.Event
	for r := range rounds {
		batch := Events("hq", fmt.Sprintf("s%d", r), 10)
		applyUnblocked(t, s, f, batch, slow, fast)
		evs = append(evs, batch...)
		checkEntries(t, "fast subscriber", recv(t, fast, len(batch)), "hq", epoch, uint64(len(evs)-len(batch)+1), batch)
	}
	got, err := drain(t, slow)
	wantErr(t, "Err of the subscriber that never read", err, store.ErrSlowSubscriber)
	if len(got) > len(evs)-10 {
		t.Fatalf("slow subscriber received %d of %d entries before being dropped", len(got), len(evs))
	}
	checkEntries(t, "entries the slow subscriber received before being dropped", got, "hq", epoch, 1, evs[:len(got)])
	if err := fast.Err(); err != nil {
		t.Fatalf("fast subscriber ended with %v", err)
	}
}

func testSubscribeCancel(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	ctx, cancel := context.WithCancel(testCtx(t))
	sub := subscribe(t, s, ctx, "hq")
	keep := subscribe(t, s, testCtx(t), "hq")
	cancel()
	_, err := drain(t, sub)
	wantErr(t, "Err after cancelling the subscription's context", err, context.Canceled)
	_, got := pacedApply(t, s, f, 3, keep)
	if len(got[0]) != 6 {
		t.Fatalf("other subscriber received %d entries, want 6", len(got[0]))
	}
}

func testSubscribeClose(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	sub := subscribe(t, s, testCtx(t), "hq")
	keep := subscribe(t, s, testCtx(t), "hq")
	noErr(t, "Subscription.Close", sub.Close())
	if _, err := drain(t, sub); errors.Is(err, store.ErrSlowSubscriber) {
		t.Fatalf("Err after Close: %v", err)
	}
	sub.Close() // a second Close must be harmless
	_, got := pacedApply(t, s, f, 3, keep)
	if len(got[0]) != 6 {
		t.Fatalf("other subscriber received %d entries, want 6", len(got[0]))
	}
	if _, err := s.Subscribe(testCtx(t), ""); err == nil {
		t.Fatalf("Subscribe to an empty PBX name succeeded, want an error")
	}
}

// applyUnblocked applies evs and fails the test if Apply has not returned within waitLimit,
// as it would if it waited for a subscriber that does not read. It then reads the
// subscriptions subs to let Apply finish, so that the test's cleanups do not hang behind it.
func applyUnblocked(t *testing.T, s store.Store, f store.Fence, evs []tapi.Event, subs ...store.Subscription) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := s.Apply(testCtx(t), "hq", f, store.Batch{Events: evs})
		done <- err
	}()
	select {
	case err := <-done:
		noErr(t, "Apply", err)
		return
	case <-time.After(waitLimit):
	}
	release := make(chan struct{})
	defer close(release)
	for _, sub := range subs {
		go func() {
			for {
				select {
				case <-sub.C():
				case <-release:
					return
				}
			}
		}()
	}
	<-done
	t.Fatalf("Apply blocked for %v behind a subscriber that does not read", waitLimit)
}

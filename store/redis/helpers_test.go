package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// waitLimit bounds waits for recovery (reconnects, failovers); it only matters on a hang.
const waitLimit = 60 * time.Second

func open(t *testing.T, o Options) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	s, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// events returns n link-status events whose Detail is "<tag>#<i>".
func events(tag string, n int) []tapi.Event {
	evs := make([]tapi.Event, n)
	for i := range evs {
		evs[i] = tapi.Event{V: tapi.WireVersion, Type: tapi.BridgeLinkStatus, PBX: "hq",
			Time:   time.Date(2025, 3, 14, 9, 30, 0, i, time.UTC),
			Detail: fmt.Sprintf("%s#%d", tag, i),
			Link:   &tapi.LinkStatus{Node: "primary", Status: "up", Active: true}}
	}
	return evs
}

// eventually retries f until it succeeds, failing the test after waitLimit (f runs on another
// goroutine). It is for steps that must succeed once Redis is back (reconnects, failovers),
// not for timing.
func eventually(t *testing.T, what string, f func() error) {
	t.Helper()
	testkit.EventuallyNilWithin(t, waitLimit, what, f)
}

// applyOne applies one event as its own batch, retrying across a reconnect, and returns its
// entry. A retried Apply may have been applied once already; the caller's checks on offsets
// use the returned entry.
func applyOne(t *testing.T, s *Store, f store.Fence, e tapi.Event) store.Entry {
	t.Helper()
	var got store.Appended
	eventually(t, "Apply "+e.Detail, func() error {
		var err error
		got, err = s.Apply(tctx(t), "hq", f, store.Batch{Events: []tapi.Event{e}})
		if errors.Is(err, store.ErrFenced) {
			t.Fatalf("Apply %s: %v", e.Detail, err)
		}
		return err
	})
	if got.Len() != 1 {
		t.Fatalf("Apply appended %+v, want 1 event", got)
	}
	return storetest.Entries("hq", got, []tapi.Event{e})[0]
}

// receive reads entries from sub until it has n, failing on a closed subscription.
func receive(t *testing.T, sub store.Subscription, n int) []store.Entry {
	t.Helper()
	var out []store.Entry
	timeout := time.After(waitLimit)
	for len(out) < n {
		select {
		case e, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription ended after %d of %d entries: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-timeout:
			t.Fatalf("received %d of %d entries within %v", len(out), n, waitLimit)
		}
	}
	return out
}

// wantSequence fails unless entries have offsets from, from+1, ... and the details of the
// events tag#0, tag#1, ... in order, all in epoch.
func wantSequence(t *testing.T, entries []store.Entry, epoch string, from uint64, details []string) {
	t.Helper()
	if len(entries) != len(details) {
		t.Fatalf("got %d entries, want %d", len(entries), len(details))
	}
	for i, e := range entries {
		if e.Offset != from+uint64(i) || e.Event.Detail != details[i] || e.Epoch != epoch {
			t.Fatalf("entry %d: offset %d detail %q epoch %q; want offset %d detail %q epoch %q",
				i, e.Offset, e.Event.Detail, e.Epoch, from+uint64(i), details[i], epoch)
		}
	}
}

func details(tag string, from, n int) []string {
	d := make([]string, n)
	for i := range d {
		d[i] = tag + "#" + strconv.Itoa(from+i)
	}
	return d
}

// waitEnd drains sub until it ends and returns its Err, failing after waitLimit.
func waitEnd(t *testing.T, sub store.Subscription) error {
	t.Helper()
	timeout := time.After(waitLimit)
	for {
		select {
		case _, ok := <-sub.C():
			if !ok {
				return sub.Err()
			}
		case <-timeout:
			t.Fatalf("subscription still live after %v", waitLimit)
		}
	}
}

package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// testCtx bounds a test's store calls so that a hanging implementation fails instead of
// blocking the run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// sameJSON reports whether got and want encode to the same JSON: the comparison that holds
// across implementations that serialise values (time locations and nil-versus-empty slices
// aside, which JSON normalises).
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: encode got: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: encode want: %v", what, err)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("%s differs\n got: %s\nwant: %s", what, g, w)
	}
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// noErr fails on err.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sortedSnapshot returns s with lines and calls in a canonical order; the contract leaves
// their order open.
func sortedSnapshot(s store.Snapshot) store.Snapshot {
	s.Lines = slices.Clone(s.Lines)
	s.Calls = slices.Clone(s.Calls)
	slices.SortFunc(s.Lines, func(a, b tapi.Line) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Calls, func(a, b tapi.Call) int { return strings.Compare(string(a.Handle), string(b.Handle)) })
	return s
}

func load(t *testing.T, s store.Store, pbx string) store.Snapshot {
	t.Helper()
	snap, err := s.Load(testCtx(t), pbx)
	noErr(t, "Load "+pbx, err)
	return sortedSnapshot(snap)
}

func position(t *testing.T, s store.Store, pbx string) store.Position {
	t.Helper()
	p, err := s.Position(testCtx(t), pbx)
	noErr(t, "Position "+pbx, err)
	return p
}

func acquire(t *testing.T, s store.Store, pbx, owner string, ttl time.Duration) store.Lease {
	t.Helper()
	l, err := s.AcquireLease(testCtx(t), pbx, owner, ttl)
	noErr(t, "AcquireLease "+pbx+" by "+owner, err)
	if l.Token == 0 || l.Owner != owner || l.PBX != pbx {
		t.Fatalf("AcquireLease %s by %s: got lease %+v, want this PBX and owner and a token > 0", pbx, owner, l)
	}
	return l
}

func apply(t *testing.T, s store.Store, pbx string, f store.Fence, b store.Batch) []store.Entry {
	t.Helper()
	a, err := s.Apply(testCtx(t), pbx, f, b)
	noErr(t, "Apply "+pbx, err)
	if a.Len() != len(b.Events) || (a.Len() > 0 && a.Epoch == "") {
		t.Fatalf("Apply %s: appended %+v for %d events", pbx, a, len(b.Events))
	}
	return Entries(pbx, a, b.Events)
}

// Entries are the log's entries of events as Apply appended them (a): what Replay and the
// subscriptions deliver for them.
func Entries(pbx string, a store.Appended, evs []tapi.Event) []store.Entry {
	if len(evs) == 0 {
		return nil
	}
	out := make([]store.Entry, len(evs))
	for i := range evs {
		out[i] = store.Entry{PBX: pbx, Epoch: a.Epoch, Offset: a.Offset(i), Event: evs[i]}
	}
	return out
}

// appendEvents applies n events in batches of at most per and returns all entries.
func appendEvents(t *testing.T, s store.Store, pbx string, f store.Fence, tag string, n, per int) []store.Entry {
	t.Helper()
	evs := Events(pbx, tag, n)
	var all []store.Entry
	for len(evs) > 0 {
		k := min(per, len(evs))
		all = append(all, apply(t, s, pbx, f, store.Batch{Events: evs[:k]})...)
		evs = evs[k:]
	}
	return all
}

// checkEntries fails unless es are the events evs with offsets first, first+1, ... in epoch.
func checkEntries(t *testing.T, what string, es []store.Entry, pbx, epoch string, first uint64, evs []tapi.Event) {
	t.Helper()
	if len(es) != len(evs) {
		t.Fatalf("%s: %d entries, want %d", what, len(es), len(evs))
	}
	for i, e := range es {
		if e.PBX != pbx || e.Epoch != epoch || e.Offset != first+uint64(i) {
			t.Fatalf("%s: entry %d is (pbx %q, epoch %q, offset %d), want (%q, %q, %d)",
				what, i, e.PBX, e.Epoch, e.Offset, pbx, epoch, first+uint64(i))
		}
		sameJSON(t, what+": event", e.Event, evs[i])
		if e.JSON != nil {
			if want, err := e.Event.AppendJSON(nil); err != nil || !bytes.Equal(e.JSON, want) {
				t.Fatalf("%s: entry %d carries JSON %s, its event encodes as %s (%v)", what, i, e.JSON, want, err)
			}
		}
	}
}

// waitLeaseGone polls LeaseOwner until the PBX's lease has expired.
func waitLeaseGone(t *testing.T, s store.Store, pbx string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		_, _, err := s.LeaseOwner(testCtx(t), pbx)
		if errors.Is(err, store.ErrNoOwner) {
			return
		}
		noErr(t, "LeaseOwner "+pbx, err)
		if time.Now().After(deadline) {
			t.Fatalf("lease of %s did not expire within %v", pbx, waitLimit)
		}
		time.Sleep(LeaseTTL / 4)
	}
}

// recv reads n entries from sub, failing if C closes or nothing comes within waitLimit.
func recv(t *testing.T, sub store.Subscription, n int) []store.Entry {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	out := make([]store.Entry, 0, n)
	for len(out) < n {
		select {
		case e, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription closed after %d of %d entries: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-timer.C:
			t.Fatalf("subscription delivered %d of %d entries within %v", len(out), n, waitLimit)
		}
	}
	return out
}

// drain reads sub until C is closed and returns what it read and Err.
func drain(t *testing.T, sub store.Subscription) ([]store.Entry, error) {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	var out []store.Entry
	for {
		select {
		case e, ok := <-sub.C():
			if !ok {
				return out, sub.Err()
			}
			out = append(out, e)
		case <-timer.C:
			t.Fatalf("subscription not closed within %v (read %d entries)", waitLimit, len(out))
		}
	}
}

// unchanged fails unless pbx's state and position are as before and the journals of lines
// are still empty.
func unchanged(t *testing.T, s store.Store, pbx string, before store.Snapshot, lines ...string) {
	t.Helper()
	sameJSON(t, "state after rejected write", load(t, s, pbx), before)
	for _, l := range lines {
		j, err := s.Journal(testCtx(t), l, 0, 0)
		noErr(t, "Journal "+l, err)
		if len(j) != 0 {
			t.Fatalf("journal of %s has %d entries after rejected writes, want 0", l, len(j))
		}
	}
}

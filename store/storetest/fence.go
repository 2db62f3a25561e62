package storetest

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

var fenceTests = []contractTest{
	{"Fence/NoLease", testFenceNoLease},
	{"Fence/WrongOwnerOrToken", testFenceWrong},
	{"Fence/ExpiredLease", testFenceExpired},
	{"Fence/AfterTakeover", testFenceTakeover},
	{"Fence/AfterRelease", testFenceReleased},
}

// fullBatch writes something of every kind, so a rejected write can be checked to leave
// everything unchanged.
func fullBatch(tag string) store.Batch {
	return store.Batch{
		Lines:        []tapi.Line{Line("hq", "201")},
		Calls:        []tapi.Call{Call("hq", "201", 7)},
		RemovedCalls: []tapi.CallHandle{"hq:1"},
		NextHandle:   8,
		Events:       Events("hq", tag, 2),
		Journal:      []store.JournalEntry{JournalEntry("hq/209", 1)},
	}
}

func rejected(t *testing.T, what string, s store.Store, f store.Fence) {
	t.Helper()
	_, err := s.Apply(testCtx(t), "hq", f, fullBatch("fenced"))
	wantErr(t, what, err, store.ErrFenced)
}

// seed writes a first batch under f and returns the state after it.
func seed(t *testing.T, s store.Store, f store.Fence) store.Snapshot {
	t.Helper()
	apply(t, s, "hq", f, store.Batch{Calls: []tapi.Call{Call("hq", "201", 1)}, NextHandle: 2,
		Events: Events("hq", "seed", 1)})
	return load(t, s, "hq")
}

func testFenceNoLease(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	before := load(t, s, "hq")
	rejected(t, "Apply without any lease", s, store.Fence{Owner: "a", Token: 1})
	rejected(t, "Apply with a zero fence", s, store.Fence{})
	unchanged(t, s, "hq", before, "hq/209")
}

func testFenceWrong(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	l := acquire(t, s, "hq", "a", longTTL)
	before := seed(t, s, l.Fence())
	rejected(t, "Apply with a higher token", s, store.Fence{Owner: "a", Token: l.Token + 1})
	if l.Token > 1 {
		rejected(t, "Apply with a lower token", s, store.Fence{Owner: "a", Token: l.Token - 1})
	}
	rejected(t, "Apply by another owner with the holder's token", open2(t), store.Fence{Owner: "b", Token: l.Token})
	unchanged(t, s, "hq", before, "hq/209")
	apply(t, s, "hq", l.Fence(), fullBatch("ok"))
}

func testFenceExpired(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	l := acquire(t, s, "hq", "a", LeaseTTL)
	if _, err := s.Apply(testCtx(t), "hq", l.Fence(), store.Batch{}); err != nil {
		// The box may have stalled past the TTL already; the write below is the real check.
		wantErr(t, "Apply right after acquiring a short lease", err, store.ErrFenced)
	}
	before := load(t, s, "hq")
	waitLeaseGone(t, s, "hq")
	rejected(t, "Apply under an expired lease", s, l.Fence())
	unchanged(t, s, "hq", before, "hq/209")
}

func testFenceTakeover(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	la := acquire(t, s, "hq", "a", LeaseTTL)
	waitLeaseGone(t, s, "hq")
	s2 := open2(t)
	lb := acquire(t, s2, "hq", "b", longTTL)
	if lb.Token <= la.Token {
		t.Fatalf("token after takeover %d, want > %d", lb.Token, la.Token)
	}
	before := seed(t, s2, lb.Fence())
	rejected(t, "Apply by the former owner after takeover", s, la.Fence())
	unchanged(t, s, "hq", before, "hq/209")
	apply(t, s2, "hq", lb.Fence(), fullBatch("new owner"))
}

func testFenceReleased(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	l := acquire(t, s, "hq", "a", longTTL)
	before := seed(t, s, l.Fence())
	noErr(t, "ReleaseLease", s.ReleaseLease(testCtx(t), l))
	rejected(t, "Apply after releasing the lease", s, l.Fence())
	unchanged(t, s, "hq", before, "hq/209")
}

package storetest

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
)

var repeatTests = []contractTest{
	{"Apply/RepeatedWriteOnce", testRepeatedWrite},
}

// A write sent again with its ID (its reply was lost: it may have happened) is answered with
// the first write's offsets and appends nothing; a write with another ID, or none, appends.
func testRepeatedWrite(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch
	evs := Events("hq", "w", 6)
	b := store.Batch{ID: "a/1/1", Events: evs[:3], Calls: fullBatch("w").Calls}
	first := apply(t, s, "hq", f, b)
	checkEntries(t, "the write", first, "hq", epoch, 1, evs[:3])
	again := apply(t, s, "hq", f, b)
	checkEntries(t, "the write sent again", again, "hq", epoch, 1, evs[:3])
	// From another instance too: the writer's retry may go through a new connection.
	checkEntries(t, "the write sent again by another handle", apply(t, open2(t), "hq", f, b), "hq", epoch, 1, evs[:3])
	if p := position(t, s, "hq"); p.Offset != 3 {
		t.Fatalf("position after a write sent three times: %+v, want offset 3", p)
	}
	nb2 := store.Batch{ID: "a/1/2", Events: evs[3:5]}
	next := apply(t, s, "hq", f, nb2)
	checkEntries(t, "the next write", next, "hq", epoch, 4, evs[3:5])
	// A write sent again is fenced like any other.
	_, err := s.Apply(testCtx(t), "hq", store.Fence{Owner: "b", Token: f.Token}, nb2)
	wantErr(t, "the write sent again by another owner", err, store.ErrFenced)
	// Only the last write is remembered: an older ID is a new write (the writer never sends
	// a write again once a later one has had its reply).
	unnamed := apply(t, s, "hq", f, store.Batch{Events: evs[5:]})
	checkEntries(t, "an unnamed write", unnamed, "hq", epoch, 6, evs[5:])
	// After it, the named write before is not the last one: sent again, it is a new write.
	checkEntries(t, "an older write sent again", apply(t, s, "hq", f, nb2), "hq", epoch, 7, evs[3:5])
	checkEntries(t, "the log", replay(t, s, "hq", epoch, 0, 0), "hq", epoch, 1, append(evs[:6:6], evs[3:5]...))
}

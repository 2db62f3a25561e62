package storetest

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
)

var logTests = []contractTest{
	{"Replay/AfterOffsetWithLimit", testReplay},
	{"Replay/EpochChanged", testReplayEpoch},
	{"Replay/CursorTooOld", testReplayTrimmed},
	{"Replay/RejectsBadArguments", testReplayInvalid},
}

func replay(t *testing.T, s store.Store, pbx, epoch string, after uint64, limit int) []store.Entry {
	t.Helper()
	es, err := s.Replay(testCtx(t), pbx, epoch, after, limit)
	noErr(t, "Replay", err)
	return es
}

func testReplay(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch
	all := appendEvents(t, s, "hq", f, "r", 10, 3)
	evs := Events("hq", "r", 10)

	checkEntries(t, "replay of everything", replay(t, s, "hq", epoch, 0, 0), "hq", epoch, 1, evs)
	checkEntries(t, "replay on another instance", replay(t, open2(t), "hq", epoch, 0, 0), "hq", epoch, 1, evs)
	checkEntries(t, "replay after 4, limit 3", replay(t, s, "hq", epoch, 4, 3), "hq", epoch, 5, evs[4:7])
	checkEntries(t, "replay after 7, limit 10", replay(t, s, "hq", epoch, 7, 10), "hq", epoch, 8, evs[7:])
	if es := replay(t, s, "hq", epoch, 10, 0); len(es) != 0 {
		t.Fatalf("replay after the last offset returned %d entries", len(es))
	}
	sameJSON(t, "replayed entries against those Apply returned", replay(t, s, "hq", epoch, 0, 0), all)
}

func testReplayEpoch(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	appendEvents(t, s, "hq", f, "e", 3, 3)
	epoch := position(t, s, "hq").Epoch
	_, err := s.Replay(testCtx(t), "hq", epoch+"x", 1, 0)
	wantErr(t, "Replay with another epoch", err, store.ErrEpochChanged)
	_, err = s.Replay(testCtx(t), "hq", "", 0, 0)
	wantErr(t, "Replay with an empty epoch", err, store.ErrEpochChanged)
	_, err = s.Replay(testCtx(t), "branch", epoch, 0, 0)
	wantErr(t, "Replay of a PBX without a log, with hq's epoch", err, store.ErrEpochChanged)
}

func testReplayTrimmed(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	n, keep := 5*SuiteOptions.MaxLogLen, SuiteOptions.MaxLogLen
	appendEvents(t, s, "hq", f, "t", n, 25)
	epoch := position(t, s, "hq").Epoch
	if p := position(t, s, "hq"); p.Offset != uint64(n) {
		t.Fatalf("position after %d events: %+v", n, p)
	}
	_, err := s.Replay(testCtx(t), "hq", epoch, 0, 0)
	wantErr(t, "Replay from the start after trimming", err, store.ErrCursorTooOld)
	_, err = s.Replay(testCtx(t), "hq", epoch, 1, 10)
	wantErr(t, "Replay after offset 1 after trimming", err, store.ErrCursorTooOld)

	evs := Events("hq", "t", n)
	from := uint64(n - keep)
	checkEntries(t, "replay of the newest MaxLogLen entries", replay(t, s, "hq", epoch, from, 0), "hq", epoch, from+1, evs[from:])
	checkEntries(t, "replay of the newest MaxLogLen entries, limit 10", replay(t, s, "hq", epoch, from, 10), "hq",
		epoch, from+1, evs[from:from+10])
}

func testReplayInvalid(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	epoch := position(t, s, "hq").Epoch
	if _, err := s.Replay(testCtx(t), "hq", epoch, 0, -1); err == nil {
		t.Fatalf("Replay with limit -1 succeeded, want an error")
	}
	if _, err := s.Replay(testCtx(t), "", epoch, 0, 0); err == nil {
		t.Fatalf("Replay of an empty PBX name succeeded, want an error")
	}
}

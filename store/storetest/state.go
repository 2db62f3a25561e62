package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

var stateTests = []contractTest{
	{"Load/UnknownPBX", testLoadUnknown},
	{"Apply/StoresState", testApplyStoresState},
	{"LoadLines/OnlyThoseLines", testLoadLines},
	{"Apply/Entries", testApplyEntries},
	{"Apply/CopiesValues", testApplyCopies},
	{"Apply/RejectsInvalidBatch", testApplyInvalid},
	{"Apply/PBXsIsolated", testPBXIsolation},
	{"Apply/CancelledContext", testCancelledContext},
}

func testLoadUnknown(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	snap := load(t, s, "hq")
	if len(snap.Lines) != 0 || len(snap.Calls) != 0 || snap.NextHandle != 0 {
		t.Fatalf("Load of unknown PBX: got %d lines, %d calls, next handle %d; want an empty snapshot",
			len(snap.Lines), len(snap.Calls), snap.NextHandle)
	}
	if snap.Position.Epoch == "" || snap.Position.Offset != 0 {
		t.Fatalf("Load of unknown PBX: position %+v, want a non-empty epoch and offset 0", snap.Position)
	}
	if p := position(t, s, "hq"); p != snap.Position {
		t.Fatalf("Position after Load: %+v, want the same epoch and offset %+v", p, snap.Position)
	}
	if p := position(t, open2(t), "hq"); p != snap.Position {
		t.Fatalf("Position on another instance: %+v, want %+v", p, snap.Position)
	}
	other := position(t, s, "branch")
	if other.Epoch == "" || other.Epoch == snap.Position.Epoch || other.Offset != 0 {
		t.Fatalf("Position of a second unknown PBX: %+v, want offset 0 and its own random epoch (hq has %q)",
			other, snap.Position.Epoch)
	}
	if _, err := s.Load(testCtx(t), ""); err == nil {
		t.Fatalf("Load of an empty PBX name succeeded, want an error")
	}
	if _, err := s.Position(testCtx(t), ""); err == nil {
		t.Fatalf("Position of an empty PBX name succeeded, want an error")
	}
}

func testApplyStoresState(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	epoch := position(t, s, "hq").Epoch
	f := acquire(t, s, "hq", "a", longTTL).Fence()

	l201, l202 := Line("hq", "201"), Line("hq", "202")
	c1, c2, c3 := Call("hq", "201", 1), Call("hq", "201", 2), Call("hq", "202", 3)
	apply(t, s, "hq", f, store.Batch{Lines: []tapi.Line{l201, l202}, Calls: []tapi.Call{c1, c2, c3},
		NextHandle: 4, Events: Events("hq", "b1", 3)})
	sameJSON(t, "snapshot after first batch", load(t, s, "hq"), store.Snapshot{
		Lines: []tapi.Line{l201, l202}, Calls: []tapi.Call{c1, c2, c3}, NextHandle: 4,
		Position: store.Position{Epoch: epoch, Offset: 3}})

	l201.DND, l201.Forwarding = true, nil
	c2.CallStatus = tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD}
	c2.Parties = append(c2.Parties, "301")
	apply(t, s, "hq", f, store.Batch{Lines: []tapi.Line{l201}, Calls: []tapi.Call{c2},
		RemovedCalls: []tapi.CallHandle{c1.Handle, "hq:99"}, Events: Events("hq", "b2", 2)})
	want := store.Snapshot{Lines: []tapi.Line{l201, l202}, Calls: []tapi.Call{c2, c3}, NextHandle: 4,
		Position: store.Position{Epoch: epoch, Offset: 5}}
	sameJSON(t, "snapshot after replacing line 201 and call 2, removing call 1 and an unknown call "+
		"(next handle 0 keeps 4)", load(t, s, "hq"), want)

	c4 := Call("hq", "202", 4)
	apply(t, s, "hq", f, store.Batch{Calls: []tapi.Call{c4}, RemovedCalls: []tapi.CallHandle{c4.Handle}, NextHandle: 5})
	want.NextHandle = 5
	sameJSON(t, "snapshot after a call stored and removed in one batch", load(t, s, "hq"), want)
	sameJSON(t, "snapshot on another instance", load(t, open2(t), "hq"), want)
}

func testApplyEntries(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch

	evs := Events("hq", "first", 3)
	checkEntries(t, "entries of the first batch", apply(t, s, "hq", f, store.Batch{Events: evs}), "hq", epoch, 1, evs)
	evs = Events("hq", "second", 5)
	checkEntries(t, "entries of the second batch", apply(t, s, "hq", f, store.Batch{Events: evs}), "hq", epoch, 4, evs)

	es := apply(t, s, "hq", f, store.Batch{Lines: []tapi.Line{Line("hq", "201")}})
	if len(es) != 0 {
		t.Fatalf("a batch without events returned %d entries", len(es))
	}
	if p := position(t, s, "hq"); p != (store.Position{Epoch: epoch, Offset: 8}) {
		t.Fatalf("position after 8 events and an event-less batch: %+v, want offset 8 in epoch %q", p, epoch)
	}
}

func testApplyCopies(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	line, call := Line("hq", "201"), Call("hq", "201", 1)
	evs := Events("hq", "copy", 1) // a LINE_NEWCALL with a *Call
	jl := JournalEntry("hq/201", 1)
	b := store.Batch{Lines: []tapi.Line{line}, Calls: []tapi.Call{call}, Events: evs, Journal: []store.JournalEntry{jl}}
	apply(t, s, "hq", f, b)
	before := load(t, s, "hq")
	wantEvent := Events("hq", "copy", 1)[0]

	// Mutate everything the caller passed, through the batch's own slices.
	b.Lines[0].Forwarding[0].Destination = "mutated"
	b.Lines[0].DisplayName = "mutated"
	b.Calls[0].Parties[0] = "mutated"
	b.Calls[0].OtherCallIDs[0] = "mutated"
	b.Events[0].Call.Parties[0] = "mutated"
	b.Events[0].Call.CallID = "mutated"
	b.Events[0].Detail = "mutated"
	b.Journal[0].Outcome = "mutated"
	sameJSON(t, "state after the caller mutated the applied batch", load(t, s, "hq"), before)

	// Mutate what reads returned.
	got, err := s.Load(testCtx(t), "hq")
	noErr(t, "Load", err)
	got.Lines[0].Forwarding[0].Destination = "mutated"
	got.Calls[0].Parties[0] = "mutated"
	sameJSON(t, "state after the caller mutated a loaded snapshot", load(t, s, "hq"), before)

	es, err := s.Replay(testCtx(t), "hq", before.Position.Epoch, 0, 0)
	noErr(t, "Replay", err)
	es[0].Event.Call.Parties[0] = "mutated"
	es[0].Event.Detail = "mutated"
	es, err = s.Replay(testCtx(t), "hq", before.Position.Epoch, 0, 0)
	noErr(t, "Replay", err)
	checkEntries(t, "replay after the caller mutated replayed entries and the applied events", es, "hq",
		before.Position.Epoch, 1, []tapi.Event{wantEvent})

	j, err := s.Journal(testCtx(t), "hq/201", 0, 0)
	noErr(t, "Journal", err)
	sameJSON(t, "journal after the caller mutated the applied entry", j, []store.JournalEntry{JournalEntry("hq/201", 1)})
}

func testApplyInvalid(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	before := load(t, s, "hq")
	ok := store.Batch{Lines: []tapi.Line{Line("hq", "201")}, Calls: []tapi.Call{Call("hq", "201", 1)},
		Events: Events("hq", "bad", 2), Journal: []store.JournalEntry{JournalEntry("hq/201", 1)}}
	cases := map[string]func(b *store.Batch){
		"line without a name":           func(b *store.Batch) { b.Lines = append(b.Lines, tapi.Line{PBX: "hq"}) },
		"call without a handle":         func(b *store.Batch) { b.Calls = append(b.Calls, tapi.Call{Line: "hq/201"}) },
		"journal entry of another PBX":  func(b *store.Batch) { b.Journal = append(b.Journal, JournalEntry("branch/201", 2)) },
		"journal entry without a line":  func(b *store.Batch) { b.Journal = append(b.Journal, JournalEntry("", 3)) },
		"journal entry of a PBX prefix": func(b *store.Batch) { b.Journal = append(b.Journal, JournalEntry("hqx/201", 4)) },
	}
	for name, mutate := range cases {
		b := ok
		b.Lines, b.Calls, b.Journal = append([]tapi.Line(nil), ok.Lines...), append([]tapi.Call(nil), ok.Calls...),
			append([]store.JournalEntry(nil), ok.Journal...)
		mutate(&b)
		_, err := s.Apply(testCtx(t), "hq", f, b)
		if err == nil || errors.Is(err, store.ErrFenced) {
			t.Fatalf("Apply with a %s: got error %v, want a validation error", name, err)
		}
		unchanged(t, s, "hq", before, "hq/201", "branch/201", "hqx/201")
	}
	if _, err := s.Apply(testCtx(t), "", f, ok); err == nil {
		t.Fatalf("Apply to an empty PBX name succeeded, want an error")
	}
	apply(t, s, "hq", f, ok) // the valid batch itself is fine
}

func testPBXIsolation(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	fa := acquire(t, s, "hq", "a", longTTL).Fence()
	fb := acquire(t, s, "branch", "b", longTTL).Fence()
	apply(t, s, "hq", fa, store.Batch{Lines: []tapi.Line{Line("hq", "201")}, Calls: []tapi.Call{Call("hq", "201", 1)},
		NextHandle: 2, Events: Events("hq", "hq", 4), Journal: []store.JournalEntry{JournalEntry("hq/201", 1)}})
	if _, err := s.Apply(testCtx(t), "branch", fa, store.Batch{Events: Events("branch", "x", 1)}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Apply to branch with hq's fence: got %v, want ErrFenced", err)
	}
	es := apply(t, s, "branch", fb, store.Batch{Events: Events("branch", "br", 1)})
	if es[0].Offset != 1 {
		t.Fatalf("first event of branch got offset %d, want 1 (logs are per PBX)", es[0].Offset)
	}
	snap := load(t, s, "branch")
	if len(snap.Lines) != 0 || len(snap.Calls) != 0 || snap.NextHandle != 0 || snap.Position.Offset != 1 {
		t.Fatalf("branch snapshot shows hq's writes: %+v", snap)
	}
	j, err := s.Journal(testCtx(t), "branch/201", 0, 0)
	noErr(t, "Journal", err)
	if len(j) != 0 {
		t.Fatalf("journal of branch/201 has %d entries of hq/201", len(j))
	}
}

func testCancelledContext(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	before := load(t, s, "hq")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Load(ctx, "hq"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context: got %v, want context.Canceled", err)
	}
	_, err := s.Apply(ctx, "hq", f, store.Batch{Lines: []tapi.Line{Line("hq", "201")}, Events: Events("hq", "c", 1)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with a cancelled context: got %v, want context.Canceled", err)
	}
	unchanged(t, s, "hq", before)
}

// testLoadLines: LoadLines returns the named lines the store holds and the calls on them, with
// the whole PBX's handle counter and position, as Load does for every line.
func testLoadLines(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	l201, l202, l203 := Line("hq", "201"), Line("hq", "202"), Line("hq", "203")
	c1, c2, c3 := Call("hq", "201", 1), Call("hq", "202", 2), Call("hq", "203", 3)
	apply(t, s, "hq", f, store.Batch{Lines: []tapi.Line{l201, l202, l203}, Calls: []tapi.Call{c1, c2, c3},
		NextHandle: 4, Events: Events("hq", "b1", 2)})
	all := load(t, s, "hq")
	got, err := s.LoadLines(testCtx(t), "hq", []string{"hq/203", "hq/201", "hq/999", "hq/201"})
	noErr(t, "LoadLines", err)
	sameJSON(t, "LoadLines of 201, 203 and an unknown line", sortedSnapshot(got), store.Snapshot{
		Lines: []tapi.Line{l201, l203}, Calls: []tapi.Call{c1, c3}, NextHandle: 4, Position: all.Position})
	none, err := s.LoadLines(testCtx(t), "hq", nil)
	noErr(t, "LoadLines of no line", err)
	if len(none.Lines) != 0 || len(none.Calls) != 0 || none.Position != all.Position {
		t.Fatalf("LoadLines of no line: %d lines, %d calls, position %+v; want none at %+v",
			len(none.Lines), len(none.Calls), none.Position, all.Position)
	}
	if _, err := s.LoadLines(testCtx(t), "", []string{"hq/201"}); err == nil {
		t.Fatalf("LoadLines of an empty PBX name succeeded, want an error")
	}
}

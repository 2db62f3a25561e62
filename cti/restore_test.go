package cti

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// A store that lost writes holds an older state than the owner's. The rewrite must store
// every line and call, delete what only the store has, and its events must take a client that
// loaded the stale state to the owner's: stale calls end, missing calls appear, changed calls
// change.
func TestRestoreFromStaleStore(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	call := func(n, ext, id string, s tapi.CallState) tapi.Call {
		return tapi.Call{Handle: tapi.CallHandle("hq:" + n), Line: "hq/" + ext, CallID: id,
			CallStatus: tapi.CallStatus{State: s}, Created: t0, StateSince: t0}
	}
	l201, l202 := tapi.NewLine("hq", "201", "A"), tapi.NewLine("hq", "202", "B")
	dnd := l202
	dnd.DND = true

	st := reducer.NewState("hq")
	owner := []tapi.Call{
		call("1", "201", "c1", tapi.LINECALLSTATE_CONNECTED), // stored as OFFERING
		call("3", "202", "c3", tapi.LINECALLSTATE_ONHOLD),    // stored with another call ID
		call("4", "201", "c4", tapi.LINECALLSTATE_DIALING),   // the store never got it
	}
	if err := st.Restore([]tapi.Line{l201, dnd}, owner, 5); err != nil {
		t.Fatal(err)
	}
	stored := store.Snapshot{Lines: []tapi.Line{l201, l202}, Calls: []tapi.Call{
		call("1", "201", "c1", tapi.LINECALLSTATE_OFFERING),
		call("2", "201", "c2", tapi.LINECALLSTATE_CONNECTED), // ended since: the owner dropped it
		call("3", "202", "old3", tapi.LINECALLSTATE_ONHOLD),
	}, Position: store.Position{Epoch: "new", Offset: 0}}

	r := restoreFrom(st, stored, t0.Add(time.Second))

	if len(r.ChangedLines) != 2 || len(r.ChangedCalls) != 3 {
		t.Errorf("rewrite: %d lines, %d calls; want every line (2) and call (3)", len(r.ChangedLines), len(r.ChangedCalls))
	}
	if len(r.RemovedCalls) != 1 || r.RemovedCalls[0] != "hq:2" {
		t.Errorf("removed %v, want [hq:2]", r.RemovedCalls)
	}
	for _, e := range r.Events {
		if err := e.Validate(); err != nil {
			t.Errorf("invalid event %s %s: %v", e.Type, e.Handle, err)
		}
	}
	// A client that loaded the stale snapshot and applies the events ends at the owner's state.
	v := newView()
	v.reset(stored.Lines, stored.Calls, stored.Position)
	for i, e := range r.Events {
		v.applyEntry(store.Entry{PBX: "hq", Epoch: "new", Offset: uint64(i + 1), Event: e})
	}
	got := map[tapi.CallHandle]string{}
	for _, c := range v.callsOf("") {
		got[c.Handle] = c.CallID + ":" + c.State.String()
	}
	want := map[tapi.CallHandle]string{}
	for _, c := range st.Calls("") {
		want[c.Handle] = c.CallID + ":" + c.State.String()
	}
	if len(got) != len(want) {
		t.Fatalf("client after the events: %v, want %v", got, want)
	}
	for h, w := range want {
		if got[h] != w {
			t.Errorf("client after the events: %s is %q, want %q", h, got[h], w)
		}
	}
	if l, _ := v.line("hq/202"); !l.DND {
		t.Errorf("line hq/202 after the events: %+v, want DND on as the owner has it", l)
	}
	// Nothing differs: nothing to tell clients, everything still written.
	same := store.Snapshot{Lines: st.Lines(), Calls: st.Calls("")}
	if r := restoreFrom(st, same, t0); len(r.Events) != 0 || len(r.RemovedCalls) != 0 || len(r.ChangedCalls) != 3 {
		t.Errorf("restore onto an equal store: %d events, %d removed, %d calls written; want 0, 0, 3",
			len(r.Events), len(r.RemovedCalls), len(r.ChangedCalls))
	}
}

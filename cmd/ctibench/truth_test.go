package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/tapi"
)

// eventBytes is an event message as the bridge sends it.
func eventBytes(t testing.TB, off uint64, ev tapi.Event) []byte {
	t.Helper()
	ev.V, ev.PBX, ev.Time = 1, pbxName, time.Now()
	b, err := json.Marshal(map[string]any{"type": "event", "pbx": pbxName, "epoch": "e1", "offset": off, "event": ev})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newCallEvent(t testing.TB, off uint64, line string, h tapi.CallHandle, id string, st tapi.CallState) []byte {
	return eventBytes(t, off, tapi.Event{Type: tapi.LineNewCall, Line: line, Handle: h, Call: &tapi.Call{
		Handle: h, Line: line, CallID: id, CallStatus: tapi.CallStatus{State: st},
		Info:    tapi.CallInfo{Origin: tapi.LINECALLORIGIN_INTERNAL, Caller: tapi.PartyID{Number: "10001"}},
		Parties: []string{"10001"}, Created: time.Now(), StateSince: time.Now()}})
}

func stateEvent(t testing.TB, off uint64, line string, h tapi.CallHandle, st tapi.CallState) []byte {
	return eventBytes(t, off, tapi.Event{Type: tapi.LineCallState, Line: line, Handle: h,
		CallState: &tapi.CallStatus{State: st}})
}

// The mirror follows the call events, and the comparison uses the e2e suite's rules.
func TestMirrorMatchesTruth(t *testing.T) {
	m := newCallMirror()
	for i, b := range [][]byte{
		newCallEvent(t, 1, "hq/10000", "h1", "7", tapi.LINECALLSTATE_DIALTONE),
		stateEvent(t, 2, "hq/10000", "h1", tapi.LINECALLSTATE_CONNECTED),
		newCallEvent(t, 3, "hq/10001", "h2", "", tapi.LINECALLSTATE_OFFERING),
		newCallEvent(t, 4, "hq/10002", "h3", "9", tapi.LINECALLSTATE_OFFERING),
		stateEvent(t, 5, "hq/10002", "h3", tapi.LINECALLSTATE_IDLE),
		eventBytes(t, 6, tapi.Event{Type: tapi.LineCallInfo, Line: "hq/10001", Handle: "h2",
			CallInfo: &tapi.CallInfoEvent{CallID: "8"}}),
	} {
		if err := m.apply(b, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	got := m.byLine()
	conn := func(id string, s csta.LocalConnectionState) []pbxsim.ConnTruth {
		return []pbxsim.ConnTruth{{CallID: id, State: s}}
	}
	for _, c := range []struct {
		line  string
		conns []pbxsim.ConnTruth
		want  bool
	}{
		{"hq/10000", conn("7", csta.StateConnected), true},
		{"hq/10000", conn("7", csta.StateAlerting), false},
		{"hq/10000", conn("6", csta.StateConnected), false},
		{"hq/10001", conn("8", csta.StateAlerting), true},
		{"hq/10002", nil, true},
		{"hq/10002", conn("9", csta.StateAlerting), false},
	} {
		if ok := matchCalls(c.conns, got[c.line]); ok != c.want {
			t.Errorf("%s against %v: match %v, want %v (mirror %+v)", c.line, c.conns, ok, c.want, got[c.line])
		}
	}
	if _, ok := scanCallState(stateEvent(t, 7, "hq/10000", "h1", tapi.LINECALLSTATE_ONHOLD)); !ok {
		t.Error("LINE_CALLSTATE not read by scanning")
	}
	// Without a callID (the minimal profile) a call matches by state alone.
	noID := []mirrorCall{{line: "hq/10003", state: tapi.LINECALLSTATE_ONHOLD}, {line: "hq/10003", state: tapi.LINECALLSTATE_CONNECTED}}
	both := []pbxsim.ConnTruth{{CallID: "3", State: csta.StateConnected}, {CallID: "4", State: csta.StateHold}}
	if !matchCalls(both, noID) {
		t.Error("calls without callIDs not matched by state")
	}
	if matchCalls(both[:1], noID) {
		t.Error("two calls matched one connection")
	}

	r, _ := json.Marshal(map[string]any{"type": "resync", "calls": []tapi.Call{{Handle: "h9", Line: "hq/10005", CallID: "5",
		CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD}}}})
	if err := m.resync(r); err != nil {
		t.Fatal(err)
	}
	if got := m.byLine(); len(got) != 1 || !matchCalls(conn("5", csta.StateHold), got["hq/10005"]) {
		t.Errorf("after a resync the mirror holds %+v", got)
	}
}

// The auditor decodes every call event: it must stay cheap beside the scan every client does.
func BenchmarkMirrorApply(b *testing.B) {
	for _, c := range []struct {
		name string
		msg  []byte
	}{
		{"newcall", newCallEvent(b, 1, "hq/10000", "h1", "7", tapi.LINECALLSTATE_OFFERING)},
		{"callstate", stateEvent(b, 2, "hq/10000", "h1", tapi.LINECALLSTATE_CONNECTED)},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := newCallMirror()
			for range b.N {
				if err := m.apply(c.msg, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A lost event or a line unlike the switch's fails the run (exit status 3).
func TestVerificationFailure(t *testing.T) {
	if why := (Verification{Truth: TruthCheck{Checked: true, Lines: 5}}).failure(); why != "" {
		t.Errorf("a clean run fails: %s", why)
	}
	if why := (Verification{Lost: 1}).failure(); why == "" {
		t.Error("a lost event passes")
	}
	if why := (Verification{Truth: TruthCheck{Checked: true, Lines: 5, Differ: 1}}).failure(); why != "1 of 5 lines differ from the switch" {
		t.Errorf("a differing line: %q", why)
	}
}

package reducer

import (
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// devs is a SnapshotCall response listing devices.
func devs(numbers ...string) []csta.SnapshotCallItem {
	out := make([]csta.SnapshotCallItem, len(numbers))
	for i, n := range numbers {
		out[i] = csta.SnapshotCallItem{Device: dev(n), State: csta.StateConnected}
	}
	return out
}

func item(callID, device string, state csta.LocalConnectionState) csta.SnapshotDeviceItem {
	return csta.SnapshotDeviceItem{Connection: cn(callID, device), States: []csta.LocalConnectionState{state}}
}

// reconcileFixture: 201 has a connected call (C1, with 205) and a held call (C2, with 207), 202
// an offering call (C3, from 206).
func reconcileFixture(t *testing.T) *State {
	s, _ := run(t, []string{"201", "202", "203"}, seq(
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C1", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C2", "207"), AnsweringDevice: dev("207"),
			CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C2", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.DeliveredEvent{Connection: cn("C3", "202"), AlertingDevice: dev("202"),
			CallingDevice: dev("206"), CalledDevice: dev("202")}, "202"),
	))
	return s
}

func describeAll(res Result) []string {
	var out []string
	for _, e := range res.Events {
		out = append(out, e.Line+" "+describe(e))
	}
	return out
}

func TestReconcileSurvivingCallsEmitNothing(t *testing.T) {
	s := reconcileFixture(t)
	before := s.Calls("")
	res := s.Reconcile(map[string][]csta.SnapshotDeviceItem{
		"201": {item("C2", "201", csta.StateHold), item("C1", "201", csta.StateConnected)},
		"202": {item("C3", "202", csta.StateAlerting)},
	}, nil, t0)
	if len(res.Events) != 0 || len(res.RemovedCalls) != 0 {
		t.Fatalf("events for unchanged calls: %q removed %v", describeAll(res), res.RemovedCalls)
	}
	after := s.Calls("")
	if len(after) != len(before) {
		t.Fatalf("calls %d -> %d", len(before), len(after))
	}
	for i := range after {
		if after[i].Handle != before[i].Handle || after[i].CallID != before[i].CallID {
			t.Errorf("call %d changed: %+v -> %+v", i, before[i], after[i])
		}
	}
}

func TestReconcileMatchesChangedIDsByState(t *testing.T) {
	s := reconcileFixture(t)
	res := s.Reconcile(map[string][]csta.SnapshotDeviceItem{
		// The standby numbers the calls differently.
		"201": {item("S9", "201", csta.StateHold), item("S8", "201", csta.StateConnected)},
		"202": {item("S7", "202", csta.StateAlerting)},
	}, map[string][]csta.SnapshotCallItem{"S9": devs("201", "207"), "S8": devs("205", "201"), "S7": devs("206", "202")}, t0)
	// Clients learn the new IDs; nothing else changed.
	wantEv := []string{
		"hq/201 hq:2 INFO CALLID callid=S9",
		"hq/201 hq:1 INFO CALLID callid=S8",
		"hq/202 hq:3 INFO CALLID callid=S7",
	}
	if got := describeAll(res); strings.Join(got, "\n") != strings.Join(wantEv, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEv, "\n"))
	}
	want := map[tapi.CallHandle]string{"hq:1": "S8", "hq:2": "S9", "hq:3": "S7"}
	for h, id := range want {
		c, ok := s.Call(h)
		if !ok || c.CallID != id {
			t.Errorf("%s: call ID %q, want %q", h, c.CallID, id)
		}
	}
	if len(res.ChangedCalls) != 3 {
		t.Errorf("changed calls %v, want the three renumbered ones", res.ChangedCalls)
	}
	// Later events use the new IDs.
	r := s.Apply("201", &csta.RetrievedEvent{RetrievedConnection: cn("S9", "201"), RetrievingDevice: dev("201")}, t0)
	if got := describeAll(r); len(got) != 1 || got[0] != "hq/201 hq:2 CONNECTED" {
		t.Errorf("after renumbering: %q", got)
	}
}

// A node that reports the known call IDs shows an unknown ID as a new call even when its state
// would fit a vanished one: the old call must not carry on under the new call's ID, with the
// old caller on the screen.
func TestReconcileKeptIDsDoNotMatchByState(t *testing.T) {
	s := reconcileFixture(t)
	res := s.Reconcile(map[string][]csta.SnapshotDeviceItem{
		"201": {item("C2", "201", csta.StateHold), item("C9", "201", csta.StateConnected)},
		"202": {item("C8", "202", csta.StateAlerting)},
	}, nil, t0)
	got := describeAll(res)
	want := []string{
		"hq/201 hq:1 IDLE",
		"hq/201 hq:4 NEWCALL origin=UNKNOWN reason=UNKNOWN",
		"hq/201 hq:4 CONNECTED",
		"hq/202 hq:3 IDLE",
		"hq/202 hq:5 NEWCALL origin=INBOUND reason=UNKNOWN",
		"hq/202 hq:5 OFFERING",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := checkState(s); err != nil {
		t.Error(err)
	}
}

func TestReconcileVanishedNewAndChanged(t *testing.T) {
	s := reconcileFixture(t)
	res := s.Reconcile(map[string][]csta.SnapshotDeviceItem{
		// C1 is gone, C2 was retrieved meanwhile, and a new call rings.
		"201": {item("C2", "201", csta.StateConnected), item("C5", "201", csta.StateAlerting)},
		// 202's call was answered; 203 has a call nobody knew about, in a compound state.
		"202": {item("C3", "202", csta.StateConnected)},
		"203": {{Connection: cn("C6", "203"), States: []csta.LocalConnectionState{csta.StateHold, csta.StateConnected}},
			item("C0", "203", csta.StateNull)},
		// 201 is not monitored on this PBX state: ignored.
		"299": {item("C7", "299", csta.StateConnected)},
	}, nil, t0)
	got := describeAll(res)
	want := []string{
		"hq/201 hq:2 CONNECTED",
		"hq/201 hq:1 IDLE",
		"hq/201 hq:4 NEWCALL origin=INBOUND reason=UNKNOWN",
		"hq/201 hq:4 OFFERING",
		"hq/202 hq:3 CONNECTED",
		"hq/203 hq:5 NEWCALL origin=UNKNOWN reason=UNKNOWN",
		"hq/203 hq:5 ONHOLD",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.RemovedCalls) != 1 || res.RemovedCalls[0] != "hq:1" {
		t.Errorf("removed %v", res.RemovedCalls)
	}
	if err := checkState(s); err != nil {
		t.Error(err)
	}
	// Lines left out of the snapshot map keep their calls.
	res = s.Reconcile(map[string][]csta.SnapshotDeviceItem{"203": nil}, nil, t0)
	if len(s.Calls("201")) != 2 || len(res.RemovedCalls) != 1 {
		t.Errorf("partial reconcile touched other lines: %q", describeAll(res))
	}
}

func TestResetEndsEveryCall(t *testing.T) {
	s := reconcileFixture(t)
	res := s.Reset("cold resync after switchover to standby", t0)
	if len(res.Events) != 3 || len(res.RemovedCalls) != 3 || len(s.Calls("")) != 0 {
		t.Fatalf("reset: %q removed %v", describeAll(res), res.RemovedCalls)
	}
	for _, e := range res.Events {
		if e.CallState.State != tapi.LINECALLSTATE_IDLE || e.Detail != "cold resync after switchover to standby" {
			t.Errorf("event %+v", e)
		}
	}
	// Handles are never reused after a reset.
	r := s.Apply("201", &csta.DeliveredEvent{Connection: cn("C9", "201"), AlertingDevice: dev("201"),
		CallingDevice: dev("205")}, t0)
	if r.Events[0].Handle != "hq:4" {
		t.Errorf("new call after reset got handle %s", r.Events[0].Handle)
	}
}

func TestRestoreRoundTrip(t *testing.T) {
	s := reconcileFixture(t)
	r := NewState("hq")
	if err := r.Restore(s.Lines(), s.Calls(""), s.NextHandle()); err != nil {
		t.Fatal(err)
	}
	if err := checkState(r); err != nil {
		t.Fatal(err)
	}
	res := r.Apply("202", &csta.EstablishedEvent{EstablishedConnection: cn("C3", "202"),
		AnsweringDevice: dev("202"), CallingDevice: dev("206")}, t0)
	if got := describeAll(res); len(got) != 2 || got[1] != "hq/202 hq:3 CONNECTED" {
		t.Errorf("after restore: %q", got)
	}
	if err := r.Restore(nil, s.Calls(""), 1); err == nil || !strings.Contains(err.Error(), "unknown line") {
		t.Errorf("restore with calls on missing lines: %v", err)
	}
	other := NewState("branch")
	if err := other.Restore(s.Lines(), nil, 1); err == nil || !strings.Contains(err.Error(), "belongs to PBX") {
		t.Errorf("restore of another PBX's lines: %v", err)
	}
}

// A call that started ringing, or was answered, while the bridge was not listening gets its
// other party from SnapshotCall: the caller for the popup of a ringing call, the connected
// party otherwise. With several other parties nobody is named.
func TestReconcileNamesTheOtherPartyOfANewCall(t *testing.T) {
	s := reconcileFixture(t)
	s.Reconcile(map[string][]csta.SnapshotDeviceItem{
		"203": {item("C8", "203", csta.StateAlerting), item("C9", "203", csta.StateConnected),
			item("C10", "203", csta.StateHold)},
	}, map[string][]csta.SnapshotCallItem{
		"C8":  devs("+4930555124", "203"),
		"C9":  devs("203", "208"),
		"C10": devs("203", "208", "209"),
	}, t0)
	got := map[string]string{}
	for _, c := range s.Calls("203") {
		got[c.CallID] = "caller=" + partyStr(c.Info.Caller) + " called=" + partyStr(c.Info.Called) +
			" connected=" + partyStr(c.Info.Connected)
	}
	want := map[string]string{
		"C8":  "caller=+4930555124 called=203 connected=",
		"C9":  "caller= called= connected=208",
		"C10": "caller= called= connected=",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	if err := checkState(s); err != nil {
		t.Error(err)
	}
}

// A CONFERENCED call keeps its conference through a hot resync while SnapshotCall lists more
// than one other party (a party that joined meanwhile is added); with one left it is a
// two-party call again; without a SnapshotCall result it is left alone.
func TestReconcileConference(t *testing.T) {
	conf := func(t *testing.T) *State {
		s, _ := run(t, []string{"201"}, seq(
			to(&csta.EstablishedEvent{EstablishedConnection: cn("C10", "201"), AnsweringDevice: dev("201"),
				CallingDevice: dev("202"), CalledDevice: dev("201")}, "201"),
			to(&csta.HeldEvent{EventCommon: ec(csta.CauseConsultation), HeldConnection: cn("C10", "201"),
				HoldingDevice: dev("201")}, "201"),
			consult("C10", "C11", "203", false),
			to(conference201(), "201"),
		))
		return s
	}
	snap := map[string][]csta.SnapshotDeviceItem{"201": {item("C10", "201", csta.StateConnected)}}

	s := conf(t)
	if res := s.Reconcile(snap, map[string][]csta.SnapshotCallItem{"C10": devs("202", "201", "203")}, t0); len(res.Events) != 0 {
		t.Errorf("unchanged conference: %q", describeAll(res))
	}
	if res := s.Reconcile(snap, nil, t0); len(res.Events) != 0 {
		t.Errorf("no SnapshotCall: %q", describeAll(res))
	}
	res := s.Reconcile(snap, map[string][]csta.SnapshotCallItem{"C10": devs("201", "203", "204", "202")}, t0)
	if got, want := strings.Join(describeAll(res), "|"), "hq/201 hq:1 CONFERENCE hq:1.conf parties=202,203,204"; got != want {
		t.Errorf("a party joined meanwhile: %s, want %s", got, want)
	}
	res = s.Reconcile(snap, map[string][]csta.SnapshotCallItem{"C10": devs("201", "203")}, t0)
	want := "hq/201 hq:1 INFO CONNECTEDID connected=203|hq/201 hq:1 CONNECTED|hq/201 hq:1 CONFERENCE null"
	if got := strings.Join(describeAll(res), "|"); got != want {
		t.Errorf("parties left meanwhile: %s, want %s", got, want)
	}
	if c, _ := s.Call("hq:1"); c.Conference != nil || c.State != tapi.LINECALLSTATE_CONNECTED || strings.Join(c.Parties, ",") != "203" {
		t.Errorf("after resync: %+v", c)
	}
}

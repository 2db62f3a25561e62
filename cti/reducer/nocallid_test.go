package reducer

import (
	"slices"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Switches without callIDs (ECMA-269 makes the callID of a connection optional): each event
// is either placed on the call it is about or asks for a repair, and a repair's snapshot
// makes the line's states the switch's. TestMinimalTrafficNeverSilentlyWrong found these
// sequences in random traffic on pbxsim's minimal profile.

// lineStates returns the states of a line's calls, sorted.
func lineStates(s *State, ext string) []string {
	var out []string
	for _, c := range s.Calls(ext) {
		out = append(out, c.State.String())
	}
	slices.Sort(out)
	return out
}

// A line with a held call and a call that failed busy retrieves a call the switch reports
// without a callID; the repair's snapshot lists one connected and one failed connection. The
// failed connection is the BUSY call's; the connected one is not, although a BUSY call may
// have a connected connection too (its far end left): matched in the snapshot's order, the
// connected item took the BUSY call and the line showed busy for good while the user talked.
func TestReconcileNaturalStateBeforeCompatible(t *testing.T) {
	s, _ := run(t, []string{"201"}, seq(
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"),
			AnsweringDevice: dev("201"), CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own("201"),
			HoldingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), OriginatedConnection: own("201"),
			CallingDevice: dev("201"), CalledDevice: dev("204")}, "201"),
		to(&csta.FailedEvent{EventCommon: lci(csta.CauseBusy, csta.StateFail), FailedConnection: own("201"),
			FailingDevice: dev("204"), CallingDevice: dev("201"), CalledDevice: dev("204")}, "201"),
	))
	if got := lineStates(s, "201"); !slices.Equal(got, []string{"LINECALLSTATE_BUSY", "LINECALLSTATE_ONHOLD"}) {
		t.Fatalf("before the snapshot: %v", got)
	}
	s.Reconcile(map[string][]csta.SnapshotDeviceItem{"201": {
		item("", "201", csta.StateConnected), item("", "201", csta.StateFail)}}, nil, t0)
	want := []string{"LINECALLSTATE_BUSY", "LINECALLSTATE_CONNECTED"}
	if got := lineStates(s, "201"); !slices.Equal(got, want) {
		t.Errorf("after the snapshot: %v, want %v", got, want)
	}
	for _, c := range s.Calls("201") {
		if c.State == tapi.LINECALLSTATE_BUSY && !slices.Equal(c.Parties, []string{"204"}) {
			t.Errorf("the BUSY call is %+v, want the call to 204", c)
		}
	}
}

// 208 holds a call of its own and talks to 201, who consulted it; 201 conferences its held
// call (with an outside caller) and 208. The Conferenced event at 208 carries no callIDs: the
// call that joins is 208's call with the conferencing device, not 208's held call (the held
// call carries on only at the line that joins its two calls). Before, 208's unrelated held
// call became the conference, silently, and the call with 201 stayed a two-party call.
func TestConferencedAtAnotherLineWithoutCallIDs(t *testing.T) {
	const outside = "+4930555123"
	s, got := run(t, []string{"208"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("208"),
			AlertingDevice: dev("208"), CallingDevice: dev("+4930555999"), CalledDevice: dev("208")}, "208"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("208"),
			AnsweringDevice: dev("208"), CallingDevice: dev("+4930555999"), CalledDevice: dev("208")}, "208"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own("208"),
			HoldingDevice: dev("208")}, "208"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("208"),
			AlertingDevice: dev("208"), CallingDevice: dev("201"), CalledDevice: dev("208")}, "208"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("208"),
			AnsweringDevice: dev("208"), CallingDevice: dev("201"), CalledDevice: dev("208")}, "208"),
		to(&csta.ConferencedEvent{EventCommon: lci(csta.CauseConference, csta.StateConnected),
			PrimaryOldCall: own("201"), SecondaryOldCall: own("201"), ConferencingDevice: dev("201"), AddedParty: dev("208"),
			ConferenceConnections: []csta.ConnectionListItem{
				{NewConnection: own(outside), OldConnection: own(outside), Endpoint: dev(outside)},
				{NewConnection: own("208"), OldConnection: own("208"), Endpoint: dev("208")},
				{NewConnection: own("201"), OldConnection: own("201"), Endpoint: dev("201")}}}, "208"),
	))
	expect(t, got, map[string][]string{"208": {
		"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555999 called=208",
		"hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=+4930555999",
		"hq:1 CONNECTED",
		"hq:1 ONHOLD",
		"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=208",
		"hq:2 OFFERING",
		"hq:2 INFO CONNECTEDID connected=201",
		"hq:2 CONNECTED",
		"hq:2 CONFERENCED",
		"hq:2 CONFERENCE hq:2.conf parties=+4930555123,201",
	}})
	for _, c := range s.Calls("208") {
		if c.Handle == "hq:1" && c.State != tapi.LINECALLSTATE_ONHOLD {
			t.Errorf("208's own held call is %s", c.State)
		}
	}
}

// 201 calls 209 and, while it rings, consults 207 (holding the call that rings out); 207
// answers, then 209. The Established event of 209's answer reaches 201 with its own
// connection held (localConnectionInfo hold): it is about 201's held call, which stays held
// and is connected to 209 from now on. Before, it was placed among the line's active calls:
// the call with 207 took 209 as its connected party (or a connected call the switch never had
// was started), and a retrieve later showed the held call ringing back.
func TestFarEndAnswersAHeldCallWithoutCallIDs(t *testing.T) {
	s, got := run(t, []string{"201"}, seq(
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), OriginatedConnection: own("201"),
			CallingDevice: dev("201"), CalledDevice: dev("209")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), Connection: own("201"),
			AlertingDevice: dev("209"), CallingDevice: dev("201"), CalledDevice: dev("209")}, "201"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseConsultation, csta.StateHold), HeldConnection: own("201"),
			HoldingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseConsultation, csta.StateConnected), OriginatedConnection: own("201"),
			CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), Connection: own("201"),
			AlertingDevice: dev("207"), CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"),
			AnsweringDevice: dev("207"), CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateHold), EstablishedConnection: own("201"),
			AnsweringDevice: dev("209"), CallingDevice: dev("201"), CalledDevice: dev("209")}, "201"),
		// 207 hangs up; 201 takes 209 back: connected, not ringing back.
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateConnected),
			DroppedConnection: own("201"), ReleasingDevice: dev("207")}, "201"),
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateNull),
			DroppedConnection: own("201"), ReleasingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{EventCommon: lci(csta.CauseNormal, csta.StateConnected), RetrievedConnection: own("201"),
			RetrievingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 called=209",
		"hq:1 PROCEEDING",
		"hq:1 RINGBACK",
		"hq:1 ONHOLDPENDTRANSFER",
		"hq:2 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 called=207",
		"hq:2 PROCEEDING",
		"hq:2 RINGBACK",
		"hq:2 INFO CONNECTEDID connected=207",
		"hq:2 CONNECTED",
		"hq:1 INFO CONNECTEDID connected=209", // held, and answered
		"hq:2 DISCONNECTED/NORMAL",
		"hq:2 IDLE",
		"repair:" + RepairGuessed, // the hang-up ended the call that is not held
		"hq:1 CONNECTED",
	}})
	if calls := s.Calls("201"); len(calls) != 1 || !slices.Equal(calls[0].Parties, []string{"209"}) {
		t.Errorf("calls at 201: %+v, want the call with 209", calls)
	}
}

// 202 holds its call with 205 and calls 205 again, who is busy; then 205 hangs up the held
// call. The ConnectionCleared names 202's own connection, still held (localConnectionInfo
// hold): another party leaving does not change it, so the call is 202's held call with 205,
// not the one that failed busy. Before, both calls with 205 fitted: ambiguous, a repair, and
// the snapshot could not say which call the party had left.
func TestFarEndLeavesAHeldCallWithoutCallIDs(t *testing.T) {
	_, got := run(t, []string{"202"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("202"),
			AlertingDevice: dev("202"), CallingDevice: dev("205"), CalledDevice: dev("202")}, "202"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("202"),
			AnsweringDevice: dev("202"), CallingDevice: dev("205"), CalledDevice: dev("202")}, "202"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own("202"),
			HoldingDevice: dev("202")}, "202"),
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), OriginatedConnection: own("202"),
			CallingDevice: dev("202"), CalledDevice: dev("205")}, "202"),
		to(&csta.FailedEvent{EventCommon: lci(csta.CauseBusy, csta.StateFail), FailedConnection: own("202"),
			FailingDevice: dev("205"), CallingDevice: dev("202"), CalledDevice: dev("205")}, "202"),
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateHold),
			DroppedConnection: own("202"), ReleasingDevice: dev("205")}, "202"),
	))
	expect(t, got, map[string][]string{"202": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=202",
		"hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=205",
		"hq:1 CONNECTED",
		"hq:1 ONHOLD",
		"hq:2 NEWCALL origin=OUTBOUND reason=DIRECT caller=202 called=205",
		"hq:2 PROCEEDING",
		"hq:2 BUSY/STATION",
		"hq:1 DISCONNECTED/NORMAL",
	}})
}

// 206 holds a call with 208, takes a call from 202, consults an outside number from it and
// transfers. The Transferred event at 206 has no callIDs, and 206 has two held calls; its
// connection list names the joined call's devices (202 and the outside number), which are
// the parties of the held and active calls that go. Before, two held calls made the event
// unknown, and the repair's snapshot (one held call) kept one of them by state alone: the
// call with 202, gone, instead of the one with 208.
func TestTransferWithTwoHeldCallsWithoutCallIDs(t *testing.T) {
	const outside = "+4930555123"
	s, got := run(t, []string{"206"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("206"),
			AlertingDevice: dev("206"), CallingDevice: dev("208"), CalledDevice: dev("206")}, "206"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("206"),
			AnsweringDevice: dev("206"), CallingDevice: dev("208"), CalledDevice: dev("206")}, "206"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own("206"),
			HoldingDevice: dev("206")}, "206"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("206"),
			AlertingDevice: dev("206"), CallingDevice: dev("202"), CalledDevice: dev("206")}, "206"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("206"),
			AnsweringDevice: dev("206"), CallingDevice: dev("202"), CalledDevice: dev("206")}, "206"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseConsultation, csta.StateHold), HeldConnection: own("206"),
			HoldingDevice: dev("206")}, "206"),
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseConsultation, csta.StateConnected), OriginatedConnection: own("206"),
			CallingDevice: dev("206"), CalledDevice: dev(outside)}, "206"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("206"),
			AnsweringDevice: dev(outside), CallingDevice: dev("206"), CalledDevice: dev(outside)}, "206"),
		to(&csta.TransferredEvent{EventCommon: lci(csta.CauseTransfer, csta.StateNull),
			PrimaryOldCall: own("206"), SecondaryOldCall: own("206"), TransferringDevice: dev("206"), TransferredToDevice: dev(outside),
			TransferredConnections: []csta.ConnectionListItem{
				{NewConnection: own("202"), OldConnection: own("202"), Endpoint: dev("202")},
				{NewConnection: own(outside), OldConnection: own(outside), Endpoint: dev(outside)}}}, "206"),
	))
	want := []string{"hq:2 IDLE", "hq:3 IDLE"}
	if g := got["206"]; !slices.Equal(g[len(g)-len(want):], want) {
		t.Errorf("the transfer at 206: %q, want %q", g, want)
	}
	if calls := s.Calls("206"); len(calls) != 1 || calls[0].Handle != "hq:1" || calls[0].State != tapi.LINECALLSTATE_ONHOLD {
		t.Errorf("calls at 206: %+v, want the held call with 208", calls)
	}
}

// 200 holds a call with 202; a call from 209 rings and its caller gives up, and the CallCleared
// that would end it could not be placed (several calls fitted), so it stays DISCONNECTED; 200
// then retrieves. The repair's snapshot lists one connected connection. The abandoned call
// never had a connected connection at 200 (it was never answered there), so it cannot be
// that one: the line shows a connected call, not the stale DISCONNECTED one (which a
// connected item may match only if the line was ever connected in the call).
func TestReconcileConnectedIsNotAnUnansweredCall(t *testing.T) {
	s, _ := run(t, []string{"200"}, seq(
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("200"),
			AnsweringDevice: dev("202"), CallingDevice: dev("200"), CalledDevice: dev("202")}, "200"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own("200"),
			HoldingDevice: dev("200")}, "200"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("200"),
			AlertingDevice: dev("200"), CallingDevice: dev("209"), CalledDevice: dev("200")}, "200"),
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateAlerting),
			DroppedConnection: own("200"), ReleasingDevice: dev("209")}, "200"),
	))
	if got := lineStates(s, "200"); !slices.Equal(got, []string{"LINECALLSTATE_DISCONNECTED", "LINECALLSTATE_ONHOLD"}) {
		t.Fatalf("before the snapshot: %v", got)
	}
	s.Reconcile(map[string][]csta.SnapshotDeviceItem{"200": {item("", "200", csta.StateConnected)}}, nil, t0)
	if got := lineStates(s, "200"); !slices.Equal(got, []string{"LINECALLSTATE_CONNECTED"}) {
		t.Errorf("after the snapshot: %v, want one connected call", got)
	}
}

package reducer

import (
	"slices"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

// More sequences without callIDs, found with TestMinimalTrafficNeverSilentlyWrong's features
// mix (forwarding, do not disturb, deflection, single-step transfer).

// callsAt describes a line's calls: handle, state and parties.
func callsAt(s *State, ext string) []string {
	var out []string
	for _, c := range s.Calls(ext) {
		out = append(out, string(c.Handle)+" "+strings.TrimPrefix(c.State.String(), "LINECALLSTATE_")+" "+strings.Join(c.Parties, ","))
	}
	return out
}

func wantCalls(t *testing.T, s *State, ext string, want ...string) {
	t.Helper()
	if got := callsAt(s, ext); !slices.Equal(got, want) {
		t.Errorf("calls at %s: %q, want %q", ext, got, want)
	}
}

// ringingFrom is a call from caller ringing at line.
func ringingFrom(line, caller string) []at {
	return to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own(line),
		AlertingDevice: dev(line), CallingDevice: dev(caller), CalledDevice: dev(line)}, line)
}

// answeredFrom is the line's answer of the call from caller.
func answeredFrom(line, caller string) []at {
	return to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own(line),
		AnsweringDevice: dev(line), CallingDevice: dev(caller), CalledDevice: dev(line)}, line)
}

// heldBy is the line's hold of its active call.
func heldBy(line string) []at {
	return to(&csta.HeldEvent{EventCommon: lci(csta.CauseNormal, csta.StateHold), HeldConnection: own(line),
		HoldingDevice: dev(line)}, line)
}

// A call rings at 202 from 201; the switch then rings 203 too for the same call (offered to
// several devices, or redirected while ringing), and 202's monitor hears of it: a Delivered
// whose alerting device is 203 while 202's own connection is alerting (localConnectionInfo),
// naming a calling device the line has not seen (209). It is about the call ringing here and
// starts no call; before, the unknown calling device made it a second ringing call at 202.
func TestDeliveredElsewhereWhileRingingHere(t *testing.T) {
	s, got := run(t, []string{"202"}, seq(
		ringingFrom("202", "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseRedirected, csta.StateAlerting), Connection: own("202"),
			AlertingDevice: dev("203"), CallingDevice: dev("209"), CalledDevice: dev("202")}, "202"),
	))
	expect(t, got, map[string][]string{"202": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202",
		"hq:1 OFFERING",
		"ignored:dup",
	}})
	wantCalls(t, s, "202", "hq:1 OFFERING 201")
}

// A call from 206 rings at 201 when 201 turns on immediate forwarding; a call from 207 is then
// forwarded away at once (Diverted, cause callForwardImmediate, 201's own connection). It
// never rang at 201, so it is not the call ringing there: that one rings on, and the
// forwarded call is recorded as forwarded away. Before, the one ringing call was taken for it
// and ended, silently.
func TestForwardedAwayIsNotTheRingingCall(t *testing.T) {
	s, got := run(t, []string{"201"}, seq(
		ringingFrom("201", "206"),
		to(&csta.DivertedEvent{EventCommon: lci(csta.CauseCallForwardImmediate, csta.StateNull), Connection: own("201"),
			DivertingDevice: dev("201"), NewDestination: dev("202"), CallingDevice: dev("207"), CalledDevice: dev("201"),
			LastRedirectionDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=206 called=201",
		"hq:1 OFFERING",
		"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=207 called=201 redirection=202",
		"hq:2 DISCONNECTED/FORWARDED",
		"hq:2 IDLE",
	}})
	wantCalls(t, s, "201", "hq:1 OFFERING 206")
}

// 200 holds a call with 208 and talks to an outside caller, then transfers that call to 206
// in a single step. The Transferred event names one old call (no secondary: ECMA-269's
// single-step transfer): only the active call ends at 200, the held call stays. Before, the
// line's held and active calls were taken as a consultation's two calls, and both ended.
func TestSingleStepTransferLeavesTheHeldCall(t *testing.T) {
	const outside = "+4930555123"
	s, _ := run(t, []string{"200"}, seq(
		ringingFrom("200", "208"), answeredFrom("200", "208"), heldBy("200"),
		ringingFrom("200", outside), answeredFrom("200", outside),
		to(&csta.TransferredEvent{EventCommon: lci(csta.CauseSingleStepTransfer, csta.StateNull),
			PrimaryOldCall: own("200"), TransferringDevice: dev("200"), TransferredToDevice: dev("206"),
			TransferredConnections: []csta.ConnectionListItem{
				{NewConnection: own(outside), OldConnection: own(outside), Endpoint: dev(outside)}}}, "200"),
	))
	wantCalls(t, s, "200", "hq:1 ONHOLD 208")
}

// 203 talks to 205, who transfers 203 in a single step to 206, which has do not disturb on:
// the Failed event reaches 203 with its own connection failed (localConnectionInfo fail)
// although neither the failing device (206) nor the calling device (205, the transferring
// one) is 203. 203's call has failed; before, the event was not taken as 203's and the line
// showed the call connected.
func TestTransferredCallFailsAtTheRemainingParty(t *testing.T) {
	s, _ := run(t, []string{"203"}, seq(
		ringingFrom("203", "205"), answeredFrom("203", "205"),
		to(&csta.TransferredEvent{EventCommon: lci(csta.CauseSingleStepTransfer, csta.StateConnected),
			PrimaryOldCall: own("205"), TransferringDevice: dev("205"), TransferredToDevice: dev("206"),
			TransferredConnections: []csta.ConnectionListItem{{NewConnection: own("203"), OldConnection: own("203"), Endpoint: dev("203")}}}, "203"),
		to(&csta.FailedEvent{EventCommon: lci(csta.CauseDoNotDisturb, csta.StateFail), FailedConnection: own("203"),
			FailingDevice: dev("206"), CallingDevice: dev("205"), CalledDevice: dev("203")}, "203"),
	))
	wantCalls(t, s, "203", "hq:1 DISCONNECTED 206")
}

// 207 talks to 203 and holds a call to 204 that still rings; 204 deflects it to 209, who has
// do not disturb on. The Diverted and Failed events reach 207 with its own connection held
// (localConnectionInfo hold): they are about the held call, which stays held (the failing
// device never joined it). Before, they were placed on 207's connected call with 203, which
// took 209 as a party and was shown disconnected.
func TestHeldCallDivertedAndFailedWithoutCallIDs(t *testing.T) {
	s, _ := run(t, []string{"207"}, seq(
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), OriginatedConnection: own("207"),
			CallingDevice: dev("207"), CalledDevice: dev("204")}, "207"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), Connection: own("207"),
			AlertingDevice: dev("204"), CallingDevice: dev("207"), CalledDevice: dev("204")}, "207"),
		heldBy("207"),
		ringingFrom("207", "203"), answeredFrom("207", "203"),
		to(&csta.DivertedEvent{EventCommon: lci(csta.CauseRedirected, csta.StateHold), Connection: own("207"),
			DivertingDevice: dev("204"), NewDestination: dev("209"), CallingDevice: dev("207"), CalledDevice: dev("204"),
			LastRedirectionDevice: dev("204")}, "207"),
		to(&csta.FailedEvent{EventCommon: lci(csta.CauseDoNotDisturb, csta.StateHold), FailedConnection: own("207"),
			FailingDevice: dev("209"), CallingDevice: dev("207"), CalledDevice: dev("204")}, "207"),
	))
	wantCalls(t, s, "207", "hq:1 ONHOLD ", "hq:2 CONNECTED 203")
}

// A Delivered naming another alerting device (here a hunt group's pilot) while the line's
// own connection is alerting starts the line's call when it has none ringing: only a call
// already ringing here takes it as a repeat.
func TestDeliveredElsewhereStartsTheFirstCall(t *testing.T) {
	s, _ := run(t, []string{"201"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"),
			AlertingDevice: dev("500"), CallingDevice: dev("209"), CalledDevice: dev("500")}, "201"),
	))
	wantCalls(t, s, "201", "hq:1 OFFERING 209")
}

package reducer

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Switches that differ from the simulator's reading: events that name the monitored
// device's own connection, connections without callIDs, MakeCall prompts.

// lci is an EventCommon with the monitored device's local connection state.
func lci(cause csta.EventCause, local csta.LocalConnectionState) csta.EventCommon {
	return csta.EventCommon{Cause: cause, LocalConnectionInfo: local}
}

// own is a connection of device without a callID.
func own(device string) csta.ConnectionID { return csta.ConnectionID{DeviceID: csta.Device(device)} }

// The caller's monitor gets Delivered and Established naming the caller's own connection
// (ECMA-269 lets the connection be the monitored device's); the local connection state and
// the alerting/answering device place them on the calling side: RINGBACK, then CONNECTED,
// never stuck in PROCEEDING.
func TestCallerEventsNamingOwnConnection(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.ServiceInitiatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateInitiated),
			InitiatedConnection: cn("C1", "201"), InitiatingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected),
			OriginatedConnection: cn("C1", "201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), Connection: cn("C1", "201"),
			AlertingDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: cn("C1", "201"),
			AnsweringDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		// The far end hangs up: the event names 201's own connection, still connected.
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateConnected),
			DroppedConnection: cn("C1", "201"), ReleasingDevice: dev("202")}, "201"),
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateNull),
			DroppedConnection: cn("C1", "201"), ReleasingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201",
		"hq:1 DIALTONE",
		"hq:1 INFO CALLEDID called=202",
		"hq:1 PROCEEDING",
		"hq:1 RINGBACK",
		"hq:1 INFO CONNECTEDID connected=202",
		"hq:1 CONNECTED",
		"hq:1 DISCONNECTED/NORMAL",
		"hq:1 IDLE",
	}})
}

// Click-to-dial with autoOriginate prompt on a switch that rings the calling device with a
// Delivered naming it as alerting and calling device: the line keeps one outgoing call (no
// incoming call from itself), PROCEEDING once the user accepts, CONNECTED only when the far
// end answers.
func TestPromptRingsCallerWithDelivered(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateAlerting), Connection: cn("P1", "201"),
			AlertingDevice: dev("201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateConnected), EstablishedConnection: cn("P1", "201"),
			AnsweringDevice: dev("201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), Connection: cn("P1", "202"),
			AlertingDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: cn("P1", "202"),
			AnsweringDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 called=202",
		"hq:1 DIALTONE",
		"hq:1 PROCEEDING",
		"hq:1 RINGBACK",
		"hq:1 INFO CONNECTEDID connected=202",
		"hq:1 CONNECTED",
	}})
}

// Two calls on one line from a switch without callIDs: each event is placed on the call its
// meaning fits (the held call for Retrieved, the ringing one for Established, the one with
// the releasing party for ConnectionCleared), so neither call is lost.
func TestTwoCallsWithoutCallIDs(t *testing.T) {
	s, got := run(t, []string{"201"}, seq(
		// 203 calls 201; 201 answers and holds it.
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"),
			AlertingDevice: dev("201"), CallingDevice: dev("203"), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"),
			AnsweringDevice: dev("201"), CallingDevice: dev("203"), CalledDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{EventCommon: lci(csta.CauseNewCall, csta.StateHold), HeldConnection: own("201"),
			HoldingDevice: dev("201")}, "201"),
		// 204 calls 201 while the first call is held; 201 answers.
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"),
			AlertingDevice: dev("201"), CallingDevice: dev("204"), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"),
			AnsweringDevice: dev("201"), CallingDevice: dev("204"), CalledDevice: dev("201")}, "201"),
		// 204 hangs up; 201 retrieves 203.
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateConnected),
			DroppedConnection: own("201"), ReleasingDevice: dev("204")}, "201"),
		to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateNull),
			DroppedConnection: own("201"), ReleasingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), RetrievedConnection: own("201"),
			RetrievingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=203 called=201",
		"hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=203",
		"hq:1 CONNECTED",
		"hq:1 ONHOLD",
		"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=204 called=201",
		"hq:2 OFFERING",
		"hq:2 INFO CONNECTEDID connected=204",
		"hq:2 CONNECTED",
		"hq:2 DISCONNECTED/NORMAL",
		"hq:2 IDLE",
		"repair:" + RepairGuessed, // the hang-up ended the call that is not held: a guess to confirm
		"hq:1 CONNECTED",
	}})
	if calls := s.Calls("201"); len(calls) != 1 || calls[0].Handle != "hq:1" || calls[0].State != tapi.LINECALLSTATE_CONNECTED {
		t.Errorf("calls at 201: %+v, want hq:1 CONNECTED", calls)
	}
}

// An event without a callID that fits several calls changes nothing and asks for a repair;
// so does a Retrieved for a call that is not held (a Held was lost).
func TestUnplaceableEventsAskForRepair(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"),
			AlertingDevice: dev("201"), CallingDevice: dev("203"), CalledDevice: dev("201")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"),
			AlertingDevice: dev("201"), CallingDevice: dev("204"), CalledDevice: dev("201")}, "201"),
		// Which of the two ringing calls did 201 answer? The event does not say.
		to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"),
			AnsweringDevice: dev("201")}, "201"),
		// A call with an ID: answered, then retrieved without ever being held.
		to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: cn("C9", "201"),
			AlertingDevice: dev("201"), CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), RetrievedConnection: cn("C9", "201"),
			RetrievingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=203 called=201",
		"hq:1 OFFERING",
		"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=204 called=201",
		"hq:2 OFFERING",
		"ignored:ambiguous",
		"repair:" + RepairAmbiguous,
		"hq:3 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=201",
		"hq:3 OFFERING",
		"ignored:ooo",
		"repair:" + RepairImpossible,
	}})
}

// An OpenScape Voice line label after the number is not the caller's name.
func TestLineLabelIsNotAName(t *testing.T) {
	_, got := run(t, []string{"201"}, to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting),
		Connection: cn("X1", "201"), AlertingDevice: dev("N<201>;noa=nk"),
		CallingDevice: dev("N<7868772298>Line71001;displayNumber=7868772298;uid=FF00"),
		CalledDevice:  dev("N<201>;noa=nk"), LastRedirectionDevice: csta.DeviceID{Absent: "notRequired"}}, "201"))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=7868772298 called=201",
		"hq:1 OFFERING",
	}})
}

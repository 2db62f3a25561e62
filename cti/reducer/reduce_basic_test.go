package reducer

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// The scenarios give the ECMA-269 event sequence as each monitored device receives it, and the
// TAPI events each line must see. Handles are "hq:<n>" in creation order.

func TestBasicInternalCallBothEndsMonitored(t *testing.T) {
	_, got := run(t, []string{"201", "202"}, seq(
		to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseNewCall),
			InitiatedConnection: cn("C1", "201"), InitiatingDevice: dev("N<201>;noa=nk")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: ec(csta.CauseNewCall), OriginatedConnection: cn("C1", "201"),
			CallingDevice: dev("201"), CalledDevice: dev("N<202>;displayNumber=202;noa=nk")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseNewCall), Connection: cn("C1", "202"),
			AlertingDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202"),
			LastRedirectionDevice: csta.DeviceID{Absent: "notRequired"}}, "201", "202"),
		to(&csta.EstablishedEvent{EventCommon: ec(csta.CauseNewCall), EstablishedConnection: cn("C1", "202"),
			AnsweringDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201", "202"),
		to(&csta.ConnectionClearedEvent{EventCommon: ec(csta.CauseNormalClearing),
			DroppedConnection: cn("C1", "202"), ReleasingDevice: dev("202")}, "201", "202"),
		to(&csta.ConnectionClearedEvent{EventCommon: ec(csta.CauseNormalClearing),
			DroppedConnection: cn("C1", "201"), ReleasingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{
		"201": {
			"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201",
			"hq:1 DIALTONE",
			"hq:1 INFO CALLEDID called=202",
			"hq:1 PROCEEDING",
			"hq:1 RINGBACK",
			"hq:1 INFO CONNECTEDID connected=202",
			"hq:1 CONNECTED",
			"hq:1 DISCONNECTED/NORMAL",
			"hq:1 IDLE",
		},
		"202": {
			"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202",
			"hq:2 OFFERING",
			"hq:2 INFO CONNECTEDID connected=201",
			"hq:2 CONNECTED",
			"hq:2 IDLE",
		},
	})
}

func TestExternalInboundAndOutbound(t *testing.T) {
	caller := "N<+4930555123>Anna Schmidt;noa=international"
	s, got := run(t, []string{"201"}, seq(
		// Inbound over a trunk.
		to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseNewCall), Connection: cn("X1", "201"),
			AlertingDevice: dev("201"), CallingDevice: dev(caller), CalledDevice: dev("201"),
			NetworkCalledDevice: dev("02911")}, "201"),
		to(&csta.EstablishedEvent{EventCommon: ec(csta.CauseNewCall), EstablishedConnection: cn("X1", "201"),
			AnsweringDevice: dev("201"), CallingDevice: dev(caller), CalledDevice: dev("201")}, "201"),
		to(&csta.ConnectionClearedEvent{EventCommon: ec(csta.CauseNormalClearing),
			DroppedConnection: cn("X1", "+4930555123"), ReleasingDevice: dev(caller)}, "201"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("X1", "201"), ReleasingDevice: dev("201")}, "201"),
		// Outbound over trunk T7.
		to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseNewCall),
			InitiatedConnection: cn("O1", "201"), InitiatingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{OriginatedConnection: cn("O1", "201"),
			CallingDevice: dev("201"), CalledDevice: dev("00305551234")}, "201"),
		to(&csta.NetworkReachedEvent{OutboundConnection: cn("O1", "T7"), NetworkInterfaceUsed: dev("T7"),
			CallingDevice: dev("201"), CalledDevice: dev("00305551234")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("O1", "00305551234"),
			AnsweringDevice: dev("00305551234"), CallingDevice: dev("201"), CalledDevice: dev("00305551234")}, "201"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("O1", "201"), ReleasingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123(Anna Schmidt) called=201",
		"hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=+4930555123(Anna Schmidt)",
		"hq:1 CONNECTED",
		"hq:1 DISCONNECTED/NORMAL",
		"hq:1 IDLE",
		"hq:2 NEWCALL origin=OUTBOUND reason=DIRECT caller=201",
		"hq:2 DIALTONE",
		"hq:2 INFO CALLEDID called=00305551234",
		"hq:2 PROCEEDING",
		"hq:2 INFO TRUNK trunk=T7",
		"hq:2 INFO CONNECTEDID connected=00305551234",
		"hq:2 CONNECTED",
		"hq:2 IDLE",
	}})
	if n := len(s.Calls("")); n != 0 {
		t.Errorf("%d calls left", n)
	}
}

func TestFailedBusyAndOtherCauses(t *testing.T) {
	cases := []struct {
		cause   csta.EventCause
		failing string
		want    string
	}{
		{csta.CauseBusy, "202", "hq:1 BUSY/STATION"},
		{csta.CauseBusy, "+4930555123", "hq:1 BUSY/UNKNOWN"},
		{csta.CauseTrunksBusy, "202", "hq:1 BUSY/TRUNK"},
		{csta.CauseCallNotAnswered, "202", "hq:1 DISCONNECTED/NOANSWER"},
		{csta.CauseDestNotObtainable, "202", "hq:1 DISCONNECTED/UNREACHABLE"},
		{csta.CauseInvalidNumberFormat, "201", "hq:1 DISCONNECTED/BADADDRESS"},
		{"callRejected", "202", "hq:1 DISCONNECTED/REJECT"},
		{csta.CauseDoNotDisturb, "202", "hq:1 DISCONNECTED/DONOTDISTURB"},
		{"someVendorCause", "202", "hq:1 DISCONNECTED/UNKNOWN"},
	}
	for _, tc := range cases {
		t.Run(string(tc.cause)+"/"+tc.failing, func(t *testing.T) {
			_, got := run(t, []string{"201"}, seq(
				to(&csta.ServiceInitiatedEvent{InitiatedConnection: cn("C4", "201"), InitiatingDevice: dev("201")}, "201"),
				to(&csta.OriginatedEvent{OriginatedConnection: cn("C4", "201"), CallingDevice: dev("201"),
					CalledDevice: dev(tc.failing)}, "201"),
				to(&csta.FailedEvent{EventCommon: ec(tc.cause), FailedConnection: cn("C4", tc.failing),
					FailingDevice: dev(tc.failing), CallingDevice: dev("201"), CalledDevice: dev(tc.failing)}, "201"),
				to(&csta.FailedEvent{EventCommon: ec(tc.cause), FailedConnection: cn("C4", tc.failing),
					FailingDevice: dev(tc.failing), CallingDevice: dev("201"), CalledDevice: dev(tc.failing)}, "201"),
				to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C4", "201"), ReleasingDevice: dev("201")}, "201"),
			))
			w := got["201"]
			if len(w) != 7 || w[4] != tc.want || w[5] != "ignored:dup" || w[6] != "hq:1 IDLE" {
				t.Errorf("got %q, want %q then ignored:dup, IDLE", w, tc.want)
			}
		})
	}
}

func TestNoAnswer(t *testing.T) {
	_, got := run(t, []string{"201", "202"}, seq(
		to(&csta.ServiceInitiatedEvent{InitiatedConnection: cn("C5", "201"), InitiatingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{OriginatedConnection: cn("C5", "201"), CallingDevice: dev("201"),
			CalledDevice: dev("202")}, "201"),
		to(&csta.DeliveredEvent{Connection: cn("C5", "202"), AlertingDevice: dev("202"),
			CallingDevice: dev("201"), CalledDevice: dev("202")}, "201", "202"),
		to(&csta.ConnectionClearedEvent{EventCommon: ec(csta.CauseCallNotAnswered),
			DroppedConnection: cn("C5", "202"), ReleasingDevice: dev("202")}, "201", "202"),
		to(&csta.CallClearedEvent{EventCommon: ec(csta.CauseCallNotAnswered), ClearedCall: cn("C5", "")}, "201"),
	))
	expect(t, got, map[string][]string{
		"201": {"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201", "hq:1 DIALTONE",
			"hq:1 INFO CALLEDID called=202", "hq:1 PROCEEDING", "hq:1 RINGBACK",
			"hq:1 DISCONNECTED/NOANSWER", "hq:1 IDLE"},
		"202": {"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202", "hq:2 OFFERING", "hq:2 IDLE"},
	})
}

func TestHoldRetrieveAndCallWaiting(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C20", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C20", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		// A second call arrives while the first is connected (call waiting).
		to(&csta.DeliveredEvent{Connection: cn("C21", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("206"), CalledDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C20", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C20", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C21", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("206"), CalledDevice: dev("201")}, "201"),
		// The far end holds the second call: no state change on our side.
		to(&csta.HeldEvent{HeldConnection: cn("C21", "206"), HoldingDevice: dev("206")}, "201"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C21", "206"), ReleasingDevice: dev("206")}, "201"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C21", "201"), ReleasingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C20", "201"), RetrievingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C20", "201"), RetrievingDevice: dev("201")}, "201"),
		to(&csta.CallClearedEvent{ClearedCall: cn("C20", "")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=201", "hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=205", "hq:1 CONNECTED",
		"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=206 called=201", "hq:2 OFFERING",
		"hq:1 ONHOLD", "ignored:dup",
		"hq:2 INFO CONNECTEDID connected=206", "hq:2 CONNECTED",
		"ignored:notours",
		"hq:2 DISCONNECTED/NORMAL", "hq:2 IDLE",
		"hq:1 CONNECTED", "ignored:dup",
		"hq:1 IDLE",
	}})
}

func TestCallInProgressWhenMonitoringStarted(t *testing.T) {
	_, got := run(t, []string{"201", "202"}, seq(
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C30", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("205"), CalledDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C31", "202"), HoldingDevice: dev("202")}, "202"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C30", "205"), ReleasingDevice: dev("205")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C31", "202"), RetrievingDevice: dev("202")}, "202"),
		// A clear for a call never seen is ignored, not announced.
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C99", "201"), ReleasingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{
		"201": {"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=201 connected=205",
			"hq:1 CONNECTED", "hq:1 DISCONNECTED/NORMAL", "ignored:unknown"},
		"202": {"hq:2 NEWCALL origin=UNKNOWN reason=UNKNOWN", "hq:2 ONHOLD", "hq:2 CONNECTED"},
	})
}

func TestDuplicateAndOutOfOrderEvents(t *testing.T) {
	deliv := &csta.DeliveredEvent{Connection: cn("C40", "201"), AlertingDevice: dev("201"),
		CallingDevice: dev("205"), CalledDevice: dev("201")}
	estab := &csta.EstablishedEvent{EstablishedConnection: cn("C40", "201"), AnsweringDevice: dev("201"),
		CallingDevice: dev("205"), CalledDevice: dev("201")}
	clear := &csta.ConnectionClearedEvent{DroppedConnection: cn("C40", "201"), ReleasingDevice: dev("201")}
	_, got := run(t, []string{"201"}, seq(
		to(deliv, "201"), to(deliv, "201"), to(estab, "201"), to(estab, "201"), to(deliv, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C40", "201"), RetrievingDevice: dev("201")}, "201"),
		to(clear, "201"), to(estab, "201"), to(clear, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C40", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{OriginatedConnection: cn("C40", "201"), CallingDevice: dev("201"),
			CalledDevice: dev("205")}, "201"),
		to(&csta.CallClearedEvent{ClearedCall: cn("C40", "")}, "201"),
		// A genuinely new arrival with the same call ID is a new call.
		to(deliv, "201"),
		// Events for lines that are not monitored, and event kinds not modelled.
		to(deliv, "299"),
		to(&csta.AgentStateEvent{Kind: "AgentOnBreak"}, "201"),
	))
	expect(t, got, map[string][]string{
		"201": {
			"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=201", "hq:1 OFFERING",
			"ignored:dup", "hq:1 INFO CONNECTEDID connected=205", "hq:1 CONNECTED", "ignored:dup",
			"ignored:ooo", "ignored:dup", "hq:1 IDLE", "ignored:cleared", "ignored:cleared",
			"ignored:cleared", "ignored:cleared", "ignored:cleared",
			"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=205 called=201", "hq:2 OFFERING",
			"ignored:unsupported",
		},
		"299": {"ignored:noline"},
	})
}

func TestLineStateEvents(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.DoNotDisturbEvent{Device: dev("201"), DoNotDisturbOn: true}, "201"),
		to(&csta.DoNotDisturbEvent{Device: dev("201"), DoNotDisturbOn: true}, "201"),
		to(&csta.DoNotDisturbEvent{Device: dev("201"), DoNotDisturbOn: false}, "201"),
		to(&csta.ForwardingEvent{Device: dev("201"), ForwardingType: csta.ForwardImmediate,
			ForwardStatus: true, ForwardTo: dev("N<203>;noa=nk")}, "201"),
		to(&csta.ForwardingEvent{Device: dev("201"), ForwardingType: csta.ForwardBusy,
			ForwardStatus: true, ForwardTo: dev("300")}, "201"),
		to(&csta.ForwardingEvent{Device: dev("201"), ForwardingType: csta.ForwardBusy,
			ForwardStatus: true, ForwardTo: dev("300")}, "201"),
		to(&csta.ForwardingEvent{Device: dev("201"), ForwardingType: csta.ForwardImmediate}, "201"),
		to(&csta.ForwardingEvent{Device: dev("201"), ForwardingType: csta.ForwardBusy}, "201"),
		to(&csta.OutOfServiceEvent{Device: dev("201")}, "201"),
		to(&csta.BackInServiceEvent{Device: dev("201")}, "201"),
		to(&csta.BackInServiceEvent{Device: dev("201")}, "201"),
		to(&csta.DoNotDisturbEvent{Device: dev("202"), DoNotDisturbOn: true}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"DEVSTATE OTHER dnd=true inservice=true", "ignored:unchanged", "DEVSTATE OTHER dnd=false inservice=true",
		"ADDRESSSTATE FORWARD fwd=[UNCOND:203]", "ADDRESSSTATE FORWARD fwd=[UNCOND:203 BUSY:300]",
		"ignored:unchanged", "ADDRESSSTATE FORWARD fwd=[BUSY:300]", "ADDRESSSTATE FORWARD fwd=[]",
		"DEVSTATE OUTOFSERVICE dnd=false inservice=false", "DEVSTATE INSERVICE dnd=false inservice=true",
		"ignored:unchanged", "ignored:notours",
	}})
}

func TestSetInServiceForLinkLoss(t *testing.T) {
	s := NewState("hq")
	s.AddLine("201", "")
	s.AddLine("202", "")
	res := s.SetInService(false, t0)
	if len(res.Events) != 2 || res.Events[0].LineState.DevState != tapi.LINEDEVSTATE_OUTOFSERVICE ||
		res.Events[0].Line != "hq/201" || len(res.ChangedLines) != 2 {
		t.Fatalf("link lost: %+v", res)
	}
	if res := s.SetInService(false, t0); len(res.Events) != 0 {
		t.Errorf("second link loss produced %d events", len(res.Events))
	}
	if res := s.SetInService(true, t0); len(res.Events) != 2 || res.Events[1].LineState.DevState != tapi.LINEDEVSTATE_INSERVICE {
		t.Errorf("link restored: %+v", res)
	}
}

// Holding a call that still rings at the far end: the caller's connection is connected, so the
// PBX allows it; the line goes ONHOLD and, retrieved before the answer, back to RINGBACK.
func TestHoldWhileRingingOut(t *testing.T) {
	_, got := run(t, []string{"201"}, seq(
		to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseNewCall),
			InitiatedConnection: cn("C30", "201"), InitiatingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: ec(csta.CauseNewCall), OriginatedConnection: cn("C30", "201"),
			CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseNewCall), Connection: cn("C30", "207"),
			AlertingDevice: dev("207"), CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C30", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C30", "201"), RetrievingDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C30", "207"), AnsweringDevice: dev("207"),
			CallingDevice: dev("201"), CalledDevice: dev("207")}, "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C30", "201"), HoldingDevice: dev("201")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C30", "201"), RetrievingDevice: dev("201")}, "201"),
	))
	expect(t, got, map[string][]string{"201": {
		"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201", "hq:1 DIALTONE",
		"hq:1 INFO CALLEDID called=207", "hq:1 PROCEEDING", "hq:1 RINGBACK",
		"hq:1 ONHOLD", "hq:1 RINGBACK",
		"hq:1 INFO CONNECTEDID connected=207", "hq:1 CONNECTED",
		"hq:1 ONHOLD", "hq:1 CONNECTED",
	}})
}

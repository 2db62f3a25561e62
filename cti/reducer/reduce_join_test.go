package reducer

import (
	"slices"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

const ext = "+4930555123" // an external party reached over a trunk

// consult: 201, in call callID, holds it and consults 202 on consultID (202 answers).
func consult(callID, consultID, target string, targetMonitored bool) []at {
	tl := []string{"201"}
	if targetMonitored {
		tl = append(tl, target)
	}
	return seq(
		to(&csta.HeldEvent{EventCommon: ec(csta.CauseConsultation), HeldConnection: cn(callID, "201"),
			HoldingDevice: dev("201")}, "201"),
		to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseConsultation),
			InitiatedConnection: cn(consultID, "201"), InitiatingDevice: dev("201")}, "201"),
		to(&csta.OriginatedEvent{EventCommon: ec(csta.CauseConsultation), OriginatedConnection: cn(consultID, "201"),
			CallingDevice: dev("201"), CalledDevice: dev(target)}, "201"),
		to(&csta.DeliveredEvent{Connection: cn(consultID, target), AlertingDevice: dev(target),
			CallingDevice: dev("201"), CalledDevice: dev(target)}, tl...),
		to(&csta.EstablishedEvent{EstablishedConnection: cn(consultID, target), AnsweringDevice: dev(target),
			CallingDevice: dev("201"), CalledDevice: dev(target)}, tl...),
	)
}

func TestConsultationTransferOfExternalCall(t *testing.T) {
	_, got := run(t, []string{"201", "202"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C7", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev(ext), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C7", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev(ext), CalledDevice: dev("201")}, "201"),
		consult("C7", "C8", "202", true),
		to(&csta.TransferredEvent{EventCommon: ec(csta.CauseTransfer),
			PrimaryOldCall: cn("C7", "201"), SecondaryOldCall: cn("C8", "201"),
			TransferringDevice: dev("201"), TransferredToDevice: dev("202"),
			TransferredConnections: []csta.ConnectionListItem{
				{NewConnection: cn("C9", ext), OldConnection: cn("C7", ext), Endpoint: dev(ext)},
				{NewConnection: cn("C9", "202"), OldConnection: cn("C8", "202"), Endpoint: dev("202")},
			}}, "201", "202"),
		// A late event for the transferred call at 201 does not bring it back.
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C7", "201"), ReleasingDevice: dev("201")}, "201"),
		// Some switches also report the transferring device leaving: not a party any more.
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C9", "201"), ReleasingDevice: dev("201")}, "202"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C9", ext), ReleasingDevice: dev(ext)}, "202"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C9", "202"), ReleasingDevice: dev("202")}, "202"),
	))
	expect(t, got, map[string][]string{
		"201": {
			"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201", "hq:1 OFFERING",
			"hq:1 INFO CONNECTEDID connected=+4930555123", "hq:1 CONNECTED",
			"hq:1 ONHOLDPENDTRANSFER",
			"hq:2 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 related=hq:1", "hq:2 DIALTONE",
			"hq:1 INFO RELATEDCALLID related=hq:2",
			"hq:2 INFO CALLEDID called=202", "hq:2 PROCEEDING",
			"hq:2 RINGBACK",
			"hq:2 INFO CONNECTEDID connected=202", "hq:2 CONNECTED",
			"hq:1 IDLE", "hq:2 IDLE",
			"ignored:cleared",
		},
		"202": {
			"hq:3 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202", "hq:3 OFFERING",
			"hq:3 INFO CONNECTEDID connected=201", "hq:3 CONNECTED",
			"hq:3 INFO CALLID,REASON,CONNECTEDID callid=C9 reason=TRANSFER connected=+4930555123",
			"ignored:notours",
			"hq:3 DISCONNECTED/NORMAL", "hq:3 IDLE",
		},
	})
}

func TestTransferWithoutConnectionList(t *testing.T) {
	// Without transferredConnections the remaining party keeps its call ID and learns the
	// other old ID as an alias, so later events under either ID reach the call.
	s, got := run(t, []string{"202"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C8", "202"), AlertingDevice: dev("202"),
			CallingDevice: dev("201"), CalledDevice: dev("202")}, "202"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C8", "202"), AnsweringDevice: dev("202"),
			CallingDevice: dev("201"), CalledDevice: dev("202")}, "202"),
		to(&csta.TransferredEvent{PrimaryOldCall: cn("C7", "201"), SecondaryOldCall: cn("C8", "201"),
			TransferringDevice: dev("201"), TransferredToDevice: dev("202")}, "202"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C7", "202"), ReleasingDevice: dev("202")}, "202"),
	))
	expect(t, got, map[string][]string{"202": {
		"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202", "hq:1 OFFERING",
		"hq:1 INFO CONNECTEDID connected=201", "hq:1 CONNECTED",
		"hq:1 INFO REASON reason=TRANSFER",
		"hq:1 IDLE",
	}})
	if len(s.Calls("")) != 0 {
		t.Error("call left behind")
	}
}

func TestConsultationConference(t *testing.T) {
	_, got := run(t, []string{"201", "202", "203"}, seq(
		to(&csta.ServiceInitiatedEvent{InitiatedConnection: cn("C10", "202"), InitiatingDevice: dev("202")}, "202"),
		to(&csta.OriginatedEvent{OriginatedConnection: cn("C10", "202"), CallingDevice: dev("202"),
			CalledDevice: dev("201")}, "202"),
		to(&csta.DeliveredEvent{Connection: cn("C10", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202", "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C10", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202", "201"),
		to(&csta.HeldEvent{EventCommon: ec(csta.CauseConsultation), HeldConnection: cn("C10", "201"),
			HoldingDevice: dev("201")}, "202"),
		consult("C10", "C11", "203", true),
		to(conference201(), "201", "202", "203"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C10", "203"), ReleasingDevice: dev("203")},
			"201", "202", "203"),
	))
	expect(t, got, map[string][]string{
		"202": {
			"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=202", "hq:1 DIALTONE",
			"hq:1 INFO CALLEDID called=201", "hq:1 PROCEEDING", "hq:1 RINGBACK",
			"hq:1 INFO CONNECTEDID connected=201", "hq:1 CONNECTED",
			"ignored:notours",
			"hq:1 CONFERENCED", "hq:1 CONFERENCE hq:1.conf parties=201,203",
			"hq:1 CONNECTED", "hq:1 CONFERENCE null", // 203 left: a two-party call with 201 again
		},
		"201": {
			"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=202 called=201", "hq:2 OFFERING",
			"hq:2 INFO CONNECTEDID connected=202", "hq:2 CONNECTED",
			"hq:2 ONHOLDPENDTRANSFER",
			"hq:3 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 related=hq:2", "hq:3 DIALTONE",
			"hq:2 INFO RELATEDCALLID related=hq:3",
			"hq:3 INFO CALLEDID called=203", "hq:3 PROCEEDING", "hq:3 RINGBACK",
			"hq:3 INFO CONNECTEDID connected=203", "hq:3 CONNECTED",
			"hq:2 ONHOLDPENDCONF", // the held call's consultation became a conference
			"hq:3 IDLE", "hq:2 INFO RELATEDCALLID related=", "hq:2 CONFERENCED",
			"hq:2 CONFERENCE hq:2.conf parties=202,203",
			"hq:2 CONNECTED", "hq:2 CONFERENCE null",
		},
		"203": {
			"hq:4 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=203", "hq:4 OFFERING",
			"hq:4 INFO CONNECTEDID connected=201", "hq:4 CONNECTED",
			"hq:4 INFO CALLID callid=C10", "hq:4 CONFERENCED", "hq:4 CONFERENCE hq:4.conf parties=202,201",
			"hq:4 IDLE", // its own party left: no LINE_CONFERENCE, the handle ends
		},
	})
}

func TestSingleStepTransfer(t *testing.T) {
	_, got := run(t, []string{"201", "202"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C12", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev(ext), CalledDevice: dev("201")}, "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C12", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev(ext), CalledDevice: dev("201")}, "201"),
		to(&csta.TransferredEvent{EventCommon: ec(csta.CauseSingleStepTransfer),
			PrimaryOldCall: cn("C12", "201"), TransferringDevice: dev("201"), TransferredToDevice: dev("202"),
			TransferredConnections: []csta.ConnectionListItem{
				{NewConnection: cn("C13", ext), OldConnection: cn("C12", ext), Endpoint: dev(ext)},
				{NewConnection: cn("C13", "202"), Endpoint: dev("202")},
			}}, "201"),
		to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseSingleStepTransfer), Connection: cn("C13", "202"),
			AlertingDevice: dev("202"), CallingDevice: dev(ext), CalledDevice: dev("202"),
			LastRedirectionDevice: dev("201")}, "202"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C13", "202"), AnsweringDevice: dev("202"),
			CallingDevice: dev(ext), CalledDevice: dev("202")}, "202"),
	))
	expect(t, got, map[string][]string{
		"201": {
			"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201", "hq:1 OFFERING",
			"hq:1 INFO CONNECTEDID connected=+4930555123", "hq:1 CONNECTED", "hq:1 IDLE",
		},
		"202": {
			"hq:2 NEWCALL origin=EXTERNAL reason=TRANSFER caller=+4930555123 called=202 redirecting=201 redirection=202",
			"hq:2 OFFERING", "hq:2 INFO CONNECTEDID connected=+4930555123", "hq:2 CONNECTED",
		},
	})
}

func TestDeflect(t *testing.T) {
	_, got := run(t, []string{"201", "202", "203"}, seq(
		to(&csta.ServiceInitiatedEvent{InitiatedConnection: cn("C14", "202"), InitiatingDevice: dev("202")}, "202"),
		to(&csta.OriginatedEvent{OriginatedConnection: cn("C14", "202"), CallingDevice: dev("202"),
			CalledDevice: dev("201")}, "202"),
		to(&csta.DeliveredEvent{Connection: cn("C14", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202", "201"),
		to(&csta.DivertedEvent{EventCommon: ec(csta.CauseRedirected), Connection: cn("C14", "201"),
			DivertingDevice: dev("201"), NewDestination: dev("203"), CallingDevice: dev("202"),
			CalledDevice: dev("201")}, "201", "202"),
		to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseRedirected), Connection: cn("C14", "203"),
			AlertingDevice: dev("203"), CallingDevice: dev("202"), CalledDevice: dev("201"),
			LastRedirectionDevice: dev("201")}, "202", "203"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C14", "203"), AnsweringDevice: dev("203"),
			CallingDevice: dev("202"), CalledDevice: dev("201"), LastRedirectionDevice: dev("201")}, "202", "203"),
	))
	expect(t, got, map[string][]string{
		"202": {
			"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=202", "hq:1 DIALTONE",
			"hq:1 INFO CALLEDID called=201", "hq:1 PROCEEDING", "hq:1 RINGBACK",
			"hq:1 INFO REDIRECTIONID,REDIRECTINGID redirecting=201 redirection=203",
			"ignored:dup",
			"hq:1 INFO CONNECTEDID connected=203", "hq:1 CONNECTED",
		},
		"201": {
			"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=202 called=201", "hq:2 OFFERING",
			"hq:2 INFO REDIRECTIONID redirection=203", "hq:2 DISCONNECTED/FORWARDED", "hq:2 IDLE",
		},
		"203": {
			"hq:3 NEWCALL origin=INTERNAL reason=REDIRECT caller=202 called=201 redirecting=201 redirection=203",
			"hq:3 OFFERING", "hq:3 INFO CONNECTEDID connected=202", "hq:3 CONNECTED",
		},
	})
}

func TestForwardingReasons(t *testing.T) {
	cases := []struct {
		name   string
		cause  csta.EventCause
		rings  bool   // the call alerts at 201 first (no answer)
		reason string // at the new destination
		mode   string // of 201's DISCONNECTED when it rang
	}{
		{"immediate", csta.CauseCallForwardImmediate, false, "FWDUNCOND", "FORWARDED"},
		{"busy", csta.CauseCallForwardBusy, false, "FWDBUSY", "FORWARDED"},
		{"noanswer", csta.CauseCallForwardNoAnswer, true, "FWDNOANSWER", "FORWARDED"},
		{"pickup", csta.CauseCallPickup, true, "PICKUP", "PICKUP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var steps []at
			// Forwarded before it rang: the line still gets a record of the call it sent on.
			want201 := []string{"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201 redirection=203",
				"hq:1 DISCONNECTED/" + tc.mode, "hq:1 IDLE"}
			if tc.rings {
				steps = to(&csta.DeliveredEvent{Connection: cn("C15", "201"), AlertingDevice: dev("201"),
					CallingDevice: dev(ext), CalledDevice: dev("201")}, "201")
				want201 = []string{"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201",
					"hq:1 OFFERING", "hq:1 INFO REDIRECTIONID redirection=203", "hq:1 DISCONNECTED/" + tc.mode, "hq:1 IDLE"}
			}
			steps = append(steps, to(&csta.DivertedEvent{EventCommon: ec(tc.cause), Connection: cn("C15", "201"),
				DivertingDevice: dev("201"), NewDestination: dev("203"), CallingDevice: dev(ext),
				CalledDevice: dev("201")}, "201")...)
			h := "hq:2"
			want203 := []string{h + " NEWCALL origin=EXTERNAL reason=" + tc.reason +
				" caller=+4930555123 called=201 redirecting=201 redirection=203", h + " OFFERING"}
			if tc.cause == csta.CauseCallPickup {
				// A pickup shows up as Established at the picking device, without Delivered.
				steps = append(steps, to(&csta.EstablishedEvent{EventCommon: ec(tc.cause),
					EstablishedConnection: cn("C15", "203"), AnsweringDevice: dev("203"),
					CallingDevice: dev(ext), CalledDevice: dev("201"), LastRedirectionDevice: dev("201")}, "203")...)
				want203 = []string{h + " NEWCALL origin=EXTERNAL reason=PICKUP caller=+4930555123 called=201" +
					" connected=+4930555123 redirecting=201 redirection=203", h + " CONNECTED"}
			} else {
				steps = append(steps, to(&csta.DeliveredEvent{EventCommon: ec(tc.cause), Connection: cn("C15", "203"),
					AlertingDevice: dev("203"), CallingDevice: dev(ext), CalledDevice: dev("201"),
					LastRedirectionDevice: dev("201")}, "203")...)
			}
			_, got := run(t, []string{"201", "203"}, steps)
			expect(t, got, map[string][]string{"201": want201, "203": want203})
		})
	}
}

// conference201 is 201 joining its held call C10 (with 202) and its consultation call C11
// (with 203) into a conference.
func conference201() *csta.ConferencedEvent {
	return &csta.ConferencedEvent{EventCommon: ec(csta.CauseConference),
		PrimaryOldCall: cn("C10", "201"), SecondaryOldCall: cn("C11", "201"),
		ConferencingDevice: dev("201"), AddedParty: dev("203"),
		ConferenceConnections: []csta.ConnectionListItem{
			{NewConnection: cn("C10", "202"), OldConnection: cn("C10", "202"), Endpoint: dev("202")},
			{NewConnection: cn("C10", "201"), OldConnection: cn("C10", "201"), Endpoint: dev("201")},
			{NewConnection: cn("C10", "203"), OldConnection: cn("C11", "203"), Endpoint: dev("203")},
		}}
}

// A conference held and retrieved at the conferencing line is a conference again; a party
// leaving while it is held leaves a held two-party call, not a disconnected one.
func TestHeldConference(t *testing.T) {
	conf := seq(
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C10", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "201"),
		to(&csta.HeldEvent{EventCommon: ec(csta.CauseConsultation), HeldConnection: cn("C10", "201"),
			HoldingDevice: dev("201")}, "201"),
		consult("C10", "C11", "203", true),
		to(conference201(), "201"),
		to(&csta.HeldEvent{HeldConnection: cn("C10", "201"), HoldingDevice: dev("201")}, "201"),
	)
	_, got := run(t, []string{"201"}, seq(conf,
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C10", "201"), RetrievingDevice: dev("201")}, "201"),
	))
	if g := got["201"]; g[len(g)-2] != "hq:1 ONHOLD" || g[len(g)-1] != "hq:1 CONFERENCED" {
		t.Errorf("hold and retrieve of a conference: %q", g)
	}
	// Held, the conference stays the call's conference (no LINE_CONFERENCE on hold or retrieve).
	s, got := run(t, []string{"201"}, conf)
	if g := got["201"]; !slices.Contains(g, "hq:1 CONFERENCE hq:1.conf parties=202,203") || g[len(g)-1] != "hq:1 ONHOLD" {
		t.Errorf("held conference: %q", g)
	}
	if c, _ := s.Call("hq:1"); c.State != tapi.LINECALLSTATE_ONHOLD || c.Conference == nil ||
		c.Conference.Handle != "hq:1.conf" || len(c.Conference.Parties) != 2 {
		t.Errorf("held conference's call: %+v", c)
	}
	_, got = run(t, []string{"201"}, seq(conf,
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C10", "202"), ReleasingDevice: dev("202")}, "201"),
		to(&csta.RetrievedEvent{RetrievedConnection: cn("C10", "201"), RetrievingDevice: dev("201")}, "201"),
	))
	g := got["201"]
	want := []string{"hq:1 ONHOLD", "hq:1 INFO CONNECTEDID connected=203", "hq:1 CONFERENCE null", "hq:1 CONNECTED"}
	if len(g) < len(want) || strings.Join(g[len(g)-len(want):], "|") != strings.Join(want, "|") {
		t.Errorf("party leaves a held conference: %q, want it to end with %q", g, want)
	}
}

// TestConferenceParties follows a conference's parties at each of its three monitored lines:
// a fourth party joins (201 consults 204 from the conference and conferences again), a name
// the switch gives is kept, 204 leaves (the others stay in conference), then 203 leaves and
// every remaining line's call is a two-party call again (conference null).
func TestConferenceParties(t *testing.T) {
	bob := dev("202")
	bob.Name = "Bob"
	rejoin := &csta.ConferencedEvent{EventCommon: ec(csta.CauseConference),
		PrimaryOldCall: cn("C10", "201"), SecondaryOldCall: cn("C12", "201"),
		ConferencingDevice: dev("201"), AddedParty: dev("204"),
		ConferenceConnections: []csta.ConnectionListItem{
			{NewConnection: cn("C10", "202"), OldConnection: cn("C10", "202"), Endpoint: bob},
			{NewConnection: cn("C10", "201"), OldConnection: cn("C10", "201"), Endpoint: dev("201")},
			{NewConnection: cn("C10", "203"), OldConnection: cn("C10", "203"), Endpoint: dev("203")},
			{NewConnection: cn("C10", "204"), OldConnection: cn("C12", "204"), Endpoint: dev("204")},
		}}
	s, got := run(t, []string{"201", "202", "203"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C10", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202", "201"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C10", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202", "201"),
		consult("C10", "C11", "203", true),
		to(conference201(), "201", "202", "203"),
		consult("C10", "C12", "204", false),
		to(rejoin, "201", "202", "203"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C10", "204"), ReleasingDevice: dev("204")},
			"201", "202", "203"),
		to(&csta.ConnectionClearedEvent{DroppedConnection: cn("C10", "203"), ReleasingDevice: dev("203")},
			"201", "202", "203"),
	))
	confOnly := func(g []string) []string {
		var out []string
		for _, e := range g {
			if strings.Contains(e, " CONFERENCE") || strings.HasSuffix(e, " CONNECTED") || strings.HasSuffix(e, " IDLE") {
				out = append(out, e)
			}
		}
		return out
	}
	for line, g := range got {
		got[line] = confOnly(g)
	}
	expect(t, got, map[string][]string{
		"201": {
			"hq:2 CONNECTED", "hq:3 CONNECTED", "hq:3 IDLE",
			"hq:2 CONFERENCED", "hq:2 CONFERENCE hq:2.conf parties=202,203",
			"hq:5 CONNECTED", "hq:5 IDLE",
			"hq:2 CONFERENCED", "hq:2 CONFERENCE hq:2.conf parties=202(Bob),203,204",
			"hq:2 CONFERENCE hq:2.conf parties=202(Bob),203",
			"hq:2 CONNECTED", "hq:2 CONFERENCE null",
		},
		"202": {
			"hq:1 CONNECTED",
			"hq:1 CONFERENCED", "hq:1 CONFERENCE hq:1.conf parties=201,203",
			"hq:1 CONFERENCE hq:1.conf parties=201,203,204",
			"hq:1 CONFERENCE hq:1.conf parties=201,203",
			"hq:1 CONNECTED", "hq:1 CONFERENCE null",
		},
		"203": {
			"hq:4 CONNECTED",
			"hq:4 CONFERENCED", "hq:4 CONFERENCE hq:4.conf parties=202,201",
			"hq:4 CONFERENCE hq:4.conf parties=202(Bob),201,204",
			"hq:4 CONFERENCE hq:4.conf parties=202(Bob),201",
			"hq:4 IDLE",
		},
	})
	for _, c := range s.Calls("") {
		if c.Conference != nil {
			t.Errorf("call %s still has a conference: %+v", c.Handle, c.Conference)
		}
	}
}

// TestConferenceAtHoldingLine: 202 holds its call with 201 while 201 conferences 203 in; the
// held call at 202 is a conference too (LINE_CONFERENCE, still ONHOLD), and a party leaving
// leaves it a held two-party call.
func TestConferenceAtHoldingLine(t *testing.T) {
	s, got := run(t, []string{"202"}, seq(
		to(&csta.DeliveredEvent{Connection: cn("C10", "201"), AlertingDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202"),
		to(&csta.EstablishedEvent{EstablishedConnection: cn("C10", "201"), AnsweringDevice: dev("201"),
			CallingDevice: dev("202"), CalledDevice: dev("201")}, "202"),
		to(&csta.HeldEvent{HeldConnection: cn("C10", "202"), HoldingDevice: dev("202")}, "202"),
		to(conference201(), "202"),
	))
	g := got["202"]
	if want := []string{"hq:1 ONHOLD", "hq:1 CONFERENCE hq:1.conf parties=201,203"}; !slices.Equal(g[len(g)-2:], want) {
		t.Fatalf("conference at a holding line: %q, want it to end with %q", g, want)
	}
	if c, _ := s.Call("hq:1"); c.State != tapi.LINECALLSTATE_ONHOLD || c.Conference == nil {
		t.Fatalf("held conference: %+v", c)
	}
	res := s.Apply("202", &csta.ConnectionClearedEvent{DroppedConnection: cn("C10", "203"), ReleasingDevice: dev("203")}, t0)
	var ds []string
	for _, e := range res.Events {
		ds = append(ds, describe(e))
	}
	if want := []string{"hq:1 CONFERENCE null"}; !slices.Equal(ds, want) { // connected to 201 all along
		t.Errorf("party leaves a held conference: %q, want %q", ds, want)
	}
	if c, _ := s.Call("hq:1"); c.State != tapi.LINECALLSTATE_ONHOLD || c.Conference != nil {
		t.Errorf("after a party left: %+v", c)
	}
}

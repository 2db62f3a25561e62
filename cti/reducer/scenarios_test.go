package reducer

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

// The scenarios of docs/events.md ("CSTA to TAPI, scenario by scenario"): each is a CSTA event
// sequence as the monitors of the named lines receive it; the document's tables are what the
// reducer makes of them (see events_doc_test.go). Scenarios with want pinned are table tests
// of their own.

type scenario struct {
	name   string
	lines  []string
	groups []string // lines of ACD or hunt groups (State.AddGroup)
	steps  []at
	source string              // the public source of the sequence, for the document
	want   map[string][]string // pinned expectations (nil: the document pins them)
}

// dialled: line from goes off-hook and dials target (ServiceInitiated, Originated at from).
func dialled(callID, from, target string) []at {
	return seq(
		to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseNewCall), InitiatedConnection: cn(callID, from),
			InitiatingDevice: dev(from)}, from),
		to(&csta.OriginatedEvent{EventCommon: ec(csta.CauseNewCall), OriginatedConnection: cn(callID, from),
			CallingDevice: dev(from), CalledDevice: dev(target)}, from),
	)
}

func delivered(callID, calling, alerting, called string, cause csta.EventCause, lastRedir string, lines ...string) []at {
	e := &csta.DeliveredEvent{EventCommon: ec(cause), Connection: cn(callID, alerting), AlertingDevice: dev(alerting),
		CallingDevice: dev(calling), CalledDevice: dev(called)}
	if lastRedir != "" {
		e.LastRedirectionDevice = dev(lastRedir)
	}
	return to(e, lines...)
}

func established(callID, calling, answering, called string, cause csta.EventCause, lastRedir string, lines ...string) []at {
	e := &csta.EstablishedEvent{EventCommon: ec(cause), EstablishedConnection: cn(callID, answering),
		AnsweringDevice: dev(answering), CallingDevice: dev(calling), CalledDevice: dev(called)}
	if lastRedir != "" {
		e.LastRedirectionDevice = dev(lastRedir)
	}
	return to(e, lines...)
}

func cleared(callID, device string, cause csta.EventCause, lines ...string) []at {
	return to(&csta.ConnectionClearedEvent{EventCommon: ec(cause), DroppedConnection: cn(callID, device),
		ReleasingDevice: dev(device)}, lines...)
}

func callCleared(callID string, cause csta.EventCause, lines ...string) []at {
	return to(&csta.CallClearedEvent{EventCommon: ec(cause), ClearedCall: csta.ConnectionID{CallID: callID}}, lines...)
}

func diverted(callID, from, newDest, calling, called string, cause csta.EventCause, lines ...string) []at {
	return to(&csta.DivertedEvent{EventCommon: ec(cause), Connection: cn(callID, from), DivertingDevice: dev(from),
		NewDestination: dev(newDest), CallingDevice: dev(calling), CalledDevice: dev(called),
		LastRedirectionDevice: dev(from)}, lines...)
}

// agent is an agent event for the agent at device in group, to lines.
func agent(kind, device, group, pending, reason string, lines ...string) []at {
	return to(&csta.AgentStateEvent{Kind: kind, AgentDevice: dev(device), AgentID: device, ACDGroup: dev(group),
		PendingAgentState: csta.AgentState(pending), ReasonCode: reason}, lines...)
}

const (
	srcTR68       = "ECMA TR/68 (CSTA Phase II scenarios)"
	srcECMA269    = "ECMA-269 (CSTA Phase III services and events)"
	srcPickup     = "ECMA-269 Directed Pickup Call and Group Pickup Call services (connection alerting -> null at the picked-from device, null -> connected at the picker; Diverted then Established, cause callPickup) and the pickup scenario of ECMA TR/68"
	srcForward    = "ECMA-269 §17.2.6 Diverted event and the call forwarding scenarios of ECMA TR/68 (cause callForwardImmediate / callForwardBusy / callForwardNoAnswer)"
	srcConference = "ECMA-269 §17.1.4 Conference Call (held and active call joined, Conferenced event) and the consultation conference scenario of ECMA TR/68; ONHOLDPENDCONF per the TAPI 2.x LINECALLSTATE_ONHOLDPENDCONF description (lineSetupConference)"
)

var scenarios = []scenario{
	{name: "Incoming call, answered", lines: []string{"201", "202"}, source: srcTR68 + ", basic call; ECMA-269 §17.2.5 Delivered, §17.2.7 Established, §17.2.4 Connection Cleared, §17.2.2 Call Cleared",
		steps: seq(dialled("C1", "202", "201"),
			delivered("C1", "202", "201", "201", csta.CauseNewCall, "", "202", "201"),
			established("C1", "202", "201", "201", csta.CauseNewCall, "", "202", "201"),
			cleared("C1", "202", csta.CauseNormalClearing, "201", "202"),
			callCleared("C1", csta.CauseNormalClearing, "201"))},
	{name: "Incoming call, abandoned (the caller hangs up while it rings)", lines: []string{"201"}, source: srcTR68 + ", basic call cleared before answer",
		steps: seq(delivered("C2", "202", "201", "201", csta.CauseNewCall, "", "201"),
			cleared("C2", "202", csta.CauseNormalClearing, "201"),
			callCleared("C2", csta.CauseNormalClearing, "201"))},
	{name: "Incoming call, rejected at the line", lines: []string{"201", "202"}, source: srcECMA269 + " §17.1.3 Clear Connection on an alerting connection",
		steps: seq(dialled("C3", "202", "201"),
			delivered("C3", "202", "201", "201", csta.CauseNewCall, "", "202", "201"),
			cleared("C3", "201", "callRejected", "202", "201"),
			callCleared("C3", "callRejected", "202"))},
	{name: "Outgoing call, MakeCall doNotPrompt", lines: []string{"201"}, source: srcTR68 + ", Make Call scenarios; ECMA-269 §17.1.8 Make Call (autoOriginate doNotPrompt)",
		steps: seq(
			to(&csta.ServiceInitiatedEvent{EventCommon: ec(csta.CauseMakeCall), InitiatedConnection: cn("C4", "201"), InitiatingDevice: dev("201")}, "201"),
			to(&csta.OriginatedEvent{EventCommon: ec(csta.CauseMakeCall), OriginatedConnection: cn("C4", "201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
			delivered("C4", "201", "202", "202", csta.CauseNewCall, "", "201"),
			established("C4", "201", "202", "202", csta.CauseNewCall, "", "201"))},
	{name: "Outgoing call, MakeCall prompt (the line rings first)", lines: []string{"201"}, source: "ECMA-269 §17.1.8 Make Call, autoOriginate prompt (the calling device is alerted, then the call is originated)",
		steps: seq(
			to(&csta.ServiceInitiatedEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateInitiated), InitiatedConnection: cn("C5", "201"), InitiatingDevice: dev("201")}, "201"),
			to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateAlerting), Connection: cn("C5", "201"), AlertingDevice: dev("201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
			to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateConnected), EstablishedConnection: cn("C5", "201"), AnsweringDevice: dev("201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
			to(&csta.OriginatedEvent{EventCommon: lci(csta.CauseMakeCall, csta.StateConnected), OriginatedConnection: cn("C5", "201"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
			delivered("C5", "201", "202", "202", csta.CauseNewCall, "", "201"),
			established("C5", "201", "202", "202", csta.CauseNewCall, "", "201"))},
	{name: "Outgoing call, busy", lines: []string{"201"}, source: srcTR68 + ", call to a busy device; ECMA-269 §17.2.8 Failed (cause busy)",
		steps: seq(dialled("C6", "201", "202"),
			to(&csta.FailedEvent{EventCommon: ec(csta.CauseBusy), FailedConnection: cn("C6", "202"), FailingDevice: dev("202"), CallingDevice: dev("201"), CalledDevice: dev("202")}, "201"),
			cleared("C6", "201", csta.CauseNormalClearing, "201"))},
	{name: "Outgoing call, no answer (the switch gives up)", lines: []string{"201", "202"}, source: srcECMA269 + " §17.2.4 Connection Cleared (cause callNotAnswered)",
		steps: seq(dialled("C7", "201", "202"),
			delivered("C7", "201", "202", "202", csta.CauseNewCall, "", "201", "202"),
			cleared("C7", "202", csta.CauseCallNotAnswered, "201", "202"),
			callCleared("C7", csta.CauseCallNotAnswered, "201"))},
	{name: "Consultation transfer, consulted party answered", lines: []string{"201", "202"}, source: srcTR68 + ", consultation and transfer; ECMA-269 §17.1.5 Consultation Call, §17.1.14 Transfer Call, §17.2.17 Transferred",
		steps: seq(delivered("C8", ext, "201", "201", csta.CauseNewCall, "", "201"),
			established("C8", ext, "201", "201", csta.CauseNewCall, "", "201"),
			consult("C8", "C9", "202", true),
			to(&csta.TransferredEvent{EventCommon: ec(csta.CauseTransfer), PrimaryOldCall: cn("C8", "201"), SecondaryOldCall: cn("C9", "201"),
				TransferringDevice: dev("201"), TransferredToDevice: dev("202"), TransferredConnections: []csta.ConnectionListItem{
					{NewConnection: cn("C9", ext), OldConnection: cn("C8", ext), Endpoint: dev(ext)},
					{NewConnection: cn("C9", "202"), OldConnection: cn("C9", "202"), Endpoint: dev("202")}}}, "201", "202"))},
	{name: "Consultation transfer while the consulted party rings", lines: []string{"201", "202"}, source: srcTR68 + ", transfer before answer; ECMA-269 §17.1.14 Transfer Call (active call alerting)",
		steps: seq(delivered("C10", ext, "201", "201", csta.CauseNewCall, "", "201"),
			established("C10", ext, "201", "201", csta.CauseNewCall, "", "201"),
			consult("C10", "C11", "202", true)[:4],
			delivered("C11", "201", "202", "202", csta.CauseNewCall, "", "202"),
			to(&csta.TransferredEvent{EventCommon: ec(csta.CauseTransfer), PrimaryOldCall: cn("C10", "201"), SecondaryOldCall: cn("C11", "201"),
				TransferringDevice: dev("201"), TransferredToDevice: dev("202"), TransferredConnections: []csta.ConnectionListItem{
					{NewConnection: cn("C11", ext), OldConnection: cn("C10", ext), Endpoint: dev(ext)},
					{NewConnection: cn("C11", "202"), OldConnection: cn("C11", "202"), Endpoint: dev("202")}}}, "201", "202"),
			established("C11", ext, "202", "202", csta.CauseNewCall, "", "202"))},
	{name: "Single-step transfer", lines: []string{"201", "202"}, source: "ECMA-269 §17.1.13 Single Step Transfer Call (Transferred, then Delivered at the new destination, cause singleStepTransfer)",
		steps: seq(delivered("C12", ext, "201", "201", csta.CauseNewCall, "", "201"),
			established("C12", ext, "201", "201", csta.CauseNewCall, "", "201"),
			to(&csta.TransferredEvent{EventCommon: ec(csta.CauseSingleStepTransfer), PrimaryOldCall: cn("C12", "201"), TransferringDevice: dev("201"), TransferredToDevice: dev("202"),
				TransferredConnections: []csta.ConnectionListItem{{NewConnection: cn("C12", ext), OldConnection: cn("C12", ext), Endpoint: dev(ext)}, {NewConnection: cn("C12", "202"), Endpoint: dev("202")}}}, "201"),
			delivered("C12", ext, "202", "202", csta.CauseSingleStepTransfer, "201", "202"),
			established("C12", ext, "202", "202", csta.CauseSingleStepTransfer, "201", "202"))},
	{name: "Consultation conference, then a party leaves", lines: []string{"201", "203"}, source: srcConference,
		steps: seq(delivered("C10", "202", "201", "201", csta.CauseNewCall, "", "201"),
			established("C10", "202", "201", "201", csta.CauseNewCall, "", "201"),
			consult("C10", "C11", "203", true),
			to(conference201(), "201", "203"),
			cleared("C10", "202", csta.CauseNormalClearing, "201", "203")),
		want: map[string][]string{
			"201": {
				"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=202 called=201", "hq:1 OFFERING",
				"hq:1 INFO CONNECTEDID connected=202", "hq:1 CONNECTED",
				"hq:1 ONHOLDPENDTRANSFER",
				"hq:2 NEWCALL origin=OUTBOUND reason=DIRECT caller=201 related=hq:1", "hq:2 DIALTONE",
				"hq:1 INFO RELATEDCALLID related=hq:2",
				"hq:2 INFO CALLEDID called=203", "hq:2 PROCEEDING", "hq:2 RINGBACK",
				"hq:2 INFO CONNECTEDID connected=203", "hq:2 CONNECTED",
				"hq:1 ONHOLDPENDCONF", "hq:2 IDLE", "hq:1 INFO RELATEDCALLID related=", "hq:1 CONFERENCED",
				"hq:1 CONFERENCE hq:1.conf parties=202,203",
				"hq:1 INFO CONNECTEDID connected=203", "hq:1 CONNECTED", "hq:1 CONFERENCE null",
			},
			"203": {
				"hq:3 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=203", "hq:3 OFFERING",
				"hq:3 INFO CONNECTEDID connected=201", "hq:3 CONNECTED",
				"hq:3 INFO CALLID callid=C10", "hq:3 CONFERENCED", "hq:3 CONFERENCE hq:3.conf parties=202,201",
				"hq:3 CONNECTED", "hq:3 CONFERENCE null", // back to a two-party call with 201
			},
		}},
	{name: "Hold and retrieve", lines: []string{"201"}, source: "ECMA-269 §17.1.7 Hold Call / §17.2.9 Held, §17.1.11 Retrieve Call / §17.2.14 Retrieved",
		steps: seq(delivered("C13", "202", "201", "201", csta.CauseNewCall, "", "201"),
			established("C13", "202", "201", "201", csta.CauseNewCall, "", "201"),
			to(&csta.HeldEvent{HeldConnection: cn("C13", "201"), HoldingDevice: dev("201")}, "201"),
			to(&csta.RetrievedEvent{RetrievedConnection: cn("C13", "201"), RetrievingDevice: dev("201")}, "201"))},
	{name: "Far-end hold", lines: []string{"201"}, source: "ECMA-269 §17.2.9 Held (holdingDevice is the other party)",
		steps: seq(delivered("C14", "202", "201", "201", csta.CauseNewCall, "", "201"),
			established("C14", "202", "201", "201", csta.CauseNewCall, "", "201"),
			to(&csta.HeldEvent{HeldConnection: cn("C14", "202"), HoldingDevice: dev("202")}, "201"),
			to(&csta.RetrievedEvent{RetrievedConnection: cn("C14", "202"), RetrievingDevice: dev("202")}, "201"))},
	{name: "Directed pickup (203 picks up the call ringing at 202)", lines: []string{"201", "202", "203"}, source: srcPickup,
		steps: seq(dialled("C15", "201", "202"),
			delivered("C15", "201", "202", "202", csta.CauseNewCall, "", "201", "202"),
			diverted("C15", "202", "203", "201", "202", csta.CauseCallPickup, "202", "201"),
			established("C15", "201", "203", "202", csta.CauseCallPickup, "202", "203", "201")),
		want: map[string][]string{
			"201": {"hq:1 NEWCALL origin=OUTBOUND reason=DIRECT caller=201", "hq:1 DIALTONE",
				"hq:1 INFO CALLEDID called=202", "hq:1 PROCEEDING", "hq:1 RINGBACK",
				"hq:1 INFO REDIRECTIONID,REDIRECTINGID redirecting=202 redirection=203",
				"hq:1 INFO CONNECTEDID connected=203", "hq:1 CONNECTED"},
			"202": {"hq:2 NEWCALL origin=INTERNAL reason=DIRECT caller=201 called=202", "hq:2 OFFERING",
				"hq:2 INFO REDIRECTIONID redirection=203", "hq:2 DISCONNECTED/PICKUP", "hq:2 IDLE"},
			"203": {"hq:3 NEWCALL origin=INTERNAL reason=PICKUP caller=201 called=202 connected=201 redirecting=202 redirection=203",
				"hq:3 CONNECTED"},
		}},
	{name: "Group pickup (204 takes the call ringing longest in its group, from an external caller)", lines: []string{"202", "204"}, source: srcPickup,
		steps: seq(delivered("C16", ext, "202", "202", csta.CauseNewCall, "", "202"),
			diverted("C16", "202", "204", ext, "202", csta.CauseCallPickup, "202"),
			established("C16", ext, "204", "202", csta.CauseCallPickup, "202", "204"),
			cleared("C16", ext, csta.CauseNormalClearing, "204")),
		want: map[string][]string{
			"202": {"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=202", "hq:1 OFFERING",
				"hq:1 INFO REDIRECTIONID redirection=204", "hq:1 DISCONNECTED/PICKUP", "hq:1 IDLE"},
			"204": {"hq:2 NEWCALL origin=EXTERNAL reason=PICKUP caller=+4930555123 called=202 connected=+4930555123 redirecting=202 redirection=204",
				"hq:2 CONNECTED", "hq:2 DISCONNECTED/NORMAL"},
		}},
	{name: "Deflect (lineRedirect) while ringing", lines: []string{"201", "203"}, source: "ECMA-269 §17.1.6 Deflect Call (Diverted at the deflecting device, Delivered at the new destination, cause redirected)",
		steps: seq(delivered("C17", ext, "201", "201", csta.CauseNewCall, "", "201"),
			diverted("C17", "201", "203", ext, "201", csta.CauseRedirected, "201"),
			delivered("C17", ext, "203", "201", csta.CauseRedirected, "201", "203"),
			established("C17", ext, "203", "201", csta.CauseRedirected, "201", "203")),
		want: map[string][]string{
			"201": {"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201", "hq:1 OFFERING",
				"hq:1 INFO REDIRECTIONID redirection=203", "hq:1 DISCONNECTED/FORWARDED", "hq:1 IDLE"},
			"203": {"hq:2 NEWCALL origin=EXTERNAL reason=REDIRECT caller=+4930555123 called=201 redirecting=201 redirection=203",
				"hq:2 OFFERING", "hq:2 INFO CONNECTEDID connected=+4930555123", "hq:2 CONNECTED"},
		}},
	{name: "Forward immediate", lines: []string{"201", "203"}, source: srcForward,
		steps: seq(diverted("C18", "201", "203", ext, "201", csta.CauseCallForwardImmediate, "201"),
			delivered("C18", ext, "203", "201", csta.CauseCallForwardImmediate, "201", "203")),
		want: map[string][]string{
			"201": {"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201 redirection=203",
				"hq:1 DISCONNECTED/FORWARDED", "hq:1 IDLE"},
			"203": {"hq:2 NEWCALL origin=EXTERNAL reason=FWDUNCOND caller=+4930555123 called=201 redirecting=201 redirection=203", "hq:2 OFFERING"},
		}},
	{name: "Forward on busy", lines: []string{"201", "203"}, source: srcForward,
		steps: seq(delivered("C19", "204", "201", "201", csta.CauseNewCall, "", "201"),
			established("C19", "204", "201", "201", csta.CauseNewCall, "", "201"),
			diverted("C20", "201", "203", ext, "201", csta.CauseCallForwardBusy, "201"),
			delivered("C20", ext, "203", "201", csta.CauseCallForwardBusy, "201", "203")),
		want: map[string][]string{
			"201": {"hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=204 called=201", "hq:1 OFFERING",
				"hq:1 INFO CONNECTEDID connected=204", "hq:1 CONNECTED",
				"hq:2 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201 redirection=203",
				"hq:2 DISCONNECTED/FORWARDED", "hq:2 IDLE"},
			"203": {"hq:3 NEWCALL origin=EXTERNAL reason=FWDBUSY caller=+4930555123 called=201 redirecting=201 redirection=203", "hq:3 OFFERING"},
		}},
	{name: "Forward on no answer", lines: []string{"201", "203"}, source: srcForward,
		steps: seq(delivered("C21", ext, "201", "201", csta.CauseNewCall, "", "201"),
			diverted("C21", "201", "203", ext, "201", csta.CauseCallForwardNoAnswer, "201"),
			delivered("C21", ext, "203", "201", csta.CauseCallForwardNoAnswer, "201", "203")),
		want: map[string][]string{
			"201": {"hq:1 NEWCALL origin=EXTERNAL reason=DIRECT caller=+4930555123 called=201", "hq:1 OFFERING",
				"hq:1 INFO REDIRECTIONID redirection=203", "hq:1 DISCONNECTED/FORWARDED", "hq:1 IDLE"},
			"203": {"hq:2 NEWCALL origin=EXTERNAL reason=FWDNOANSWER caller=+4930555123 called=201 redirecting=201 redirection=203", "hq:2 OFFERING"},
		}},
	{name: "Hunt group: queued, then delivered to a member", lines: []string{"201"}, source: "ECMA-269 §17.2.13a Queued and §17.2.5 Delivered (cause enteringDistribution, callCharacteristics acdCall)",
		steps: seq(
			to(&csta.QueuedEvent{EventCommon: ec(csta.CauseEnteringDistribution), QueuedConnection: cn("C22", "600"), Queue: dev("600"), CallingDevice: dev(ext), CalledDevice: dev("600"), NumberQueued: 1}, "201"),
			to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseEnteringDistribution), Connection: cn("C22", "201"), AlertingDevice: dev("201"), CallingDevice: dev(ext), CalledDevice: dev("600"), NetworkCallingDevice: dev(ext), ACDCall: true}, "201"),
			established("C22", ext, "201", "600", csta.CauseNewCall, "", "201"))},
	{name: "ACD group: an agent logs on, a call queues, is distributed, wrap-up; a caller abandons in the queue", lines: []string{"201"}, groups: []string{"600"},
		source: "ECMA-269 §22.2 agent events (agentDevice, acdGroup, pendingAgentState; reason code as private data), §17.2.13a Queued, §17.2.6 Diverted (cause distributed) and §17.2.2 Call Cleared at the group's monitor",
		steps: seq(
			agent(csta.AgentEventLoggedOn, "201", "600", "", "", "201", "600"),
			agent(csta.AgentEventNotReady, "201", "600", "", "12", "201", "600"),
			to(&csta.QueuedEvent{EventCommon: ec(csta.CauseEnteringDistribution), QueuedConnection: cn("C30", "600"), Queue: dev("600"), CallingDevice: dev(ext), CalledDevice: dev("600"), NumberQueued: 1}, "600"),
			agent(csta.AgentEventReady, "201", "600", "", "", "201", "600"),
			diverted("C30", "600", "201", ext, "600", csta.CauseDistributed, "600"),
			to(&csta.DeliveredEvent{EventCommon: ec(csta.CauseDistributed), Connection: cn("C30", "201"), AlertingDevice: dev("201"), CallingDevice: dev(ext), CalledDevice: dev("600"), LastRedirectionDevice: dev("600"), ACDCall: true}, "201"),
			agent(csta.AgentEventBusy, "201", "600", "", "", "201", "600"),
			to(&csta.QueuedEvent{EventCommon: ec(csta.CauseEnteringDistribution), QueuedConnection: cn("C31", "600"), Queue: dev("600"), CallingDevice: dev(ext), CalledDevice: dev("600"), NumberQueued: 1}, "600"),
			callCleared("C31", csta.CauseNormalClearing, "600"),
			cleared("C30", "201", csta.CauseNormalClearing, "201"),
			agent(csta.AgentEventWorkingAfterCall, "201", "600", "", "", "201", "600"),
			agent(csta.AgentEventReady, "201", "600", "", "", "201", "600")),
		want: map[string][]string{
			"201": {"AGENTSTATUS GROUP,STATE NOTREADY group=600", "QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=0 busy=0 notReady=1 wrapUp=0",
				"AGENTSTATUS STATE NOTREADY group=600 reason=12",
				"AGENTSTATUS STATE READY group=600", "QUEUESTATUS at 600 waiting=[C30] loggedOn=1 ready=1 busy=0 notReady=0 wrapUp=0",
				"hq:1 NEWCALL origin=EXTERNAL reason=REDIRECT caller=+4930555123 called=600 redirecting=600 redirection=201", "hq:1 OFFERING",
				"AGENTSTATUS STATE BUSYACD group=600", "QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=0 busy=1 notReady=0 wrapUp=0",
				"hq:1 IDLE",
				"AGENTSTATUS STATE WORKINGAFTERCALL group=600", "QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=0 busy=0 notReady=0 wrapUp=1",
				"AGENTSTATUS STATE READY group=600", "QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=1 busy=0 notReady=0 wrapUp=0"},
			"600": {"ignored:counted at the agent's line", "ignored:counted at the agent's line",
				"QUEUESTATUS at 600 waiting=[C30] loggedOn=1 ready=0 busy=0 notReady=1 wrapUp=0",
				"ignored:counted at the agent's line",
				"QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=1 busy=0 notReady=0 wrapUp=0",
				"ignored:counted at the agent's line",
				"QUEUESTATUS at 600 waiting=[C31] loggedOn=1 ready=0 busy=1 notReady=0 wrapUp=0",
				"QUEUESTATUS at 600 waiting=[] loggedOn=1 ready=0 busy=1 notReady=0 wrapUp=0",
				"ignored:counted at the agent's line", "ignored:counted at the agent's line"},
		}},
	{name: "External call over a trunk (outgoing)", lines: []string{"201"}, source: "ECMA-269 §17.2.12 Network Reached (networkInterfaceUsed is the trunk)",
		steps: seq(dialled("C23", "201", ext),
			to(&csta.NetworkReachedEvent{EventCommon: ec(csta.CauseNormal), OutboundConnection: cn("C23", ext), NetworkInterfaceUsed: dev("T1"), CallingDevice: dev("201"), CalledDevice: dev(ext)}, "201"),
			delivered("C23", "201", ext, ext, csta.CauseNewCall, "", "201"),
			established("C23", "201", ext, ext, csta.CauseNewCall, "", "201"),
			cleared("C23", ext, csta.CauseNormalClearing, "201"))},
	{name: "Two calls on one line, switch without callIDs", lines: []string{"201"}, source: "ECMA-269 §6.1.2 (callID and deviceID of a connection are optional); events placed by the line's local connection state",
		steps: seq(
			to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"), AlertingDevice: dev("201"), CallingDevice: dev("203"), CalledDevice: dev("201")}, "201"),
			to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"), AnsweringDevice: dev("201"), CallingDevice: dev("203"), CalledDevice: dev("201")}, "201"),
			to(&csta.HeldEvent{EventCommon: lci(csta.CauseNewCall, csta.StateHold), HeldConnection: own("201"), HoldingDevice: dev("201")}, "201"),
			to(&csta.DeliveredEvent{EventCommon: lci(csta.CauseNewCall, csta.StateAlerting), Connection: own("201"), AlertingDevice: dev("201"), CallingDevice: dev("204"), CalledDevice: dev("201")}, "201"),
			to(&csta.EstablishedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), EstablishedConnection: own("201"), AnsweringDevice: dev("201"), CallingDevice: dev("204"), CalledDevice: dev("201")}, "201"),
			to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateConnected), DroppedConnection: own("201"), ReleasingDevice: dev("204")}, "201"),
			to(&csta.ConnectionClearedEvent{EventCommon: lci(csta.CauseNormalClearing, csta.StateNull), DroppedConnection: own("201"), ReleasingDevice: dev("201")}, "201"),
			to(&csta.RetrievedEvent{EventCommon: lci(csta.CauseNewCall, csta.StateConnected), RetrievedConnection: own("201"), RetrievingDevice: dev("201")}, "201"))},
}

// TestScenarios checks the scenarios with pinned expectations (the pickup, forwarding,
// deflection and consult-to-conference tables).
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		if sc.want == nil {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			_, got := runGroups(t, sc.lines, sc.groups, sc.steps)
			expect(t, got, sc.want)
		})
	}
}

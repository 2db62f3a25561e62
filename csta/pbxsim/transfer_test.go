package pbxsim

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

func TestConsultationAndTransfer(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	first := f.connected("202", "201")
	resp := f.exec(&csta.ConsultationCall{ExistingCall: cid(first, "201"), ConsultedDevice: csta.Device("203")})
	second := resp.(*csta.ConsultationCallResponse).InitiatedCall.CallID
	if second == first || second == "" {
		t.Fatalf("consultation call ID %q", second)
	}
	f.expect(map[string][]string{
		"201": {"HeldEvent hold consultation", "ServiceInitiatedEvent initiated consultation",
			"OriginatedEvent connected consultation", "DeliveredEvent connected newCall"},
		"202": {"HeldEvent connected consultation"},
		"203": {"DeliveredEvent alerting newCall"},
	})
	f.exec(&csta.AnswerCall{CallToBeAnswered: cid(second, "203")})
	f.expect(map[string][]string{
		"201": {"EstablishedEvent connected newCall"},
		"203": {"EstablishedEvent connected newCall"},
	})
	tr := f.exec(&csta.TransferCall{HeldCall: cid(first, "201"), ActiveCall: cid(second, "201")})
	if got := tr.(*csta.TransferCallResponse).TransferredCall.CallID; got != first {
		t.Fatalf("transferred call %q, want the held call %q", got, first)
	}
	evs := f.expect(map[string][]string{
		"201": {"TransferedEvent null transfer"},
		"202": {"TransferedEvent connected transfer"},
		"203": {"TransferedEvent connected transfer"},
	})
	te := f.find(evs, "203", "TransferedEvent").(*csta.TransferredEvent)
	if te.PrimaryOldCall != cid(first, "201") || te.SecondaryOldCall != cid(second, "201") ||
		te.TransferringDevice.Number != "201" || te.TransferredToDevice.Number != "203" {
		t.Fatalf("Transferred: %+v", te)
	}
	if len(te.TransferredConnections) != 2 {
		t.Fatalf("transferred connections %+v", te.TransferredConnections)
	}
	moved := te.TransferredConnections[1]
	if moved.Endpoint.Number != "203" || moved.OldConnection != cid(second, "203") || moved.NewConnection != cid(first, "203") {
		t.Fatalf("moved connection %+v", moved)
	}
	c, ok := f.p.Call(first)
	if !ok || len(c.Parties) != 2 || c.Parties[0].Device != "202" || c.Parties[1].Device != "203" {
		t.Fatalf("call after transfer %+v", c)
	}
	if _, ok := f.p.Call(second); ok {
		t.Fatal("consultation call survived the transfer")
	}
	if d, _ := f.p.Device("201"); len(d.Connections) != 0 {
		t.Fatalf("transferring device still has %+v", d.Connections)
	}
}

func TestConsultationAndConference(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	first := f.connected("201", "202")
	_, err := f.p.Consult("201", "203")
	f.must(err)
	f.must(f.p.Answer("203"))
	f.rec.take()
	f.must(f.p.Conference("201"))
	evs := f.expect(map[string][]string{
		"201": {"ConferencedEvent connected conference"},
		"202": {"ConferencedEvent connected conference"},
		"203": {"ConferencedEvent connected conference"},
	})
	ce := f.find(evs, "202", "ConferencedEvent").(*csta.ConferencedEvent)
	if ce.ConferencingDevice.Number != "201" || ce.AddedParty.Number != "203" || len(ce.ConferenceConnections) != 3 {
		t.Fatalf("Conferenced: %+v", ce)
	}
	c, _ := f.p.Call(first)
	if len(c.Parties) != 3 {
		t.Fatalf("conference parties %+v", c.Parties)
	}
	// One party leaving a conference of three does not end the call.
	f.must(f.p.HangUp("203"))
	f.expect(map[string][]string{
		"201": {"ConnectionClearedEvent connected normalClearing"},
		"202": {"ConnectionClearedEvent connected normalClearing"},
		"203": {"ConnectionClearedEvent null normalClearing"},
	})
}

func TestConferenceRefusedWhileConsultedPartyRings(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	first := f.connected("201", "202")
	second, err := f.p.Consult("201", "203")
	f.must(err)
	f.refuse(&csta.ConferenceCall{HeldCall: cid(first, "201"), ActiveCall: cid(second, "201")},
		csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
}

func TestSingleStepTransfer(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	id := f.connected("202", "201")
	resp := f.exec(&csta.SingleStepTransferCall{ActiveCall: cid(id, "201"), TransferredTo: csta.Device("203")})
	if got := resp.(*csta.SingleStepTransferCallResponse).TransferredCall; got != cid(id, "203") {
		t.Fatalf("transferred call %+v", got)
	}
	evs := f.expect(map[string][]string{
		"201": {"TransferedEvent null singleStepTransfer"},
		"202": {"TransferedEvent connected singleStepTransfer", "DeliveredEvent connected singleStepTransfer"},
		"203": {"DeliveredEvent alerting singleStepTransfer"},
	})
	d := f.find(evs, "203", "DeliveredEvent").(*csta.DeliveredEvent)
	if d.LastRedirectionDevice.Number != "201" || d.CallingDevice.Number != "202" {
		t.Fatalf("Delivered after SST: %+v", d)
	}
	f.must(f.p.Answer("203"))
	f.expect(map[string][]string{
		"202": {"EstablishedEvent connected redirected"},
		"203": {"EstablishedEvent connected redirected"},
	})
}

func TestDeflect(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	id := f.makeCall("201", "202")
	f.rec.take()
	f.exec(&csta.DeflectCall{CallToBeDiverted: cid(id, "202"), NewDestination: csta.Device("203")})
	evs := f.expect(map[string][]string{
		"201": {"DivertedEvent connected redirected", "DeliveredEvent connected redirected"},
		"202": {"DivertedEvent null redirected"},
		"203": {"DeliveredEvent alerting redirected"},
	})
	dv := f.find(evs, "202", "DivertedEvent").(*csta.DivertedEvent)
	if dv.Connection != cid(id, "202") || dv.NewDestination.Number != "203" {
		t.Fatalf("Diverted: %+v", dv)
	}
	if d := f.find(evs, "203", "DeliveredEvent").(*csta.DeliveredEvent); d.LastRedirectionDevice.Number != "202" {
		t.Fatalf("Delivered lastRedirection %+v", d.LastRedirectionDevice)
	}
	f.refuse(&csta.DeflectCall{CallToBeDiverted: cid(id, "203"), NewDestination: csta.Device("12")},
		csta.ErrCatOperation, csta.ErrInvalidDestination)
}

func TestForwardImmediate(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	f.exec(&csta.SetForwarding{Device: csta.Device("202"), ForwardingType: csta.ForwardImmediate, ActivateForward: true, ForwardDN: csta.Device("203")})
	evs := f.expect(map[string][]string{"202": {"ForwardingEvent  "}})
	if fe := evs[0].(*csta.ForwardingEvent); !fe.ForwardStatus || fe.ForwardTo.Number != "203" || fe.ForwardingType != csta.ForwardImmediate {
		t.Fatalf("Forwarding event %+v", fe)
	}
	f.makeCall("201", "202")
	f.expect(map[string][]string{
		"201": {"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall",
			"DivertedEvent connected callForwardImmediate", "DeliveredEvent connected callForwardImmediate"},
		"202": {"DivertedEvent null callForwardImmediate"},
		"203": {"DeliveredEvent alerting callForwardImmediate"},
	})
	got := f.exec(&csta.GetForwarding{Device: csta.Device("202")}).(*csta.GetForwardingResponse)
	if len(got.Forwards) != 3 || !got.Forwards[0].ForwardStatus || got.Forwards[0].ForwardDN.Number != "203" || got.Forwards[1].ForwardStatus {
		t.Fatalf("GetForwarding %+v", got.Forwards)
	}
}

func TestForwardBusy(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "204")
	f.must(f.p.SetForwarding("202", csta.ForwardBusy, true, "204", 0))
	f.connected("202", "203")
	f.rec.take()
	f.makeCall("201", "202")
	f.expect(map[string][]string{
		"201": {"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall",
			"DivertedEvent connected callForwardBusy", "DeliveredEvent connected callForwardBusy"},
		"202": {"DivertedEvent null callForwardBusy"},
		"204": {"DeliveredEvent alerting callForwardBusy"},
	})
}

func TestForwardNoAnswerAfterRingTimer(t *testing.T) {
	f := newFixture(t, Config{NoAnswerTime: 20 * time.Millisecond}, "201", "202", "204")
	f.must(f.p.SetForwarding("202", csta.ForwardNoAns, true, "204", 0))
	f.rec.take()
	f.makeCall("201", "202")
	f.waitEvents(8)
	f.expect(map[string][]string{
		"201": {"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall", "DeliveredEvent connected newCall",
			"DivertedEvent connected callForwardNoAnswer", "DeliveredEvent connected callForwardNoAnswer"},
		"202": {"DeliveredEvent alerting newCall", "DivertedEvent null callForwardNoAnswer"},
		"204": {"DeliveredEvent alerting callForwardNoAnswer"},
	})
}

func TestForwardingLoopIsCut(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	f.must(f.p.SetForwarding("202", csta.ForwardImmediate, true, "203", 0))
	f.must(f.p.SetForwarding("203", csta.ForwardImmediate, true, "202", 0))
	f.makeCall("201", "202")
	evs := f.rec.take()
	if last := evs[len(evs)-1]; last.MessageName() != "DeliveredEvent" {
		t.Fatalf("loop ended with %s", summary(last))
	}
	// SI, Originated, one Diverted per hop, then the last device alerts.
	if len(evs) != 2+maxRedirects+1 {
		t.Fatalf("%d events for a forwarding loop", len(evs))
	}
}

func TestForwardingRefusals(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	f.refuse(&csta.SetForwarding{Device: csta.Device("201"), ForwardingType: csta.ForwardImmediate, ActivateForward: true, ForwardDN: csta.Device("201")},
		csta.ErrCatOperation, csta.ErrInvalidForwardingDestination)
	f.refuse(&csta.SetForwarding{Device: csta.Device("201"), ForwardingType: csta.ForwardImmediate, ActivateForward: true, ForwardDN: csta.Device("77")},
		csta.ErrCatOperation, csta.ErrInvalidForwardingDestination)
	f.refuse(&csta.SetForwarding{Device: csta.Device("201"), ForwardingType: "forwardSometimes", ActivateForward: true, ForwardDN: csta.Device("202")},
		csta.ErrCatOperation, "valueOutOfRange")
	f.refuse(&csta.SetForwarding{Device: csta.Device("0301234"), ForwardingType: csta.ForwardImmediate},
		csta.ErrCatOperation, csta.ErrInvalidDeviceID)
	f.expect(nil)
}

func TestDoNotDisturb(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	f.exec(&csta.SetDoNotDisturb{Device: csta.Device("202"), DoNotDisturbOn: true})
	f.expect(map[string][]string{"202": {"DoNotDisturbEvent  "}})
	f.makeCall("201", "202")
	f.expect(map[string][]string{"201": {
		"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall", "FailedEvent fail doNotDisturb",
	}})
	f.must(f.p.HangUp("201"))
	f.must(f.p.SetDoNotDisturb("202", false))
	f.expect(map[string][]string{
		"201": {"ConnectionClearedEvent null normalClearing", "CallClearedEvent null normalClearing"},
		"202": {"DoNotDisturbEvent  "},
	})
}

func TestHuntGroupQueuesWhenAllBusy(t *testing.T) {
	f := newFixture(t, Config{HuntGroups: []HuntGroup{{Number: "500", Members: []string{"201", "202"}}}}, "500", "201", "202")
	id1, err := f.p.IncomingCall("+4930111111", "500")
	f.must(err)
	f.expect(map[string][]string{"201": {"DeliveredEvent alerting enteringDistribution"}})
	_, err = f.p.IncomingCall("+4930222222", "500")
	f.must(err)
	f.expect(map[string][]string{"202": {"DeliveredEvent alerting enteringDistribution"}})
	id3, err := f.p.IncomingCall("+4930333333", "500")
	f.must(err)
	evs := f.expect(map[string][]string{"500": {"QueuedEvent queued enteringDistribution"}})
	if q := evs[0].(*csta.QueuedEvent); q.NumberQueued != 1 || q.QueuedConnection != cid(id3, "500") {
		t.Fatalf("Queued: %+v", q)
	}
	// 201's caller gives up: 201 is free and gets the queued call; the group sees it leave.
	f.must(f.p.HangUp("+4930111111"))
	evs = f.expect(map[string][]string{
		"201": {"ConnectionClearedEvent alerting normalClearing", "CallClearedEvent null normalClearing", "DeliveredEvent alerting enteringDistribution"},
		"500": {"DivertedEvent null distributed"},
	})
	for _, ev := range evs {
		switch e := ev.(type) {
		case *csta.DeliveredEvent:
			if e.Connection.CallID != id3 || !e.ACDCall || e.CalledDevice.Number != "500" {
				t.Fatalf("Delivered from queue: %+v (first call %s)", e, id1)
			}
		case *csta.DivertedEvent:
			if e.Connection.CallID != id3 || e.NewDestination.Number != "201" {
				t.Fatalf("Diverted from the queue: %+v", e)
			}
		}
	}
	if h, _ := f.p.Device("500"); h.Queued != 0 {
		t.Fatalf("queue length %d", h.Queued)
	}
}

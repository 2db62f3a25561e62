package pbxsim

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

func TestInternalCallMakeCallAnswerClear(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	id := f.makeCall("201", "202")
	evs := f.expect(map[string][]string{
		"201": {"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall", "DeliveredEvent connected newCall"},
		"202": {"DeliveredEvent alerting newCall"},
	})
	d := f.find(evs, "202", "DeliveredEvent").(*csta.DeliveredEvent)
	if d.Connection != cid(id, "202") || d.CallingDevice.Number != "201" || d.AlertingDevice.Number != "202" {
		t.Fatalf("Delivered at 202: %+v", d)
	}
	f.exec(&csta.AnswerCall{CallToBeAnswered: cid(id, "202")})
	f.expect(map[string][]string{
		"201": {"EstablishedEvent connected newCall"},
		"202": {"EstablishedEvent connected newCall"},
	})
	f.exec(&csta.ClearConnection{ConnectionToBeCleared: cid(id, "201")})
	f.expect(map[string][]string{
		"201": {"ConnectionClearedEvent null normalClearing"},
		"202": {"ConnectionClearedEvent connected normalClearing", "CallClearedEvent null normalClearing"},
	})
	if tr := f.p.Truth(); len(tr.Calls) != 0 {
		t.Fatalf("calls left: %+v", tr.Calls)
	}
}

func TestInboundExternalCall(t *testing.T) {
	f := newFixture(t, Config{DecorateExternal: true}, "201")
	id, err := f.p.IncomingCall("+4930123456", "201")
	f.must(err)
	evs := f.expect(map[string][]string{"201": {"DeliveredEvent alerting newCall"}})
	d := f.find(evs, "201", "DeliveredEvent").(*csta.DeliveredEvent)
	if d.CallingDevice.Raw != "N<+4930123456>;noa=nk" || d.CallingDevice.Number != "+4930123456" {
		t.Fatalf("calling device not decorated like OSV: %+v", d.CallingDevice)
	}
	if d.Connection.CallID != id {
		t.Fatalf("call ID %q, want %q", d.Connection.CallID, id)
	}
	f.must(f.p.Answer("201"))
	f.expect(map[string][]string{"201": {"EstablishedEvent connected newCall"}})
	f.must(f.p.HangUp("+4930123456"))
	f.expect(map[string][]string{"201": {"ConnectionClearedEvent connected normalClearing", "CallClearedEvent null normalClearing"}})
}

func TestOutboundExternalCall(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	_, err := f.p.Dial("201", "0301234567")
	f.must(err)
	evs := f.expect(map[string][]string{"201": {
		"ServiceInitiatedEvent initiated newCall", "OriginatedEvent connected newCall",
		"NetworkReachedEvent connected normal", "DeliveredEvent connected newCall",
	}})
	nr := f.find(evs, "201", "NetworkReachedEvent").(*csta.NetworkReachedEvent)
	if nr.NetworkInterfaceUsed.Number != "T1" || nr.CalledDevice.Number != "0301234567" {
		t.Fatalf("NetworkReached: %+v", nr)
	}
	f.must(f.p.Answer("0301234567"))
	f.expect(map[string][]string{"201": {"EstablishedEvent connected newCall"}})
	f.must(f.p.HangUp("201"))
	f.expect(map[string][]string{"201": {"ConnectionClearedEvent null normalClearing"}})
	if _, ok := f.p.Device("0301234567"); ok {
		t.Fatal("external party still known after the call")
	}
}

func TestOutboundFarEndBusy(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	f.must(f.p.SetBusy("0301234567", true))
	_, err := f.p.Dial("201", "0301234567")
	f.must(err)
	f.expect(map[string][]string{"201": {
		"ServiceInitiatedEvent initiated newCall", "OriginatedEvent connected newCall",
		"NetworkReachedEvent connected normal", "FailedEvent fail busy",
	}})
	f.must(f.p.HangUp("201"))
	f.expect(map[string][]string{"201": {"ConnectionClearedEvent null normalClearing", "CallClearedEvent null normalClearing"}})
}

func TestBusyExtension(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	f.connected("202", "203")
	f.rec.take()
	f.makeCall("201", "202")
	evs := f.expect(map[string][]string{"201": {
		"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall", "FailedEvent fail busy",
	}})
	fe := f.find(evs, "201", "FailedEvent").(*csta.FailedEvent)
	if fe.FailingDevice.Number != "202" {
		t.Fatalf("failing device %+v", fe.FailingDevice)
	}
}

func TestNoAnswerCallerGivesUp(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	f.makeCall("201", "202")
	f.rec.take()
	f.must(f.p.HangUp("201"))
	f.expect(map[string][]string{
		"201": {"ConnectionClearedEvent null normalClearing"},
		"202": {"ConnectionClearedEvent alerting normalClearing", "CallClearedEvent null normalClearing"},
	})
}

func TestHoldRetrieve(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	id := f.connected("201", "202")
	f.exec(&csta.HoldCall{CallToBeHeld: cid(id, "201")})
	f.expect(map[string][]string{"201": {"HeldEvent hold normal"}, "202": {"HeldEvent connected normal"}})
	f.exec(&csta.RetrieveCall{CallToBeRetrieved: cid(id, "201")})
	f.expect(map[string][]string{"201": {"RetrievedEvent connected normal"}, "202": {"RetrievedEvent connected normal"}})
	// The person presses the keys too.
	f.must(f.p.Hold("202"))
	f.expect(map[string][]string{"201": {"HeldEvent connected normal"}, "202": {"HeldEvent hold normal"}})
	f.must(f.p.Retrieve("202"))
	f.expect(map[string][]string{"201": {"RetrievedEvent connected normal"}, "202": {"RetrievedEvent connected normal"}})
}

func TestTwoCallsOnOneDevice(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	first := f.connected("201", "202")
	f.must(f.p.Hold("201"))
	second := f.makeCall("201", "203")
	f.exec(&csta.AnswerCall{CallToBeAnswered: cid(second, "203")})
	f.rec.take()
	snap := f.exec(&csta.SnapshotDevice{SnapshotObject: csta.Device("201")}).(*csta.SnapshotDeviceResponse)
	if len(snap.Items) != 2 {
		t.Fatalf("snapshot items %+v", snap.Items)
	}
	got := map[string]csta.LocalConnectionState{}
	for _, it := range snap.Items {
		got[it.Connection.CallID] = it.State()
	}
	if got[first] != csta.StateHold || got[second] != csta.StateConnected {
		t.Fatalf("snapshot states %v", got)
	}
	// Retrieving while the other call is connected is refused, as on a real phone.
	f.refuse(&csta.RetrieveCall{CallToBeRetrieved: cid(first, "201")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidObjectState)
	f.exec(&csta.ClearConnection{ConnectionToBeCleared: cid(second, "201")})
	f.exec(&csta.RetrieveCall{CallToBeRetrieved: cid(first, "201")})
	f.expect(map[string][]string{"201": {"ConnectionClearedEvent null normalClearing", "RetrievedEvent connected normal"}})
}

func TestSnapshotCall(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	id := f.makeCall("201", "202")
	snap := f.exec(&csta.SnapshotCall{SnapshotObject: cid(id, "")}).(*csta.SnapshotCallResponse)
	if len(snap.Items) != 2 || snap.Items[0].Device.Number != "201" || snap.Items[0].State != csta.StateConnected ||
		snap.Items[1].Device.Number != "202" || snap.Items[1].State != csta.StateAlerting {
		t.Fatalf("snapshot call %+v", snap.Items)
	}
	f.refuse(&csta.SnapshotCall{SnapshotObject: cid("FF00010000000000FF0000000000FFFF", "")}, csta.ErrCatOperation, csta.ErrInvalidCallID)
	f.refuse(&csta.SnapshotDevice{SnapshotObject: csta.Device("999")}, csta.ErrCatOperation, csta.ErrInvalidDeviceID)
	idle := f.exec(&csta.SnapshotDevice{SnapshotObject: csta.Device("205")}).(*csta.SnapshotDeviceResponse)
	if len(idle.Items) != 0 {
		t.Fatalf("idle device snapshot %+v", idle.Items)
	}
}

func TestImpossibleRequestsGetCSTAErrors(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	id := f.connected("201", "202")
	f.refuse(&csta.AnswerCall{CallToBeAnswered: cid(id, "202")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
	f.refuse(&csta.HoldCall{CallToBeHeld: cid("FF00010000000000FF0000000000FFFF", "205")}, csta.ErrCatOperation, csta.ErrInvalidCallID)
	f.refuse(&csta.HoldCall{CallToBeHeld: cid(id, "205")}, csta.ErrCatOperation, csta.ErrInvalidConnectionID)
	f.refuse(&csta.RetrieveCall{CallToBeRetrieved: cid(id, "201")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
	f.refuse(&csta.MakeCall{CallingDevice: csta.Device("999"), CalledDirectoryNumber: csta.Device("201")}, csta.ErrCatOperation, csta.ErrInvalidCallingDeviceID)
	f.refuse(&csta.MakeCall{CallingDevice: csta.Device("203"), CalledDirectoryNumber: csta.Device("99")}, csta.ErrCatOperation, csta.ErrInvalidCalledDeviceID)
	f.refuse(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("203")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidObjectState)
	f.refuse(&csta.MonitorStart{MonitorObject: csta.Device("999")}, csta.ErrCatOperation, csta.ErrInvalidMonitorObject)
	f.refuse(&csta.MonitorStop{MonitorCrossRefID: "42"}, csta.ErrCatOperation, csta.ErrInvalidMonitorCrossRefID)
	f.refuse(&csta.GenerateDigits{ConnectionToSendDigits: cid(id, "201"), CharactersToSend: "12x"}, csta.ErrCatOperation, "valueOutOfRange")
	f.exec(&csta.GenerateDigits{ConnectionToSendDigits: cid(id, "201"), CharactersToSend: "12*#"})
	f.refuse(&csta.DeflectCall{CallToBeDiverted: cid(id, "202"), NewDestination: csta.Device("203")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
	f.refuse(&csta.StartApplicationSession{}, csta.ErrCatOperation, csta.ErrRequestedServiceNotSupported)
	if tr := f.p.Truth(); len(tr.Calls) != 1 {
		t.Fatalf("refused requests changed the model: %+v", tr.Calls)
	}
	f.expect(nil)
}

func TestMonitorStopEndsEvents(t *testing.T) {
	f := newFixture(t, Config{}, "201")
	var ref csta.MonitorCrossRefID
	for r := range f.rec.refs {
		ref = r
	}
	f.exec(&csta.MonitorStop{MonitorCrossRefID: ref})
	f.makeCall("201", "202")
	f.expect(nil)
	if d, _ := f.p.Device("201"); d.Monitors != 0 {
		t.Fatalf("monitors %d", d.Monitors)
	}
}

func TestControlErrorsAreSpecific(t *testing.T) {
	f := newFixture(t, Config{})
	for name, err := range map[string]error{
		"answer idle":   f.p.Answer("201"),
		"hold idle":     f.p.Hold("201"),
		"hangup idle":   f.p.HangUp("201"),
		"dial unknown":  func() error { _, err := f.p.Dial("201", "99"); return err }(),
		"dial from ext": func() error { _, err := f.p.Dial("+4930111", "201"); return err }(),
		"incoming bad":  func() error { _, err := f.p.IncomingCall("201", "202"); return err }(),
	} {
		var ce *ControlError
		if err == nil || !asControl(err, &ce) || ce.Reason == "" {
			t.Errorf("%s: got %v, want a ControlError", name, err)
		}
	}
}

func asControl(err error, target **ControlError) bool {
	ce, ok := err.(*ControlError)
	*target = ce
	return ok
}

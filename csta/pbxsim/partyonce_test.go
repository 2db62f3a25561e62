package pbxsim

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

// A device is in a call once. A caller that put its ringing-out call on hold is not busy, but
// deflecting the call to it would ring it with its own call: refused, nothing changes.
func TestDeflectToTheCallersOwnDeviceIsRefused(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	id := f.makeCall("201", "202")
	f.exec(&csta.HoldCall{CallToBeHeld: cid(id, "201")})
	f.rec.take()
	f.refuse(&csta.DeflectCall{CallToBeDiverted: cid(id, "202"), NewDestination: csta.Device("201")},
		csta.ErrCatOperation, csta.ErrInvalidDestination)
	f.expect(nil)
	c, _ := f.p.Call(id)
	if len(c.Parties) != 2 || c.Parties[1].Device != "202" || c.Parties[1].State != csta.StateAlerting {
		t.Fatalf("call after the refusal: %+v", c)
	}
}

// Forwarding to the call's own caller is not applied: the call rings at the forwarding device.
func TestForwardingToTheCallerIsNotApplied(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	f.must(f.p.SetForwarding("202", csta.ForwardImmediate, true, "201", 0))
	f.rec.take()
	id := f.makeCall("201", "202")
	f.expect(map[string][]string{
		"201": {"ServiceInitiatedEvent initiated makeCall", "OriginatedEvent connected makeCall", "DeliveredEvent connected newCall"},
		"202": {"DeliveredEvent alerting newCall"},
	})
	if c, _ := f.p.Call(id); len(c.Parties) != 2 || c.Parties[1].Device != "202" {
		t.Fatalf("call: %+v", c)
	}
	if d, _ := f.p.Device("201"); len(d.Connections) != 1 {
		t.Fatalf("201 rings with a call: %+v", d.Connections)
	}
}

// A single-step transfer to a party of the call is refused (it would be in the call twice).
func TestSingleStepTransferToAPartyIsRefused(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202")
	id := f.connected("201", "202")
	f.refuse(&csta.SingleStepTransferCall{ActiveCall: cid(id, "202"), TransferredTo: csta.Device("201")},
		csta.ErrCatOperation, csta.ErrInvalidDestination)
	f.expect(nil)
}

// A call that still rings out has nobody to hand over: a single-step transfer by its caller
// would leave two ringing devices and nobody connected. Refused; the call rings on.
func TestSingleStepTransferOfAnUnansweredCallIsRefused(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	id := f.makeCall("201", "202")
	f.rec.take()
	f.refuse(&csta.SingleStepTransferCall{ActiveCall: cid(id, "201"), TransferredTo: csta.Device("203")},
		csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
	f.expect(nil)
	c, _ := f.p.Call(id)
	if len(c.Parties) != 2 || c.Parties[0].State != csta.StateConnected || c.Parties[1].State != csta.StateAlerting {
		t.Fatalf("call after the refusal: %+v", c)
	}
}

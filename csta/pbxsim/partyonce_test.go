package pbxsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
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

// No-answer forwarding to the caller, who held its ringing-out call, is not applied when the
// ring timer runs out: the call rings on at the forwarding device.
func TestNoAnswerForwardingToTheCallerIsNotApplied(t *testing.T) {
	f := newFixture(t, Config{NoAnswerTime: time.Millisecond}, "201", "202")
	f.must(f.p.SetForwarding("202", csta.ForwardNoAns, true, "201", 0))
	// Call and hold under p.mu, so the ring timer cannot run out before the hold.
	f.p.mu.Lock()
	cn, err := f.p.originate(f.p.devices["201"], csta.CauseNewCall)
	f.must(err)
	f.must(f.p.dial(cn, f.p.devices["202"], csta.CauseNewCall))
	f.must(f.p.hold(cn, csta.CauseNormal))
	id := cn.call.id
	f.p.mu.Unlock()
	f.rec.take()
	testkit.EventuallyNil(t, "the ring timer ran out", func() error {
		f.p.mu.Lock()
		defer f.p.mu.Unlock()
		c := f.p.calls[mustCallNum(t, id)]
		if c == nil {
			return nil // ended: expect below reports how
		}
		// Gone from the call: forwarded, which expect below reports.
		if cn := c.connOf(f.p.devices["202"]); cn != nil && cn.noAnswer != nil {
			return fmt.Errorf("202's ring timer still runs")
		}
		return nil
	})
	f.expect(nil)
	if d, _ := f.p.Device("201"); len(d.Connections) != 1 {
		t.Fatalf("201 rings with its own call: %+v", d.Connections)
	}
}

func mustCallNum(t *testing.T, id string) uint64 {
	n, ok := parseCallID(id)
	if !ok {
		t.Fatalf("call ID %q", id)
	}
	return n
}

// A hunt group skips a member that is a party of the waiting call (a member that called its
// own group and held the call): it would ring with its own call.
func TestHuntGroupSkipsAMemberInTheCall(t *testing.T) {
	f := newFixture(t, Config{HuntGroups: []HuntGroup{{Number: "500", Members: []string{"201"}}}}, "201", "500")
	id, err := f.p.Dial("201", "500")
	f.must(err)
	f.must(f.p.Hold("201"))
	f.connected("205", "206")
	f.must(f.p.HangUp("205")) // a call ending anywhere serves the queues
	f.rec.take()
	if d, _ := f.p.Device("201"); len(d.Connections) != 1 {
		t.Fatalf("201 rings with its own call: %+v", d.Connections)
	}
	if c, _ := f.p.Call(id); len(c.Parties) != 2 || c.Parties[1].Device != "500" {
		t.Fatalf("call: %+v", c)
	}
}

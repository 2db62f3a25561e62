package cti

import (
	"fmt"
	"github.com/ctibridge/ctibridge/csta"
	"testing"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/tapi"
)

// groupPickup: 201 picks up the call ringing longest in its pickup group, with and without
// naming the group; the picked-from line ends the call with DISCONNECTED/PICKUP.
func TestGroupPickupCommand(t *testing.T) {
	s := newSimWith(t, func(c *pbxsim.Config) {
		c.PickupGroups = []pbxsim.PickupGroup{{Number: "8001", Members: []string{"201", "202", "203"}}}
	}, "200-209")
	b := startBridge(t, nil, "i1", s.pbxConfig("200-209"), nil)
	waitFor(t, "link up", b.activeIs("primary"))
	f := &cmdFixture{t: t, s: s, b: b}
	f.ok(Request{Op: OpMakeCall, Line: "hq/200", Number: "202"})
	ringing := f.callIn("202", tapi.LINECALLSTATE_OFFERING)
	f.ok(Request{Op: OpMakeCall, Line: "hq/204", Number: "203"})
	f.callIn("203", tapi.LINECALLSTATE_OFFERING)

	rep := f.ok(Request{Op: OpGroupPickup, Line: "hq/201"})
	c := f.callIn("201", tapi.LINECALLSTATE_CONNECTED)
	if rep.Handle != c.Handle || c.CallID != ringing.CallID || c.Info.Reason != tapi.LINECALLREASON_PICKUP {
		t.Fatalf("group pickup: reply %s, call %+v; want the call from 200 that rang first", rep.Handle, c)
	}
	waitFor(t, "202 idle", func() error { return noCalls(b, "hq/202") })
	b.rec.checkSequences(t)
	f.refusedByPBX(Request{Op: OpGroupPickup, Line: "hq/205"}, tapi.LINEERR_BADDEVICEID,
		"the PBX knows no pickup group for this line or number", csta.ErrCatOperation, csta.ErrInvalidDeviceID)
	f.ok(Request{Op: OpGroupPickup, Line: "hq/202", Number: "8001"})
	f.callIn("202", tapi.LINECALLSTATE_CONNECTED)
	f.refusedByPBX(Request{Op: OpGroupPickup, Line: "hq/206", Number: "201"}, tapi.LINEERR_INVALCALLSTATE,
		"no call is ringing in the pickup group", csta.ErrCatStateIncompatibility, csta.ErrNoCallToAnswer)
	waitFor(t, "bridge equals the PBX", b.matchesTruth(s, s.primary, []string{"200", "201", "202", "203", "204"}))
}

// A switch without CSTA pickup services refuses DirectedPickupCall as not supported; the
// bridge then deflects the ringing call to the picking line, which rings, and sends
// DeflectCall straight away from then on. groupPickup has no fallback and reports the refusal.
func TestPickupFallsBackToDeflect(t *testing.T) {
	s, pc := newMinimalSim(t, "200-209")
	pc.Devices = []string{"200-209"}
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "link up", b.activeIs("primary"))
	f := &cmdFixture{t: t, s: s, b: b}
	for i, ringingAt := range []string{"202", "203"} {
		f.ok(Request{Op: OpMakeCall, Line: "hq/200", Number: ringingAt})
		f.callIn(ringingAt, tapi.LINECALLSTATE_OFFERING)
		f.ok(Request{Op: OpPickup, Line: "hq/20" + string(rune('5'+i)), Number: ringingAt})
		picked := f.callIn("20"+string(rune('5'+i)), tapi.LINECALLSTATE_OFFERING)
		if picked.Info.Reason != tapi.LINECALLREASON_REDIRECT {
			t.Errorf("deflected pickup: reason %v", picked.Info.Reason)
		}
		waitFor(t, ringingAt+" idle", func() error { return noCalls(b, "hq/"+ringingAt) })
		if err := s.p.HangUp("200"); err != nil {
			t.Fatal(err)
		}
	}
	if !b.e.pbxs["hq"].own.Load().rt.noDirectedPickup.Load() {
		t.Error("the refusal was not remembered")
	}
	f.refusedByPBX(Request{Op: OpGroupPickup, Line: "hq/201"}, tapi.LINEERR_OPERATIONUNAVAIL,
		"this PBX does not offer group pickup", csta.ErrCatOperation, "")
	waitFor(t, "states", b.statesMatchTruth(s, "200", "202", "203", "205", "206"))
}

// noCalls reports an error while the line still has calls.
func noCalls(b *bridge, line string) error {
	if cs := b.e.Calls(line); len(cs) != 0 {
		return fmt.Errorf("%s has calls %+v", line, cs)
	}
	return nil
}

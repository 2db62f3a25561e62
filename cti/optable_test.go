package cti

import (
	"context"
	"reflect"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// TestBuildFollowsTheOpTable builds every op of wire.Ops from a request with exactly the
// members the table says it takes, and checks that build sends the table's CSTA service (and
// its fallback), and that the reply names a new call exactly for the ops the table says.
func TestBuildFollowsTheOpTable(t *testing.T) {
	p := &pbx{cfg: PBXConfig{Name: "hq"}, extSet: map[string]bool{"200": true, "201": true}, view: newView()}
	p.view.reset([]tapi.Line{{Name: "hq/200"}, {Name: "hq/201"}}, []tapi.Call{
		{Handle: "hq:1", Line: "hq/200", CallID: "c1", CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD}},
		{Handle: "hq:2", Line: "hq/200", CallID: "c2", CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}},
		{Handle: "hq:3", Line: "hq/201", CallID: "c3", CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING}},
	}, store.Position{})
	o := &router{term: &term{p: p, ctx: context.Background()}}
	noCallPtr := reflect.ValueOf(noCall).Pointer()
	for _, spec := range wire.Ops {
		req := Request{Op: spec.Op, Line: "hq/200"}
		if spec.Handle != wire.Refused {
			req.Handle = "hq:1"
		}
		if spec.Handle2 != wire.Refused {
			req.Handle2 = "hq:2"
		}
		switch spec.Number {
		case wire.Destination, wire.ForwardTo:
			req.Number = "300"
		case wire.Digits:
			req.Number = "12ab"
		case wire.RingingLine:
			req.Number = "201"
		}
		if spec.Takes(wire.FieldForwardMode) {
			req.ForwardMode = "LINEFORWARDMODE_UNCOND"
		}
		if spec.Takes(wire.FieldEnable) {
			req.Enable = true
		}
		if spec.Takes(wire.FieldAgentState) {
			req.AgentState = "notReady"
		}
		services := []string{spec.Service}
		if spec.Fallback != "" {
			services = append(services, spec.Fallback)
		}
		for i, want := range services {
			o.noDirectedPickup.Store(i > 0)
			msg, wantCall, cerr := o.build(context.Background(), "200", req)
			if cerr != nil {
				t.Errorf("%s: %v", spec.Op, cerr)
				continue
			}
			if got := msg.MessageName(); got != want {
				t.Errorf("%s sends %s, the op table says %s", spec.Op, got, want)
			}
			if newCall := reflect.ValueOf(wantCall).Pointer() != noCallPtr; newCall != spec.NewCall {
				t.Errorf("%s: reply names a new call: %v, the op table says %v", spec.Op, newCall, spec.NewCall)
			}
			if d, ok := msg.(*csta.GenerateDigits); ok && d.CharactersToSend != "12AB" {
				t.Errorf("generateDigits sends %q, want 12AB", d.CharactersToSend)
			}
		}
	}
	if len(builders) != len(wire.Ops) {
		t.Errorf("cti builds %d ops, wire.Ops has %d: every builder needs a row of the table", len(builders), len(wire.Ops))
	}
	if _, _, cerr := o.build(context.Background(), "200", Request{Op: "park", Line: "hq/200"}); cerr == nil || cerr.code != tapi.LINEERR_OPERATIONUNAVAIL {
		t.Errorf("an op outside the table: %v", cerr)
	}
}

package reducer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// The actions of TestMinimalTrafficNeverSilentlyWrong: people at the phones, and (features)
// the switch's features a CTI application or a phone's keys use.

// randomAction does what a person at a phone does (as the engine's TestProfileTraffic);
// refusals are part of the game.
func (h *truthHarness) randomAction(rng *rand.Rand) string {
	x, y := h.exts[rng.IntN(len(h.exts))], h.exts[rng.IntN(len(h.exts))]
	p := h.p
	switch r := rng.IntN(100); {
	case r < 22:
		_, _ = p.Dial(x, y)
		return "dial " + x + " " + y
	case r < 30:
		from := fmt.Sprintf("+4930555%04d", rng.IntN(10000))
		_, _ = p.IncomingCall(from, x)
		return "incoming " + from + " " + x
	case r < 52:
		_ = p.Answer(x)
		return "answer " + x
	case r < 60:
		_ = p.Hold(x)
		return "hold " + x
	case r < 66:
		_ = p.Retrieve(x)
		return "retrieve " + x
	case r < 72:
		_, _ = p.Consult(x, y)
		return "consult " + x + " " + y
	case r < 76:
		_ = p.Transfer(x)
		return "transfer " + x
	case r < 79:
		_ = p.Conference(x)
		return "conference " + x
	}
	_ = p.HangUp(x)
	return "hangup " + x
}

// featureAction is randomAction with the features among the calls: forwarding (immediate,
// busy), do not disturb, a busy phone, and the CSTA services a CTI
// application uses on a switch without callIDs (deflect a ringing call, single-step
// transfer, clear a connection): diversions, redirections and calls ended from outside.
// Hunt groups are left out: the simulator's group offered a call to a member with a
// Delivered after its truth no longer had the call (seen in features/seed58, with
// ClearConnection at a member), which no reducer can follow.
func (h *truthHarness) featureAction(rng *rand.Rand) string {
	x, y := h.exts[rng.IntN(len(h.exts))], h.exts[rng.IntN(len(h.exts))]
	p := h.p
	switch r := rng.IntN(100); {
	case r < 5:
		on := rng.IntN(2) == 0
		ft := []csta.ForwardingType{csta.ForwardImmediate, csta.ForwardBusy}[rng.IntN(2)]
		_ = p.SetForwarding(x, ft, on, y, 0)
		return fmt.Sprintf("forward %s %s %v %s", x, ft, on, y)
	case r < 8:
		on := rng.IntN(2) == 0
		_ = p.SetDoNotDisturb(x, on)
		return fmt.Sprintf("dnd %s %v", x, on)
	case r < 11:
		on := rng.IntN(3) == 0
		_ = p.SetBusy(x, on)
		return fmt.Sprintf("busy %s %v", x, on)
	case r < 22:
		if h.inCallWith(x, y) {
			return "deflect " + x + " " + y + " (a party)"
		}
		h.request(&csta.DeflectCall{CallToBeDiverted: csta.ConnectionID{DeviceID: csta.Device(x)}, NewDestination: csta.Device(y)})
		return "deflect " + x + " " + y
	case r < 26:
		if !h.talking(x) {
			return "single-step-transfer " + x + " (not talking or the caller)"
		}
		h.request(&csta.SingleStepTransferCall{ActiveCall: csta.ConnectionID{DeviceID: csta.Device(x)}, TransferredTo: csta.Device(y)})
		return "single-step-transfer " + x + " " + y
	case r < 30:
		h.request(&csta.ClearConnection{ConnectionToBeCleared: csta.ConnectionID{DeviceID: csta.Device(x)}})
		return "clear-connection " + x
	}
	return h.randomAction(rng)
}

// request sends a CSTA service request; a refusal is part of the game.
func (h *truthHarness) request(m csta.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = h.cc.Request(ctx, m)
}

// talking reports whether ext is connected, not as the caller, in a call another party is
// connected in too. A single-step transfer of a call still ringing out would leave a call of
// two ringing devices, which no switch makes; one by the caller leaves a call whose events
// name the transferring device as calling device, which the reducer then shows as the
// caller and connected party of the transferred-to line (the same with callIDs: not a
// placement question, left out here).
func (h *truthHarness) talking(ext string) bool {
	d, _ := h.p.Device(ext)
	for _, cn := range d.Connections {
		if cn.State != csta.StateConnected {
			continue
		}
		c, _ := h.p.Call(cn.CallID)
		if c.Calling == ext {
			return false
		}
		for _, pt := range c.Parties {
			if pt.Device != ext && pt.State == csta.StateConnected {
				return true
			}
		}
	}
	return false
}

// inCallWith reports whether y is a party of a call ext is in: the simulator deflects a call
// to its own caller, which then rings itself, as no switch does.
func (h *truthHarness) inCallWith(ext, y string) bool {
	d, _ := h.p.Device(ext)
	for _, cn := range d.Connections {
		c, _ := h.p.Call(cn.CallID)
		for _, pt := range c.Parties {
			if pt.Device == y {
				return true
			}
		}
	}
	return false
}

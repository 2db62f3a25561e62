package reducer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// The actions of TestMinimalTrafficNeverSilentlyWrong: people at the phones, and (features)
// the switch's features a CTI application or a phone's keys use.

// randomAction does what a person at a phone does (pbxsim's PersonAction, as the engine's
// TestProfileTraffic).
func (h *truthHarness) randomAction(rng *rand.Rand) string { return h.p.PersonAction(rng, h.exts) }

// featureAction is randomAction with the features among the calls: forwarding (immediate,
// busy), do not disturb, a busy phone, and the CSTA services a CTI
// application uses on a switch without callIDs (deflect a ringing call, single-step
// transfer, clear a connection): diversions, redirections and calls ended from outside.
// Calls to hunt group 500 (members 207-209) hunt, queue while every member is busy, and
// leave the queue for a member that becomes free.
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
		if h.callerLeft(x) || h.inConference(x) {
			return "deflect " + x + " (its call's caller left, or a conference)"
		}
		h.request(&csta.DeflectCall{CallToBeDiverted: csta.ConnectionID{DeviceID: csta.Device(x)}, NewDestination: csta.Device(y)})
		return "deflect " + x + " " + y
	case r < 26:
		if !h.callerStays(x) {
			return "single-step-transfer " + x + " (the caller or its caller left)"
		}
		h.request(&csta.SingleStepTransferCall{ActiveCall: csta.ConnectionID{DeviceID: csta.Device(x)}, TransferredTo: csta.Device(y)})
		return "single-step-transfer " + x + " " + y
	case r < 30:
		h.request(&csta.ClearConnection{ConnectionToBeCleared: csta.ConnectionID{DeviceID: csta.Device(x)}})
		return "clear-connection " + x
	case r < 33:
		_, _ = p.Dial(x, huntPilot)
		return "dial " + x + " " + huntPilot
	case r < 35:
		from := fmt.Sprintf("+4930555%04d", rng.IntN(10000))
		_, _ = p.IncomingCall(from, huntPilot)
		return "incoming " + from + " " + huntPilot
	case r < 38:
		h.request(&csta.ClearConnection{ConnectionToBeCleared: csta.ConnectionID{DeviceID: csta.Device(x)}})
		return "clear-connection " + x
	}
	return h.randomAction(rng)
}

// huntPilot is the hunt group of the features mix.
const huntPilot = "500"

// request sends a CSTA service request; a refusal is part of the game.
func (h *truthHarness) request(m csta.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = h.cc.Request(ctx, m)
}

// callerStays reports whether ext is connected, not as the caller, in a call its caller is
// still in. A call redirected by single-step transfer or deflection has events naming its
// calling device as callingDevice even when that device has left (the transferring caller
// itself, or one that transferred the call earlier), and the reducer then shows the departed
// device as the caller of the line the call goes to (the same with callIDs: not a placement
// question, and whether a switch names another device there is not settled, left out here).
func (h *truthHarness) callerStays(ext string) bool {
	d, _ := h.p.Device(ext)
	for _, cn := range d.Connections {
		if cn.State != csta.StateConnected {
			continue
		}
		c, _ := h.p.Call(cn.CallID)
		return c.Calling != ext && partyOf(c, c.Calling)
	}
	return false
}

// callerLeft reports whether a call ext is in has lost its calling device (see callerStays).
func (h *truthHarness) callerLeft(ext string) bool {
	d, _ := h.p.Device(ext)
	for _, cn := range d.Connections {
		if c, _ := h.p.Call(cn.CallID); !partyOf(c, c.Calling) {
			return true
		}
	}
	return false
}

// inConference reports whether a call ext is in has more than two parties. A call deflected
// into a conference (one whose held party rang when it was conferenced) is Delivered with
// its calling and called devices only, and the new line cannot know the other parties
// (features/seed157 of 300: the same with callIDs, not a placement question).
func (h *truthHarness) inConference(ext string) bool {
	d, _ := h.p.Device(ext)
	for _, cn := range d.Connections {
		if c, _ := h.p.Call(cn.CallID); len(c.Parties) > 2 {
			return true
		}
	}
	return false
}

func partyOf(c pbxsim.CallTruth, dev string) bool {
	for _, pt := range c.Parties {
		if pt.Device == dev {
			return true
		}
	}
	return false
}

package cti

import (
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Journal outcomes.
const (
	outcomeAnswered  = "answered"
	outcomeMissed    = "missed"
	outcomeBusy      = "busy"
	outcomeFailed    = "failed"
	outcomeAbandoned = "abandoned"
	outcomeForwarded = "forwarded" // sent on while ringing: forwarding, deflection (DISCONNECTED/FORWARDED)
	outcomePickedUp  = "pickedUp"  // taken by another device's pickup (DISCONNECTED/PICKUP)
)

// callTrack follows one call through a batch's events.
type callTrack struct {
	call     tapi.Call
	known    bool
	answered bool
	last     tapi.CallStatus // last state before IDLE
}

// journalEntries builds the journal of calls removed in a batch: prev gives the call as last
// persisted (absent for calls created within the batch), events are the batch's events in
// order, which carry everything that happened since.
func journalEntries(removed []tapi.CallHandle, prev func(tapi.CallHandle) (tapi.Call, bool),
	events []tapi.Event, ended time.Time) []store.JournalEntry {
	tr := make(map[tapi.CallHandle]*callTrack, len(removed))
	for _, h := range removed {
		t := &callTrack{}
		if c, ok := prev(h); ok {
			t.call, t.known, t.last = c, true, c.CallStatus
			t.answered = !c.ConnectedAt.IsZero()
		}
		tr[h] = t
	}
	for _, ev := range events {
		t := tr[ev.Handle]
		if t == nil {
			continue
		}
		switch ev.Type {
		case tapi.LineNewCall:
			if ev.Call != nil {
				t.call, t.known, t.last = *ev.Call, true, ev.Call.CallStatus
			}
		case tapi.LineCallState:
			if s := ev.CallState; s != nil && s.State != tapi.LINECALLSTATE_IDLE {
				t.last = *s
				if s.State == tapi.LINECALLSTATE_CONNECTED || s.State == tapi.LINECALLSTATE_CONFERENCED {
					t.answered = true
					if t.call.ConnectedAt.IsZero() {
						t.call.ConnectedAt = ev.Time
					}
				}
			}
		case tapi.LineCallInfo:
			if ev.CallInfo != nil {
				t.call.Info = ev.CallInfo.Info
				if ev.CallInfo.CallID != "" {
					t.call.CallID = ev.CallInfo.CallID
				}
			}
		}
	}
	out := make([]store.JournalEntry, 0, len(removed))
	for _, h := range removed {
		t := tr[h]
		if !t.known {
			continue
		}
		c := t.call
		out = append(out, store.JournalEntry{
			Line: c.Line, Handle: h, CallID: c.CallID, Origin: c.Info.Origin, Reason: c.Info.Reason,
			Caller: c.Info.Caller, Called: c.Info.Called, Connected: c.Info.Connected,
			Started: c.Created, Answered: c.ConnectedAt, Ended: ended, Outcome: callOutcome(t),
		})
	}
	return out
}

func callOutcome(t *callTrack) string {
	switch {
	case t.answered:
		return outcomeAnswered
	case t.last.State == tapi.LINECALLSTATE_BUSY:
		return outcomeBusy
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED && t.last.DisconnectMode == tapi.LINEDISCONNECTMODE_FORWARDED:
		return outcomeForwarded
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED && t.last.DisconnectMode == tapi.LINEDISCONNECTMODE_PICKUP:
		return outcomePickedUp
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED &&
		t.last.DisconnectMode != tapi.LINEDISCONNECTMODE_NORMAL:
		return outcomeFailed
	case t.last.State == tapi.LINECALLSTATE_OFFERING || t.last.State == tapi.LINECALLSTATE_ACCEPTED:
		return outcomeMissed
	}
	return outcomeAbandoned
}

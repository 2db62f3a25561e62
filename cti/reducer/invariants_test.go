package reducer

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ctibridge/ctibridge/tapi"
)

// history follows the events of a run to check what TAPI forbids: nothing leaves IDLE, no
// event for a call before its LINE_NEWCALL, DISCONNECTED and BUSY lead only to IDLE, and
// OFFERING and DIALTONE are only ever a call's first state.
type history struct {
	last map[tapi.CallHandle]tapi.CallState // 0 until the first LINE_CALLSTATE
	idle map[tapi.CallHandle]bool
}

func newHistory() *history {
	return &history{last: map[tapi.CallHandle]tapi.CallState{}, idle: map[tapi.CallHandle]bool{}}
}

func (h *history) check(s *State, res Result) error {
	for _, e := range res.Events {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("invalid event %+v: %v", e, err)
		}
		if e.Handle == "" {
			continue
		}
		if h.idle[e.Handle] {
			return fmt.Errorf("%s event for %s after it went IDLE", e.Type, e.Handle)
		}
		prev, known := h.last[e.Handle]
		if e.Type == tapi.LineNewCall {
			if known {
				return fmt.Errorf("second LINE_NEWCALL for %s", e.Handle)
			}
			h.last[e.Handle] = 0
			continue
		}
		if !known {
			return fmt.Errorf("%s for %s before LINE_NEWCALL", e.Type, e.Handle)
		}
		if e.Type != tapi.LineCallState {
			continue
		}
		next := e.CallState.State
		if _, err := next.MarshalText(); err != nil {
			return fmt.Errorf("%s: invalid state 0x%X", e.Handle, uint32(next))
		}
		if prev != 0 && (next == tapi.LINECALLSTATE_OFFERING || next == tapi.LINECALLSTATE_DIALTONE) {
			return fmt.Errorf("%s: %v -> %v", e.Handle, prev, next)
		}
		if (prev == tapi.LINECALLSTATE_DISCONNECTED || prev == tapi.LINECALLSTATE_BUSY) && next != tapi.LINECALLSTATE_IDLE {
			return fmt.Errorf("%s: %v -> %v", e.Handle, prev, next)
		}
		if next == tapi.LINECALLSTATE_IDLE {
			h.idle[e.Handle] = true
		}
		h.last[e.Handle] = next
	}
	for _, r := range res.RemovedCalls {
		if _, ok := s.calls[r]; ok {
			return fmt.Errorf("removed call %s still present", r)
		}
		if !h.idle[r] {
			return fmt.Errorf("call %s removed without IDLE", r)
		}
	}
	for _, c := range res.ChangedCalls {
		if _, ok := s.calls[c]; !ok {
			return fmt.Errorf("changed call %s not present", c)
		}
	}
	return checkState(s)
}

// checkState checks the state's own consistency: indexes, states, related calls.
func checkState(s *State) error {
	for hd, c := range s.calls {
		if c.Handle != hd {
			return fmt.Errorf("call under %s has handle %s", hd, c.Handle)
		}
		if c.State == 0 || c.State == tapi.LINECALLSTATE_IDLE {
			return fmt.Errorf("call %s kept in state %v", hd, c.State)
		}
		if tapi.HandleNumber(hd) >= s.nextHandle {
			return fmt.Errorf("call %s not below next handle %d", hd, s.nextHandle)
		}
		var ls *lineState
		for _, l := range s.lines {
			if l.Name == c.Line {
				ls = l
			}
		}
		if ls == nil {
			return fmt.Errorf("call %s on unknown line %s", hd, c.Line)
		}
		if x := ls.byCallID.get(indexKey(c)); x != c {
			return fmt.Errorf("call %s: ID %q indexed to %v", hd, c.CallID, x)
		}
		if r := c.Info.RelatedCall; r != "" {
			if _, ok := s.calls[r]; !ok {
				return fmt.Errorf("call %s related to missing %s", hd, r)
			}
		}
	}
	for _, ls := range s.lines {
		var err error
		ls.byCallID.each(func(id string, x *tapi.Call) {
			// The index points at the live call itself: a removed call left in it would be
			// found again.
			c, ok := s.calls[x.Handle]
			if !ok || c != x || c.Line != ls.Name || (!c.HasCallID(id) && id != indexKey(c)) {
				err = fmt.Errorf("line %s: stale index %q -> %s", ls.Name, id, x.Handle)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkWire encodes the event and decodes it back through DecodeEventStrict.
func checkWire(t *testing.T, e tapi.Event) {
	t.Helper()
	b, err := jsonMarshal(e)
	if err != nil {
		t.Fatalf("marshal %s: %v", e.Type, err)
	}
	back, err := tapi.DecodeEventStrict(b)
	if err != nil {
		t.Fatalf("decode %s: %v\n%s", e.Type, err, b)
	}
	b2, _ := jsonMarshal(back)
	if !slices.Equal(b, b2) {
		t.Fatalf("wire round trip differs:\n%s\n%s", b, b2)
	}
}

package tspcore

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// tapiRecorder stands in for TAPI: it hands out htCall values at LINE_NEWCALL and records
// every LINEEVENT and ASYNC_COMPLETION in order, in a readable form.
type tapiRecorder struct {
	mu     sync.Mutex
	log    []string
	nextHT HTAPICALL
	// refuse makes NewCall answer 0, as TAPI does when it cannot take a call.
	refuse  bool
	changed chan struct{}
}

func newRecorder() *tapiRecorder {
	return &tapiRecorder{nextHT: 0x100, changed: make(chan struct{}, 1)}
}

func (r *tapiRecorder) add(s string) {
	r.log = append(r.log, s)
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *tapiRecorder) events() LineEvents {
	return LineEvents{
		Event: func(htLine HTAPILINE, htCall HTAPICALL, msg uint32, p1, p2, p3 uintptr) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.add(formatMsg(htCall, msg, p1, p2, p3))
		},
		NewCall: func(htLine HTAPILINE, hdCall HDRVCALL) HTAPICALL {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.refuse {
				r.add("LINE_NEWCALL refused")
				return 0
			}
			r.nextHT++
			r.add(fmt.Sprintf("LINE_NEWCALL ht=%#x", uintptr(r.nextHT)))
			return r.nextHT
		},
	}
}

func (r *tapiRecorder) completion(id uint32, result int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if result == 0 {
		r.add(fmt.Sprintf("COMPLETE %d OK", id))
	} else {
		r.add(fmt.Sprintf("COMPLETE %d %s", id, tapi.LineErr(uint32(result))))
	}
}

func formatMsg(ht HTAPICALL, msg uint32, p1, p2, p3 uintptr) string {
	switch msg {
	case LINE_CALLSTATE:
		st := tapi.CallState(p1)
		s := fmt.Sprintf("LINE_CALLSTATE ht=%#x %s", uintptr(ht), strings.TrimPrefix(st.String(), "LINECALLSTATE_"))
		if st == tapi.LINECALLSTATE_CONFERENCED {
			s += fmt.Sprintf(" conf=%#x", p2) // dwParam2: htCall of the conference call
		} else if p2 != 0 {
			s += fmt.Sprintf(" mode=%#x", p2)
		}
		if p3 != uintptr(LINEMEDIAMODE_INTERACTIVEVOICE) {
			s += fmt.Sprintf(" media=%#x", p3)
		}
		return s
	case LINE_CALLINFO:
		names := tapi.CallInfoState(p1).Names()
		for i := range names {
			names[i] = strings.TrimPrefix(names[i], "LINECALLINFOSTATE_")
		}
		return fmt.Sprintf("LINE_CALLINFO ht=%#x %s", uintptr(ht), strings.Join(names, "|"))
	case LINE_LINEDEVSTATE:
		return fmt.Sprintf("LINE_LINEDEVSTATE %s p2=%d p3=%d", tapi.DevState(p1), p2, p3)
	case LINE_ADDRESSSTATE:
		return fmt.Sprintf("LINE_ADDRESSSTATE address=%d %s", p1, tapi.AddressState(p2))
	case LINE_AGENTSTATUS:
		var names []string
		for _, n := range []struct {
			bit  uint32
			name string
		}{{LINEAGENTSTATUS_GROUP, "GROUP"}, {LINEAGENTSTATUS_STATE, "STATE"}, {LINEAGENTSTATUS_NEXTSTATE, "NEXTSTATE"}} {
			if uint32(p2)&n.bit != 0 {
				names = append(names, n.name)
			}
		}
		s := fmt.Sprintf("LINE_AGENTSTATUS address=%d %s", p1, strings.Join(names, "|"))
		if p3 != 0 {
			s += " state=" + strings.TrimPrefix(tapi.AgentState(p3).String(), "LINEAGENTSTATE_")
		}
		return s
	case LINE_GENERATE:
		return fmt.Sprintf("LINE_GENERATE ht=%#x term=%d endToEnd=%d", uintptr(ht), p1, p2)
	}
	return fmt.Sprintf("msg=%d ht=%#x %d %d %d", msg, uintptr(ht), p1, p2, p3)
}

// take returns the entries recorded since the last take.
func (r *tapiRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.log
	r.log = nil
	return out
}

// waitFor waits until an entry containing want was recorded, and returns (and consumes)
// everything recorded up to and including it.
func (r *tapiRecorder) waitFor(t *testing.T, want string) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		for i, s := range r.log {
			if strings.Contains(s, want) {
				out := append([]string(nil), r.log[:i+1]...)
				r.log = r.log[i+1:]
				r.mu.Unlock()
				return out
			}
		}
		have := append([]string(nil), r.log...)
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no %q from the provider within 20s; recorded:\n%s", want, strings.Join(have, "\n"))
		}
	}
}

// expectSeq fails unless got equals want.
func expectSeq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: TAPI would receive\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// waitAll waits until an entry containing each of wants was recorded and returns (and
// consumes) everything up to the last of them.
func (r *tapiRecorder) waitAll(t *testing.T, wants ...string) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		last, found := -1, 0
		for _, w := range wants {
			for i, s := range r.log {
				if strings.Contains(s, w) {
					found++
					last = max(last, i)
					break
				}
			}
		}
		if found == len(wants) {
			out := append([]string(nil), r.log[:last+1]...)
			r.log = r.log[last+1:]
			r.mu.Unlock()
			return out
		}
		have := append([]string(nil), r.log...)
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("not all of %q from the provider within 20s; recorded:\n%s", wants, strings.Join(have, "\n"))
		}
	}
}

// split separates ASYNC_COMPLETIONs from LINEEVENT messages: a reply and the events of the
// same request travel different paths from the bridge, so their relative order is only fixed
// where TAPI needs it (a call the request created; see MakeCall).
func split(entries []string) (events, completions []string) {
	for _, e := range entries {
		if strings.HasPrefix(e, "COMPLETE ") {
			completions = append(completions, e)
		} else {
			events = append(events, e)
		}
	}
	return events, completions
}

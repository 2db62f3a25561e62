package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// callMirror is the auditor's copy of every line's calls, built as a desktop client builds it
// (clients/go mirror): the resync snapshot, then LINE_NEWCALL, LINE_CALLSTATE (IDLE removes
// the call) and LINE_CALLINFO (a new callID). The end-of-run truth check compares it with the
// simulator, so it checks what reached the clients, not only what the bridge holds.
type callMirror struct {
	mu     sync.Mutex
	calls  map[tapi.CallHandle]mirrorCall
	recent map[string][]lineEvent // each line's last call events, for a mismatch's diagnosis
}

type mirrorCall struct {
	line   string
	callID string
	others []string
	state  tapi.CallState
}

func newCallMirror() *callMirror {
	return &callMirror{calls: map[tapi.CallHandle]mirrorCall{}, recent: map[string][]lineEvent{}}
}

// isCallEvent says whether an event of this type changes the mirror; the auditor decodes only
// those (the others are counted by scanning, as every client does).
func isCallEvent(typ string) bool {
	switch tapi.EventType(typ) {
	case tapi.LineNewCall, tapi.LineCallState, tapi.LineCallInfo:
		return true
	}
	return false
}

// resync replaces the mirror with the calls of a resync message (every line: the auditor
// subscribes to all of them).
func (m *callMirror) resync(b []byte) error {
	var r struct {
		Calls []tapi.Call `json:"calls"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("resync message: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = make(map[tapi.CallHandle]mirrorCall, len(r.Calls))
	for _, c := range r.Calls {
		m.calls[c.Handle] = mirrorCall{line: c.Line, callID: c.CallID, others: c.OtherCallIDs, state: c.State}
	}
	return nil
}

// callEventMsg is the part of an event message the mirror needs; decoding into it skips the
// rest of the event cheaply.
type callEventMsg struct {
	Event struct {
		Type   tapi.EventType  `json:"type"`
		Line   string          `json:"line"`
		Handle tapi.CallHandle `json:"handle"`
		Call   *struct {
			CallID       string         `json:"callId"`
			OtherCallIDs []string       `json:"otherCallIds"`
			State        tapi.CallState `json:"state"`
		} `json:"call"`
		CallState *struct {
			State tapi.CallState `json:"state"`
		} `json:"callState"`
		CallInfo *struct {
			CallID string `json:"callId"`
		} `json:"callInfo"`
	} `json:"event"`
}

var callStateKey = []byte(`"callState":{"state":"`)

// scanCallState reads a LINE_CALLSTATE message by scanning, as scanEvent does: it is the
// commonest event, and the auditor sees every line's. The envelope (handle) precedes the
// payload, and the state is CallStatus's first member.
func scanCallState(b []byte) (callEventMsg, bool) {
	var msg callEventMsg
	i := bytes.Index(b, eventKey)
	j := bytes.Index(b, callStateKey)
	if i < 0 || j < i {
		return msg, false
	}
	inner, rest := b[i:j], b[j+len(callStateKey):]
	k := bytes.IndexByte(rest, '"')
	h, okH := strField(inner, "handle")
	line, okL := strField(inner, "line")
	if k < 0 || !okH || !okL {
		return msg, false
	}
	var st tapi.CallState
	if st.UnmarshalText(rest[:k]) != nil {
		return msg, false
	}
	msg.Event.Type, msg.Event.Line, msg.Event.Handle = tapi.LineCallState, line, tapi.CallHandle(h)
	msg.Event.CallState = &struct {
		State tapi.CallState `json:"state"`
	}{st}
	return msg, true
}

// apply updates the mirror by one call event message, the log's offset off.
func (m *callMirror) apply(b []byte, off uint64) error {
	msg, ok := scanCallState(b)
	if !ok {
		if err := json.Unmarshal(b, &msg); err != nil {
			return fmt.Errorf("call event: %w", err)
		}
	}
	ev := &msg.Event
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Type {
	case tapi.LineNewCall:
		if ev.Call != nil {
			m.calls[ev.Handle] = mirrorCall{line: ev.Line, callID: ev.Call.CallID, others: ev.Call.OtherCallIDs, state: ev.Call.State}
			m.note(ev.Line, lineEvent{off: off, typ: ev.Type, handle: ev.Handle, callID: ev.Call.CallID, state: ev.Call.State})
		}
	case tapi.LineCallState:
		if ev.CallState == nil {
			return nil
		}
		m.note(ev.Line, lineEvent{off: off, typ: ev.Type, handle: ev.Handle, state: ev.CallState.State})
		if ev.CallState.State == tapi.LINECALLSTATE_IDLE {
			delete(m.calls, ev.Handle)
			return nil
		}
		c, ok := m.calls[ev.Handle]
		if !ok {
			c = mirrorCall{line: ev.Line} // started before a resync that did not list it
		}
		c.state = ev.CallState.State
		m.calls[ev.Handle] = c
	case tapi.LineCallInfo:
		if ev.CallInfo != nil {
			m.note(ev.Line, lineEvent{off: off, typ: ev.Type, handle: ev.Handle, callID: ev.CallInfo.CallID})
		}
		if c, ok := m.calls[ev.Handle]; ok && ev.CallInfo != nil && ev.CallInfo.CallID != "" {
			c.callID = ev.CallInfo.CallID
			m.calls[ev.Handle] = c
		}
	}
	return nil
}

// byLine returns the mirrored calls grouped by line.
func (m *callMirror) byLine() map[string][]mirrorCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]mirrorCall{}
	for _, c := range m.calls {
		out[c.line] = append(out[c.line], c)
	}
	return out
}

// TruthCheck is the end-of-run comparison of the auditor's calls with the simulator's.
type TruthCheck struct {
	Checked     bool     `json:"checked"`
	Lines       int      `json:"lines"`       // lines compared (every monitored device)
	Differ      int      `json:"differ"`      // lines whose calls do not match the switch's
	Connections int      `json:"connections"` // the switch's connections on those lines at the end
	SettleMs    float64  `json:"settle_ms"`   // from the check's start until it matched (or gave up)
	Differences []string `json:"differences"` // the first few, "line: auditor has [...], PBX has [...]"
	// Diagnosis explains the first differing lines when the check failed (see diagnose).
	Diagnosis   []string `json:"diagnosis,omitempty"`
	differLines []string // the lines of Differences
}

// truthDeadline bounds the wait for the auditor's mirror to equal the switch.
const truthDeadline = 15 * time.Second

// checkTruth compares the auditor's mirror with the simulator's connections, polling until
// every line matches or truthDeadline passes (the last comparison is reported). The traffic
// generator is stopped by then, so the switch holds still (see measure).
func (b *bench) checkTruth(ctx context.Context) TruthCheck {
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, truthDeadline)
	defer cancel()
	for {
		tc := b.compareTruth()
		if tc.Differ == 0 || sleep(dctx, 100*time.Millisecond) != nil {
			tc.SettleMs = ms(time.Since(start))
			if tc.Differ > 0 {
				b.diagnose(ctx, &tc)
			}
			return tc
		}
	}
}

// compareTruth makes one comparison of every monitored line.
func (b *bench) compareTruth() TruthCheck {
	tr := b.sim.Truth()
	devs := make(map[string]pbxsim.DeviceTruth, len(tr.Devices))
	for _, d := range tr.Devices {
		devs[d.Number] = d
	}
	mirror := b.auditor.mirror.byLine()
	tc := TruthCheck{Checked: true, Differences: []string{}}
	for i := range b.o.devices {
		ext := strconv.Itoa(firstExt + i)
		line := pbxName + "/" + ext
		conns := devs[ext].Connections
		tc.Lines++
		tc.Connections += len(conns)
		if matchCalls(conns, mirror[line]) {
			continue
		}
		tc.Differ++
		if len(tc.Differences) < 5 {
			var want, got []string
			for _, cn := range conns {
				want = append(want, cn.CallID+":"+string(cn.State))
			}
			for _, c := range mirror[line] {
				got = append(got, c.callID+":"+c.state.String())
			}
			sort.Strings(want)
			sort.Strings(got)
			tc.differLines = append(tc.differLines, line)
			tc.Differences = append(tc.Differences, fmt.Sprintf("%s: auditor has [%s], PBX has [%s]",
				line, strings.Join(got, " "), strings.Join(want, " ")))
		}
	}
	return tc
}

// matchCalls is reducer.MatchesSwitch for the auditor's copy of a line's calls.
func matchCalls(conns []pbxsim.ConnTruth, calls []mirrorCall) bool {
	tc := make([]tapi.Call, len(calls))
	for i, c := range calls {
		tc[i] = tapi.Call{CallID: c.callID, OtherCallIDs: c.others, CallStatus: tapi.CallStatus{State: c.state}}
	}
	return reducer.MatchesSwitch(switchConns(conns), tc)
}

// switchConns is the simulator's ground truth of a device as reducer.Connection values.
func switchConns(conns []pbxsim.ConnTruth) []reducer.Connection {
	out := make([]reducer.Connection, len(conns))
	for i, cn := range conns {
		out[i] = reducer.Connection{CallID: cn.CallID, State: cn.State}
	}
	return out
}

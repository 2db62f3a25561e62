package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// recentPerLine is how many of a line's last call events the auditor's mirror keeps, so that
// a truth mismatch shows how the line got where it is.
const recentPerLine = 10

// diagnosedLines is how many differing lines a failed truth check explains.
const diagnosedLines = 3

// lineEvent is one call event of a line as the auditor received it.
type lineEvent struct {
	off    uint64
	typ    tapi.EventType
	handle tapi.CallHandle
	callID string // LINE_NEWCALL and LINE_CALLINFO
	state  tapi.CallState
}

func (e lineEvent) String() string {
	s := fmt.Sprintf("@%d %s %s", e.off, strings.TrimPrefix(string(e.typ), "LINE_"), e.handle)
	if e.callID != "" {
		s += " id=" + e.callID
	}
	if e.typ != tapi.LineCallInfo {
		s += " " + strings.TrimPrefix(e.state.String(), "LINECALLSTATE_")
	}
	return s
}

// note keeps e among the line's last recentPerLine events (m.mu held).
func (m *callMirror) note(line string, e lineEvent) {
	r := m.recent[line]
	if len(r) == recentPerLine {
		copy(r, r[1:])
		r = r[:len(r)-1]
	}
	m.recent[line] = append(r, e)
}

// recentOf returns the line's last call events, oldest first.
func (m *callMirror) recentOf(line string) []lineEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]lineEvent(nil), m.recent[line]...)
}

// diagnose explains a failed truth check: for the first differing lines, what each bridge
// instance holds for the line (REST) and the auditor's last call events of it; then whether
// the simulator dropped a session or lost events, and the bridge events (link status,
// switchover, resync) the auditor saw. It tells a bridge whose state is wrong from one whose
// clients were told wrong, and a lost CSTA link from a quiet one.
func (b *bench) diagnose(ctx context.Context, tc *TruthCheck) {
	for _, line := range tc.differLines[:min(len(tc.differLines), diagnosedLines)] {
		for _, in := range b.insts {
			tc.Diagnosis = append(tc.Diagnosis, fmt.Sprintf("%s: bridge %s holds %s", line, in.cfg.InstanceID, b.bridgeCalls(ctx, in.addr, line)))
		}
		var evs []string
		for _, e := range b.auditor.mirror.recentOf(line) {
			evs = append(evs, e.String())
		}
		tc.Diagnosis = append(tc.Diagnosis, fmt.Sprintf("%s: auditor's last call events: %s", line, strings.Join(evs, "; ")))
	}
	st := b.sim.Stats()
	sim := fmt.Sprintf("simulator: %d sessions shed, %d events dropped, %d queued", st.SessionsShed, st.EventsDropped, st.EventsQueued)
	for _, name := range []string{"primary", "standby"} {
		if n := b.sim.Node(name); n != nil && len(n.SessionDrops()) > 0 {
			sim += fmt.Sprintf("; node %s session ends: %s", name, strings.Join(n.SessionDrops(), " | "))
		}
	}
	tc.Diagnosis = append(tc.Diagnosis, sim, "bridge events: "+b.audit.bridgeSummary())
}

// bridgeCalls is an instance's GET /api/v1/lines/{pbx}/{ext}/calls as "callID:STATE" words.
func (b *bench) bridgeCalls(ctx context.Context, addr, line string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/lines/"+line+"/calls", nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.Status
	}
	var r struct {
		Calls []tapi.Call `json:"calls"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err.Error()
	}
	return formatCalls(r.Calls)
}

func formatCalls(calls []tapi.Call) string {
	words := make([]string, len(calls))
	for i, c := range calls {
		words[i] = string(c.Handle) + "=" + c.CallID + ":" + strings.TrimPrefix(c.State.String(), "LINECALLSTATE_")
	}
	sort.Strings(words)
	return "[" + strings.Join(words, " ") + "]"
}

// bridgeSummary lists the BRIDGE_* events the auditor received ("none" when there were none).
func (a *auditLog) bridgeSummary() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.bridge) == 0 {
		return "none"
	}
	var out []string
	for i, o := range a.bridge {
		if i == 20 {
			out = append(out, strconv.Itoa(len(a.bridge)-i)+" more")
			break
		}
		ev := o.ev
		detail := ""
		for _, v := range []any{ev.Link, ev.Switch, ev.Resync} {
			if j, err := json.Marshal(v); err == nil && string(j) != "null" {
				detail = string(j)
			}
		}
		out = append(out, ev.Time.UTC().Format("15:04:05.000")+" "+string(ev.Type)+" "+detail)
	}
	return strings.Join(out, "; ")
}

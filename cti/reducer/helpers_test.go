package reducer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// t0 is the arrival time of the first event of a scenario; each step adds a second.
var t0 = time.Date(2025, 3, 17, 14, 49, 48, 0, time.UTC)

func dev(n string) csta.DeviceID { return csta.Device(n) }

func cn(callID, device string) csta.ConnectionID {
	return csta.ConnectionID{CallID: callID, DeviceID: csta.Device(device)}
}

func ec(cause csta.EventCause) csta.EventCommon { return csta.EventCommon{Cause: cause} }

// at is one CSTA event as the monitor of extension line receives it.
type at struct {
	line string
	ev   csta.Event
}

// to sends the same event to several monitors, in order.
func to(ev csta.Event, lines ...string) []at {
	out := make([]at, len(lines))
	for i, l := range lines {
		out[i] = at{l, ev}
	}
	return out
}

func seq(parts ...[]at) []at { return slices.Concat(parts...) }

var ignoredTags = map[string]string{
	IgnoredUnknownLine: "noline", IgnoredNotOurs: "notours", IgnoredDuplicate: "dup",
	IgnoredOutOfOrder: "ooo", IgnoredCleared: "cleared", IgnoredUnknownCall: "unknown",
	IgnoredUnchanged: "unchanged", IgnoredUnsupported: "unsupported", IgnoredAmbiguous: "ambiguous",
	IgnoredAgentAtGroup: "counted at the agent's line",
}

func short(s fmt.Stringer) string {
	n := s.String()
	_, after, _ := strings.Cut(n, "_")
	return after
}

func partyStr(p tapi.PartyID) string {
	if p.Number == "" {
		return strings.Join(shortNames(p.Flags.Names()), "|")
	}
	if p.Name != "" {
		return p.Number + "(" + p.Name + ")"
	}
	return p.Number
}

func shortNames(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		_, out[i], _ = strings.Cut(n, "_")
	}
	return out
}

// describe renders an event compactly for scenario expectations.
func describe(e tapi.Event) string {
	switch e.Type {
	case tapi.LineNewCall:
		c, i := e.Call, e.Call.Info
		parts := []string{string(e.Handle), "NEWCALL", "origin=" + short(i.Origin), "reason=" + short(i.Reason)}
		for _, f := range []struct {
			k string
			p tapi.PartyID
		}{{"caller", i.Caller}, {"called", i.Called}, {"connected", i.Connected},
			{"redirecting", i.Redirecting}, {"redirection", i.Redirection}} {
			if !f.p.IsZero() {
				parts = append(parts, f.k+"="+partyStr(f.p))
			}
		}
		if i.RelatedCall != "" {
			parts = append(parts, "related="+string(i.RelatedCall))
		}
		if i.Trunk != "" {
			parts = append(parts, "trunk="+i.Trunk)
		}
		_ = c
		return strings.Join(parts, " ")
	case tapi.LineCallState:
		s := string(e.Handle) + " " + short(e.CallState.State)
		switch e.CallState.State {
		case tapi.LINECALLSTATE_DISCONNECTED:
			s += "/" + short(e.CallState.DisconnectMode)
		case tapi.LINECALLSTATE_BUSY:
			s += "/" + short(e.CallState.BusyMode)
		}
		return s
	case tapi.LineCallInfo:
		ci := e.CallInfo
		parts := []string{string(e.Handle), "INFO", strings.Join(shortNames(ci.Changed.Names()), ",")}
		i := ci.Info
		for _, f := range []struct {
			bit tapi.CallInfoState
			kv  string
		}{
			{tapi.LINECALLINFOSTATE_CALLID, "callid=" + ci.CallID},
			{tapi.LINECALLINFOSTATE_REASON, "reason=" + short(i.Reason)},
			{tapi.LINECALLINFOSTATE_CALLEDID, "called=" + partyStr(i.Called)},
			{tapi.LINECALLINFOSTATE_CONNECTEDID, "connected=" + partyStr(i.Connected)},
			{tapi.LINECALLINFOSTATE_REDIRECTINGID, "redirecting=" + partyStr(i.Redirecting)},
			{tapi.LINECALLINFOSTATE_REDIRECTIONID, "redirection=" + partyStr(i.Redirection)},
			{tapi.LINECALLINFOSTATE_RELATEDCALLID, "related=" + string(i.RelatedCall)},
			{tapi.LINECALLINFOSTATE_TRUNK, "trunk=" + i.Trunk},
		} {
			if ci.Changed&f.bit != 0 {
				parts = append(parts, f.kv)
			}
		}
		return strings.Join(parts, " ")
	case tapi.LineConference:
		if e.Conference == nil {
			return string(e.Handle) + " CONFERENCE null"
		}
		ps := make([]string, len(e.Conference.Parties))
		for i, p := range e.Conference.Parties {
			ps[i] = partyStr(p)
		}
		return string(e.Handle) + " CONFERENCE " + string(e.Conference.Handle) + " parties=" + strings.Join(ps, ",")
	case tapi.LineLineDevState:
		l := e.LineState.Line
		return fmt.Sprintf("DEVSTATE %s dnd=%v inservice=%v", short(e.LineState.DevState), l.DND, l.InService)
	case tapi.LineAddressState:
		var fw []string
		for _, f := range e.LineState.Line.Forwarding {
			fw = append(fw, short(f.Mode)+":"+f.Destination)
		}
		return fmt.Sprintf("ADDRESSSTATE %s fwd=[%s]", short(e.LineState.AddressState), strings.Join(fw, " "))
	case tapi.LineAgentStatus:
		a := e.AgentStatus.Agent
		s := fmt.Sprintf("AGENTSTATUS %s %s group=%s", strings.Join(shortNames(e.AgentStatus.Changed), ","), short(a.State), a.Group)
		if a.NextState != 0 {
			s += " next=" + short(a.NextState)
		}
		if a.ReasonCode != "" {
			s += " reason=" + a.ReasonCode
		}
		return s
	case tapi.LineQueueStatus:
		q := e.QueueStatus
		var ids []string
		for _, c := range q.Waiting {
			ids = append(ids, c.CallID)
		}
		return fmt.Sprintf("QUEUESTATUS at %s waiting=[%s] loggedOn=%d ready=%d busy=%d notReady=%d wrapUp=%d",
			strings.TrimPrefix(e.Line, "hq/"), strings.Join(ids, " "), q.LoggedOn, q.Ready, q.Busy, q.NotReady, q.WrapUp)
	}
	return string(e.Type)
}

// run applies the steps to a state with the given lines and returns, per line, the described
// events (or "ignored:<tag>" for a step that produced none). It checks the invariants and the
// wire form of every event as it goes.
func run(t *testing.T, lines []string, steps []at) (*State, map[string][]string) {
	t.Helper()
	return runGroups(t, lines, nil, steps)
}

// runGroups is run with the lines of ACD or hunt groups too (AddGroup).
func runGroups(t *testing.T, lines, groups []string, steps []at) (*State, map[string][]string) {
	t.Helper()
	s := NewState("hq")
	for _, l := range lines {
		s.AddLine(l, "")
	}
	for _, g := range groups {
		s.AddGroup(g, "")
	}
	got := map[string][]string{}
	h := newHistory()
	for i, stp := range steps {
		res := s.Apply(stp.line, stp.ev, t0.Add(time.Duration(i)*time.Second))
		if len(res.Events) == 0 {
			tag, ok := ignoredTags[res.Ignored]
			if !ok {
				tag = "?" + res.Ignored
			}
			got[stp.line] = append(got[stp.line], "ignored:"+tag)
		}
		for _, e := range res.Events {
			got[stp.line] = append(got[stp.line], describe(e))
			checkWire(t, e)
		}
		if res.Repair != "" {
			got[stp.line] = append(got[stp.line], "repair:"+res.Repair)
		}
		if err := h.check(s, res); err != nil {
			t.Fatalf("step %d (%s at %s): %v", i, stp.ev.MessageName(), stp.line, err)
		}
	}
	return s, got
}

func expect(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for line, w := range want {
		if g := got[line]; !slices.Equal(g, w) {
			t.Errorf("line %s:\n got: %s\nwant: %s", line, strings.Join(g, "\n      "), strings.Join(w, "\n      "))
		}
	}
	for line := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("unexpected events at line %s: %q", line, got[line])
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

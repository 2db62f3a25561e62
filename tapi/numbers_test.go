package tapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEventWithNumbers: every member of the wire form that holds a party number is mapped, and
// the original event (shared by the log's readers) is left as it was. The check walks the
// JSON, so a number-bearing member added later without a mapping fails here.
func TestEventWithNumbers(t *testing.T) {
	mark := func(s string) string {
		if s == "" {
			return s
		}
		return "+" + s
	}
	p := func(n string) PartyID { return PartyID{Number: n, Flags: LINECALLPARTYID_ADDRESS} }
	info := CallInfo{Caller: p("1"), Called: p("2"), Connected: p("3"), Redirecting: p("4"), Redirection: p("5")}
	conf := &Conference{Handle: "hq:1.conf", Parties: []PartyID{p("6"), p("7")}}
	events := []Event{
		{Type: LineNewCall, Call: &Call{Handle: "hq:1", CallStatus: CallStatus{State: LINECALLSTATE_OFFERING}, Info: info, Parties: []string{"8"}, Conference: conf}},
		{Type: LineCallInfo, CallInfo: &CallInfoEvent{Info: info}},
		{Type: LineAddressState, LineState: &LineEvent{Line: Line{Name: "hq/201", Address: "201",
			Forwarding: []Forward{{Mode: LINEFORWARDMODE_UNCOND, Destination: "9"}}}}},
		{Type: LineConference, Conference: conf},
	}
	for _, e := range events {
		before, err := json.Marshal(e)
		require.NoError(t, err)
		mapped, err := json.Marshal(e.WithNumbers(mark))
		require.NoError(t, err)
		after, _ := json.Marshal(e)
		require.Equal(t, string(before), string(after), "%s: the original changed", e.Type)
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					walk(k, x)
				}
			case []any:
				for _, x := range v {
					walk(key, x)
				}
			case string:
				if key == "number" || key == "parties" || key == "destination" {
					require.True(t, strings.HasPrefix(v, "+"), "%s: %s %q not mapped", e.Type, key, v)
				}
			}
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(mapped, &m))
		walk("", m)
	}
}

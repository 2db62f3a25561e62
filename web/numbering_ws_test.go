package web

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestWSNumbersE164: WebSocket clients see a PBX's numbers in E.164 as REST shows them, in
// live events and in the resync a new subscription starts with, so that a CRM that matches
// numbers gets the same one from both. The simulator reports the called party as dialled
// (01234567, outside line + local number, with the demo plan 49/30/0).
func TestWSNumbersE164(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, _ := e.connect(tokAlice)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("subscribed")
	r := e.do("POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "(030) 123-4567", "ringFirst": false})
	require.Equal(t, 200, r.status, "%s", r.body)
	var cr commandResult
	r.decode(t, &cr)
	w.until("event", func(m inMsg) bool {
		ev := m.Event
		if ev == nil || ev.Handle != cr.Handle {
			return false
		}
		if ev.Call != nil {
			require.NotContains(t, ev.Call.Parties, "01234567", "LINE_NEWCALL parties as the PBX reports them")
		}
		if ev.Type == tapi.LineCallInfo {
			require.NotEqual(t, "01234567", ev.CallInfo.Info.Called.Number, "LINE_CALLINFO called as the PBX reports it")
		}
		return ev.Type == tapi.LineCallInfo && ev.CallInfo.Info.Called.Number == "+49301234567"
	})
	e.eventually(5*time.Second, "the PBX dials 01234567", func() bool {
		for _, c := range e.sim.Truth().Calls {
			for _, p := range c.Parties {
				if p.Device == "01234567" {
					return true
				}
			}
		}
		return false
	})

	late, _ := e.connect(tokAlice)
	late.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	m := late.expect("resync")
	require.NotEmpty(t, m.Calls)
	for _, c := range m.Calls {
		if c.Handle == cr.Handle {
			require.Equal(t, "+49301234567", c.Info.Called.Number)
			for _, p := range c.Parties {
				require.False(t, strings.HasPrefix(p, "0123"), "resync party %q as the PBX reports it", p)
			}
		}
	}
}

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRESTNumbersAsWritten: the case of issue 14 through REST with the demo plan (49, area
// 30, outside line 0). "(030) 123-4567" reaches the PBX as 01234567 (outside line + local
// number), and the call shows the number as +49301234567; an invalid number is refused with
// bad-number saying why, before the PBX sees it.
func TestRESTNumbersAsWritten(t *testing.T) {
	e := newEnv(t, envOpts{})
	r := e.do("POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": "(030) 123-4567", "ringFirst": false})
	require.Equal(t, 200, r.status, "%s", r.body)
	var cr commandResult
	r.decode(t, &cr)
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
	e.eventually(5*time.Second, "the call shows +49301234567", func() bool {
		var calls callsResp
		e.do("GET", "/api/v1/lines/hq/201/calls", tokAlice, nil).decode(t, &calls)
		for _, c := range calls.Calls {
			if c.Handle == cr.Handle && c.Info.Called.Number == "+49301234567" {
				return true
			}
		}
		return false
	})

	for to, why := range map[string]string{"+49 1": "+491 is too short to be a phone number",
		"030 1": "+49301 is not a valid number of DE (+49)", "+999 1234567": "does not start with a country calling code"} {
		r := e.do("POST", "/api/v1/lines/hq/201/dial", tokAlice, map[string]any{"to": to})
		p := r.problem(t)
		assert.Equal(t, probBadNumber.URI(), p.Type, to)
		assert.Equal(t, "to", p.Field, to)
		assert.True(t, strings.Contains(p.Detail, why), "%s: detail %q lacks %q", to, p.Detail, why)
	}
}

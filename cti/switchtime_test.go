package cti

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/tapi"
)

// A switch that stamps its events (CSTA security timestamp) has the stamp passed on as
// SwitchTime in every client event made from the event; one that does not, leaves it out.
func TestSwitchTimePassedOn(t *testing.T) {
	for _, stamped := range []bool{true, false} {
		t.Run(fmt.Sprintf("stamped=%v", stamped), func(t *testing.T) {
			s := newSimWith(t, func(c *pbxsim.Config) { c.StampEvents = stamped }, "201", "202")
			b := startBridge(t, nil, "a", s.pbxConfig("201", "202"), nil)
			require.Eventually(t, func() bool {
				l1, _ := b.e.Line("hq/201")
				l2, _ := b.e.Line("hq/202")
				return l1.InService && l2.InService
			}, 20*time.Second, 10*time.Millisecond, "lines in service")
			before := time.Now()
			_, err := s.p.Dial("201", "202")
			require.NoError(t, err)
			var got []tapi.Event
			require.Eventually(t, func() bool {
				got = got[:0]
				for _, en := range b.rec.all() {
					if en.Event.Type == tapi.LineCallState && !en.Event.Time.Before(before) {
						got = append(got, en.Event)
					}
				}
				return len(got) >= 2 // 201 dialling or ringback, 202 offering
			}, 20*time.Second, 10*time.Millisecond)
			for _, ev := range got {
				if !stamped {
					require.True(t, ev.SwitchTime.IsZero(), "%s %s has switchTime %v", ev.Line, ev.CallState.State, ev.SwitchTime)
					continue
				}
				require.False(t, ev.SwitchTime.IsZero(), "%s %s has no switchTime", ev.Line, ev.CallState.State)
				require.False(t, ev.SwitchTime.Before(before), "switchTime %v before the call was made (%v)", ev.SwitchTime, before)
				require.False(t, ev.SwitchTime.After(ev.Time), "switchTime %v after the bridge received the event (%v)", ev.SwitchTime, ev.Time)
			}
		})
	}
}

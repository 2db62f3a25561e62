package cti

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
)

// newMinimalSim is a simulator with the minimal profile: no callIDs, every event names the
// recipient's own connection, no SnapshotCall.
func newMinimalSim(t *testing.T, exts ...string) (*sim, PBXConfig) {
	s := newSimWith(t, func(c *pbxsim.Config) {
		c.Profile, c.Dialect, c.User, c.Password = "minimal", "generic", "", ""
	}, exts...)
	pc := s.pbxConfig()
	pc.Dialect, pc.User, pc.Password = "generic", "", ""
	return s, pc
}

// statesMatchTruth compares the local connection states of the bridge's calls on the lines
// with the switch's, without call IDs (a minimal switch has none).
func (b *bridge) statesMatchTruth(s *sim, exts ...string) func() error {
	return func() error {
		for _, x := range exts {
			dt, ok := s.p.Device(x)
			if !ok {
				return fmt.Errorf("no device %s in the simulator", x)
			}
			var want, got []string
			for _, cn := range dt.Connections {
				want = append(want, string(cn.State))
			}
			for _, c := range b.e.Calls("hq/" + x) {
				st := c.State.String()
				for _, w := range want {
					if reducer.Natural(c.State, csta.LocalConnectionState(w)) {
						st = w
					}
				}
				got = append(got, st)
			}
			slices.Sort(want)
			slices.Sort(got)
			if strings.Join(want, ",") != strings.Join(got, ",") {
				return fmt.Errorf("line %s: bridge has %v, PBX has %v", x, got, want)
			}
		}
		return nil
	}
}

// The repair path: on a switch without callIDs the bridge misses the Held event of a call
// (dropped on purpose), so it shows two connected calls when the second one is answered.
// The hang-up of the second call then fits both; the reducer asks for a repair, the engine
// snapshots the device, and the line ends as the switch has it: one held call. The repair
// is counted by reason.
func TestRepairFromSnapshotAfterLostEvent(t *testing.T) {
	s, pc := newMinimalSim(t, "200-209")
	pc.Devices = []string{"201"}
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "link on the primary", b.activeIs("primary"))
	waitFor(t, "lines in service", func() error {
		if l, ok := b.e.Line("hq/201"); !ok || !l.InService {
			return fmt.Errorf("hq/201 not in service")
		}
		return nil
	})

	_, err := s.p.Dial("203", "201")
	require.NoError(t, err)
	require.NoError(t, s.p.Answer("201"))
	waitFor(t, "first call connected", b.statesMatchTruth(s, "201"))

	s.primary.DropEvents(1) // the Held at 201's monitor
	require.NoError(t, s.p.Hold("201"))
	_, err = s.p.Dial("204", "201")
	require.NoError(t, err)
	require.NoError(t, s.p.Answer("201"))
	waitFor(t, "the bridge shows two calls", func() error {
		if n := len(b.e.Calls("hq/201")); n != 2 {
			return fmt.Errorf("%d calls", n)
		}
		return nil
	})

	require.NoError(t, s.p.HangUp("201")) // ends the call with 204
	waitFor(t, "line repaired to the switch's state", b.statesMatchTruth(s, "201"))
	waitFor(t, "repair counted", func() error {
		for _, li := range b.e.Links() {
			if li.Repairs[reducer.RepairAmbiguous] > 0 {
				return nil
			}
		}
		return fmt.Errorf("no %s repair in %+v", reducer.RepairAmbiguous, b.e.Links())
	})
}

package cti

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// trafficSeeds is how many seeds TestProfileTraffic plays per profile; more for a soak:
// go test ./cti -run TestProfileTraffic -traffic-seeds 200
var trafficSeeds = flag.Uint64("traffic-seeds", 4, "seeds per profile of TestProfileTraffic")

// People at the phones of a switch that differs from the simulator's own reading of CSTA:
// random dials, answers, holds, consultations, transfers, conferences and hang-ups, then
// every line must show the switch's calls. Seeded, so a failure names its seed.
func TestProfileTraffic(t *testing.T) {
	for _, profile := range []string{"", "osv", "minimal"} {
		for seed := uint64(1); seed <= *trafficSeeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", profile, seed), func(t *testing.T) {
				s := newSimWith(t, func(c *pbxsim.Config) {
					c.Profile, c.Dialect = profile, ""
					if profile == "minimal" {
						c.User, c.Password = "", ""
					}
				}, "200-209")
				pc := s.pbxConfig("200-209")
				pc.Dialect = s.primary.Dialect().Name
				b := startBridge(t, nil, "i1", pc, nil)
				waitFor(t, "lines in service", func() error {
					for _, l := range b.e.Lines("hq") {
						if !l.InService {
							return fmt.Errorf("%s out of service", l.Name)
						}
					}
					return nil
				})
				exts := exts(200, 209)
				rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
				var actions []string
				for range 150 {
					actions = append(actions, s.p.PersonAction(rng, exts))
				}
				waitFor(t, "every line as the switch has it", func() error {
					err := b.statesMatchTruth(s, exts...)()
					if err != nil {
						return fmt.Errorf("%w\nactions: %s\nlog of the line:\n%s", err,
							strings.Join(actions, "; "), lineHistory(b, err.Error()))
					}
					return nil
				})
			})
		}
	}
}

// lineHistory prints the log entries of the line a mismatch names ("line 203: ...").
func lineHistory(b *bridge, mismatch string) string {
	var ext string
	if _, err := fmt.Sscanf(mismatch, "line %s", &ext); err != nil {
		return ""
	}
	ext = strings.TrimSuffix(ext, ":")
	var out []string
	for _, en := range b.rec.all() {
		ev := en.Event
		if ev.Line != "hq/"+ext {
			continue
		}
		s := fmt.Sprintf("  %d %s %s", en.Offset, ev.Type, ev.Handle)
		if ev.CallState != nil {
			s += " " + ev.CallState.State.String()
		}
		if ev.Detail != "" {
			s += " (" + ev.Detail + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

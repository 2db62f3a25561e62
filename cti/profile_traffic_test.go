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
					a, x, y := randomAction(s, rng, exts)
					actions = append(actions, fmt.Sprintf("%s %s %s", a, x, y))
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

// randomAction does one thing a person at a phone does; refusals (nothing to answer...) are
// part of the game.
func randomAction(s *sim, rng *rand.Rand, exts []string) (string, string, string) {
	x, y := exts[rng.IntN(len(exts))], exts[rng.IntN(len(exts))]
	switch r := rng.IntN(100); {
	case r < 22:
		_, _ = s.p.Dial(x, y)
		return "dial", x, y
	case r < 30:
		_, _ = s.p.IncomingCall(fmt.Sprintf("+4930555%04d", rng.IntN(10000)), x)
		return "incoming", x, ""
	case r < 52:
		_ = s.p.Answer(x)
		return "answer", x, ""
	case r < 60:
		_ = s.p.Hold(x)
		return "hold", x, ""
	case r < 66:
		_ = s.p.Retrieve(x)
		return "retrieve", x, ""
	case r < 72:
		_, _ = s.p.Consult(x, y)
		return "consult", x, y
	case r < 76:
		_ = s.p.Transfer(x)
		return "transfer", x, ""
	case r < 79:
		_ = s.p.Conference(x)
		return "conference", x, ""
	}
	_ = s.p.HangUp(x)
	return "hangup", x, ""
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

package cti

import (
	"fmt"
	"testing"
)

// owners returns, per PBX, whether b owns its link and who the owner is.
func owners(b *bridge) map[string]string {
	out := map[string]string{}
	for _, li := range b.e.Links() {
		if li.OwnedHere && li.Active != "" {
			out[li.PBX] = "here"
		} else {
			out[li.PBX] = li.Owner
		}
	}
	return out
}

func ownsExactly(b *bridge, pbxs ...string) func() error {
	return func() error {
		got := owners(b)
		for name, o := range got {
			want := false
			for _, p := range pbxs {
				want = want || p == name
			}
			if (o == "here") != want {
				return fmt.Errorf("owners seen by %s: %v, want it to own %v", b.e.cfg.InstanceID, got, pbxs)
			}
		}
		return nil
	}
}

// Two PBXs prefer different instances: the instance started first owns both, and hands the
// one it does not prefer over to its preferred instance once that runs, keeping every call's
// handle; when the preferred instance stops, the other takes the link back.
func TestPreferredInstanceSpreadsLinks(t *testing.T) {
	s := newSim(t, "200-299")
	st := newStore()
	hq := s.pbxConfig("200-239")
	hq.PreferredInstance = "b"
	br := s.pbxConfig("240-259")
	br.Name, br.PreferredInstance = "br", "a"
	both := func(c *Config) { c.PBXs = append(c.PBXs, br) }

	a := startBridge(t, st, "a", hq, both)
	waitFor(t, "a owns both links while b is not running", ownsExactly(a, "hq", "br"))
	makeTraffic(t, s)
	waitFor(t, "a equals the PBX", a.matchesTruth(s, s.primary, lineExts))
	before := a.handles()

	b := startBridge(t, st, "b", hq, both)
	waitFor(t, "b owns hq, its preferred PBX", ownsExactly(b, "hq"))
	waitFor(t, "a keeps br", ownsExactly(a, "br"))
	waitFor(t, "b equals the PBX after the hand-over", b.matchesTruth(s, s.primary, lineExts))
	keptHandles(t, before, b.handles(), "the hand-over")
	moreTraffic(t, s)
	waitFor(t, "b follows traffic", b.matchesTruth(s, s.primary, lineExts))

	b.close()
	waitFor(t, "a takes hq back when b stops", ownsExactly(a, "hq", "br"))
	waitFor(t, "a equals the PBX", a.matchesTruth(s, s.primary, lineExts))
	a.rec.checkSequences(t)
}

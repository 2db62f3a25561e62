package cti

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Conference parties change state while no PBX node is reachable (two of them hold the
// conference): when the standby is back, the hot resync shows every
// line as the PBX has it.
func TestConferenceChangesDuringOutage(t *testing.T) {
	for _, tc := range []struct {
		name           string
		before, outage []string // steps: "conference" or "hold:EXT"
	}{
		{"hold after the conference", []string{"conference"}, []string{"hold:211", "hold:212"}},
		{"conference and hold in the outage", nil, []string{"conference", "hold:211"}},
		{"conference in the outage", nil, []string{"conference"}},
	} {
		t.Run(tc.name, func(t *testing.T) { conferenceOutage(t, tc.before, tc.outage) })
	}
}

func conferenceOutage(t *testing.T, before, outage []string) {
	s := newSim(t, "200-239")
	b := startBridge(t, nil, "i1", s.pbxConfig("200-239"), nil)
	waitFor(t, "link on primary", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })
	// 211 talks to 212, consults 213, conferences: one call of 211, 212 and 213.
	steps := []func() error{
		func() error { _, err := s.p.Dial("211", "212"); return err },
		func() error { return s.p.Answer("212") },
		func() error { _, err := s.p.Consult("211", "213"); return err },
		func() error { return s.p.Answer("213") },
	}
	// seen waits until the bridge has the step the PBX made, so that the next one follows it.
	seen := func() { waitFor(t, "bridge equals the PBX", b.matchesTruth(s, s.primary, exts(211, 213))) }
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		seen()
	}
	do := func(steps []string, settled func()) {
		for _, st := range steps {
			var err error
			if st == "conference" {
				err = s.p.Conference("211")
			} else {
				err = s.p.Hold(st[len("hold:"):])
			}
			if err != nil {
				t.Fatalf("%s: %v", st, err)
			}
			settled()
		}
	}
	do(before, seen)
	s.primary.Kill()
	s.standby.Kill()
	waitFor(t, "no active node", func() error {
		if a := b.e.Links()[0].Active; a != "" {
			return fmt.Errorf("active %q", a)
		}
		return nil
	})
	do(outage, func() {}) // no link: nothing to wait for
	if err := s.standby.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "standby active", b.activeIs("standby"))
	waitFor(t, "bridge equals the PBX after the outage", b.matchesTruth(s, s.standby, exts(211, 213)))
}

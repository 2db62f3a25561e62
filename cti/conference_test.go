package cti

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// A three-party conference on monitored lines gives every line's call a conference (handle
// derived from the call's, the other two parties), announced by LINE_CONFERENCE; it survives a
// switchover's hot resync; a party leaving makes the others' calls two-party calls again
// (conference null).
func TestConferenceParties(t *testing.T) {
	s := newSim(t, "200-239")
	b := startBridge(t, nil, "i1", s.pbxConfig("200-239"), nil)
	waitFor(t, "link on primary", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })
	steps := []func() error{
		func() error { _, err := s.p.Dial("221", "222"); return err },
		func() error { return s.p.Answer("222") },
		func() error { _, err := s.p.Consult("221", "223"); return err },
		func() error { return s.p.Answer("223") },
		func() error { return s.p.Conference("221") },
	}
	all := []string{"221", "222", "223"}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		// Each step as people do it: the next only once the bridge shows this one.
		waitFor(t, fmt.Sprintf("step %d at the bridge", i), b.matchesTruth(s, s.primary, all))
	}
	confOf := func(line string) (tapi.Call, error) {
		cs := b.e.Calls("hq/" + line)
		if len(cs) != 1 {
			return tapi.Call{}, fmt.Errorf("line %s has %d calls", line, len(cs))
		}
		return cs[0], nil
	}
	inConference := func() error {
		for _, x := range all {
			c, err := confOf(x)
			if err != nil {
				return err
			}
			if c.State != tapi.LINECALLSTATE_CONFERENCED || c.Conference == nil {
				return fmt.Errorf("line %s: %v, conference %+v", x, c.State, c.Conference)
			}
			if c.Conference.Handle != tapi.ConferenceHandle(c.Handle) {
				return fmt.Errorf("line %s: conference handle %q for call %q", x, c.Conference.Handle, c.Handle)
			}
			var got []string
			for _, p := range c.Conference.Parties {
				got = append(got, p.Number)
			}
			slices.Sort(got)
			want := slices.DeleteFunc(slices.Clone(all), func(y string) bool { return y == x })
			if !slices.Equal(got, want) {
				return fmt.Errorf("line %s: conference parties %v, want %v", x, got, want)
			}
		}
		return nil
	}
	waitFor(t, "every line's call is the conference", inConference)
	for _, x := range all {
		line := "hq/" + x
		if n := b.rec.count(tapi.LineConference, func(e tapi.Event) bool { return e.Line == line && e.Conference != nil }); n != 1 {
			t.Errorf("line %s: %d LINE_CONFERENCE events, want 1", line, n)
		}
	}

	// A switchover's hot resync keeps the conferences and their handles.
	before := b.handles()
	since := time.Now()
	s.primary.Kill()
	waitFor(t, "standby active", b.activeIs("standby"))
	waitFor(t, "resync after the switchover", func() error { return b.resynced(1, since) })
	keptHandles(t, before, b.handles(), "switchover")
	waitFor(t, "every line's call is the conference after the switchover", inConference)

	if err := s.p.HangUp("223"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two-party calls after 223 left", func() error {
		if cs := b.e.Calls("hq/223"); len(cs) != 0 {
			return fmt.Errorf("223 still has %d calls", len(cs))
		}
		for x, other := range map[string]string{"221": "222", "222": "221"} {
			c, err := confOf(x)
			if err != nil {
				return err
			}
			if c.State != tapi.LINECALLSTATE_CONNECTED || c.Conference != nil || strings.Join(c.Parties, ",") != other {
				return fmt.Errorf("line %s: %v parties %v conference %+v", x, c.State, c.Parties, c.Conference)
			}
		}
		return nil
	})
	for _, x := range []string{"221", "222"} {
		line := "hq/" + x
		if n := b.rec.count(tapi.LineConference, func(e tapi.Event) bool { return e.Line == line && e.Conference == nil }); n != 1 {
			t.Errorf("line %s: %d LINE_CONFERENCE null events, want 1", line, n)
		}
	}
	if n := b.rec.count(tapi.LineConference, func(e tapi.Event) bool { return e.Line == "hq/223" && e.Conference == nil }); n != 0 {
		t.Errorf("hq/223 got LINE_CONFERENCE null for a call that went IDLE")
	}
	b.rec.checkSequences(t)
}

package cti

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

var lineExts = exts(200, 239)

// startWithTraffic runs a bridge on a fresh simulator with calls in progress and waits until
// it agrees with the switch on the primary.
func startWithTraffic(t *testing.T, mod func(*PBXConfig)) (*sim, *bridge) {
	t.Helper()
	s := newSim(t, "200-299")
	pc := s.pbxConfig("200-239")
	if mod != nil {
		mod(&pc)
	}
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "link on primary", b.activeIs("primary"))
	makeTraffic(t, s)
	waitFor(t, "bridge equals the PBX", b.matchesTruth(s, s.primary, lineExts))
	waitFor(t, "first resync completed", func() error { return b.resynced(0, time.Time{}) })
	if n := len(b.e.Calls("")); n != 34 {
		t.Fatalf("bridge has %d calls after the traffic, want 34", n)
	}
	return s, b
}

// afterMove checks the state after a switchover: truth, kept handles, TAPI sequences, and
// that later traffic is followed.
func afterMove(t *testing.T, s *sim, b *bridge, before map[string]string, hot bool, switches int, since time.Time) {
	t.Helper()
	node := s.standby
	if b.e.Links()[0].Active == "primary" {
		node = s.primary
	}
	waitFor(t, "resync after the switchover", func() error { return b.resynced(switches, since) })
	waitFor(t, "bridge equals the PBX after the switchover", b.matchesTruth(s, node, lineExts))
	after := b.handles()
	for line, hs := range before {
		if hot && after[line] != hs {
			t.Errorf("line %s: handles %q before, %q after a hot resync", line, hs, after[line])
		}
		if !hot && hs != "" && after[line] == hs {
			t.Errorf("line %s: cold resync kept handles %q", line, hs)
		}
	}
	if t.Failed() {
		dumpBridge(t, b)
	}
	moreTraffic(t, s)
	waitFor(t, "bridge follows traffic after the switchover", b.matchesTruth(s, node, lineExts))
	b.rec.checkSequences(t)
}

func TestKillActiveNodeHot(t *testing.T) {
	s, b := startWithTraffic(t, nil)
	before, since := b.handles(), time.Now()
	s.primary.Kill()
	waitFor(t, "switch to standby", b.activeIs("standby"))
	afterMove(t, s, b, before, true, 1, since)
	li := b.e.Links()[0]
	if li.LastSwitchover == nil || li.LastSwitchover.From != "primary" || li.LastSwitchover.To != "standby" {
		t.Fatalf("last switchover %+v", li.LastSwitchover)
	}
	if n := b.rec.count(tapi.BridgeSwitchover, after(since)); n != 1 {
		t.Errorf("%d BRIDGE_SWITCHOVER events, want 1", n)
	}
	if n := b.rec.count(tapi.LineLineDevState, func(ev tapi.Event) bool {
		return ev.LineState.DevState == tapi.LINEDEVSTATE_OUTOFSERVICE && after(since)(ev)
	}); n != 0 {
		t.Errorf("%d lines went OUTOFSERVICE during a switchover to a live standby", n)
	}
}

func TestKillActiveNodeCold(t *testing.T) {
	s, b := startWithTraffic(t, func(pc *PBXConfig) { pc.Resync = ResyncCold })
	before, since := b.handles(), time.Now()
	s.primary.Kill()
	waitFor(t, "switch to standby", b.activeIs("standby"))
	afterMove(t, s, b, before, false, 1, since)
	idled := b.rec.count(tapi.LineCallState, func(ev tapi.Event) bool {
		return ev.CallState.State == tapi.LINECALLSTATE_IDLE && ev.Detail != "" && len(ev.Detail) > 4 && ev.Detail[:4] == "cold"
	})
	if idled == 0 {
		t.Error("cold resync ended no call with a reason")
	}
}

func TestFrozenNode(t *testing.T) {
	s, b := startWithTraffic(t, nil)
	before, since := b.handles(), time.Now()
	s.primary.Freeze(true)
	waitFor(t, "switch to standby", b.activeIs("standby"))
	li := b.e.Links()[0]
	if li.LastSwitchover == nil || li.LastSwitchover.Reason != "3 heartbeats unanswered" {
		t.Errorf("switchover %+v, want reason 3 heartbeats unanswered", li.LastSwitchover)
	}
	afterMove(t, s, b, before, true, 1, since)
}

func TestAlternateCallIDsOnStandby(t *testing.T) {
	s, b := startWithTraffic(t, nil)
	s.standby.SetAlternateCallIDs(true)
	before, since := b.handles(), time.Now()
	s.primary.Kill()
	waitFor(t, "switch to standby", b.activeIs("standby"))
	afterMove(t, s, b, before, true, 1, since)
	// Commands use the standby's IDs from now on.
	c := b.e.Calls("hq/204")
	if len(c) != 1 {
		t.Fatalf("hq/204 calls %+v", c)
	}
	if rep := b.e.Do(context.Background(), Request{ID: 9, Op: OpDrop, Line: "hq/204", Handle: c[0].Handle}); rep.Result != 0 {
		t.Fatalf("drop after switchover: %+v", rep)
	}
	waitFor(t, "drop followed", b.matchesTruth(s, s.standby, lineExts))
}

func TestBothNodesDownThenOneBack(t *testing.T) {
	for _, mode := range []ResyncMode{ResyncHot, ResyncCold} {
		t.Run(string(mode), func(t *testing.T) {
			s, b := startWithTraffic(t, func(pc *PBXConfig) { pc.Resync = mode })
			before := b.handles()
			s.primary.Kill()
			s.standby.Kill()
			waitFor(t, "lines out of service", func() error {
				for _, l := range b.e.Lines("hq") {
					if l.InService {
						return fmt.Errorf("line %s in service", l.Name)
					}
				}
				return nil
			})
			since := time.Now()
			if err := s.standby.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "standby active", b.activeIs("standby"))
			waitFor(t, "lines back in service", func() error {
				for _, l := range b.e.Lines("hq") {
					if !l.InService {
						return fmt.Errorf("line %s out of service", l.Name)
					}
				}
				return nil
			})
			afterMove(t, s, b, before, mode == ResyncHot, 1, since)
		})
	}
}

func TestFailbackPolicies(t *testing.T) {
	t.Run("auto", func(t *testing.T) {
		s, b := startWithTraffic(t, nil)
		before, since := b.handles(), time.Now()
		s.primary.Kill()
		waitFor(t, "standby", b.activeIs("standby"))
		if err := s.primary.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "automatic failback", b.activeIs("primary"))
		afterMove(t, s, b, before, true, 2, since)
		if n := b.rec.count(tapi.BridgeSwitchover, after(since)); n != 2 {
			t.Errorf("%d switchovers, want 2", n)
		}
	})
	t.Run("manual", func(t *testing.T) {
		s, b := startWithTraffic(t, func(pc *PBXConfig) { pc.Failback = FailbackManual })
		before, since := b.handles(), time.Now()
		s.primary.Kill()
		waitFor(t, "standby", b.activeIs("standby"))
		if err := s.primary.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		stays(t, b, "standby")
		if err := b.e.Failback(context.Background(), "hq", "admin test"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "manual failback", b.activeIs("primary"))
		afterMove(t, s, b, before, true, 2, since)
		if err := b.e.Failback(context.Background(), "hq", ""); err == nil {
			t.Error("failback while on the primary succeeded")
		}
	})
	t.Run("sticky", func(t *testing.T) {
		s, b := startWithTraffic(t, func(pc *PBXConfig) { pc.Failback = FailbackSticky })
		before, since := b.handles(), time.Now()
		s.primary.Kill()
		waitFor(t, "standby", b.activeIs("standby"))
		if err := s.primary.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		stays(t, b, "standby")
		// Roles swapped: losing the standby now moves back to the primary, the new standby.
		s.standby.Kill()
		waitFor(t, "primary", b.activeIs("primary"))
		afterMove(t, s, b, before, true, 2, since)
	})
	t.Run("schedule", func(t *testing.T) {
		clock := newFakeClock(time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)) // Wednesday 11:00 Berlin
		s := newSim(t, "200-299")
		pc := s.pbxConfig("200-239")
		pc.Failback = FailbackSchedule
		pc.BusinessHours = BusinessHours{Days: "Mon-Fri", From: "08:00", To: "18:00", Zone: "Europe/Berlin"}
		b := startBridge(t, nil, "i1", pc, func(c *Config) { c.Clock = clock.Now })
		waitFor(t, "primary", b.activeIs("primary"))
		makeTraffic(t, s)
		waitFor(t, "truth", b.matchesTruth(s, s.primary, lineExts))
		before, since := b.handles(), time.Now()
		s.primary.Kill()
		waitFor(t, "standby", b.activeIs("standby"))
		if err := s.primary.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		stays(t, b, "standby")                                   // inside business hours: manual
		clock.Set(time.Date(2025, 3, 5, 18, 30, 0, 0, time.UTC)) // 19:30 Berlin
		waitFor(t, "failback outside business hours", b.activeIs("primary"))
		afterMove(t, s, b, before, true, 2, since)
	})
}

func TestManualSwitchover(t *testing.T) {
	s, b := startWithTraffic(t, func(pc *PBXConfig) { pc.Failback = FailbackManual })
	before, since := b.handles(), time.Now()
	if err := b.e.Switchover(context.Background(), "hq", "maintenance"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "standby", b.activeIs("standby"))
	afterMove(t, s, b, before, true, 1, since)
	if n := b.rec.count(tapi.BridgeSwitchover, func(ev tapi.Event) bool { return ev.Switch.Forced && ev.Switch.Reason == "maintenance" }); n != 1 {
		t.Errorf("%d forced switchover events", n)
	}
	s.primary.Kill()
	err := b.e.Switchover(context.Background(), "hq", "")
	if err == nil {
		t.Fatal("switchover to a dead node succeeded")
	}
	stays(t, b, "standby")
	if err := b.e.Switchover(context.Background(), "nowhere", ""); err == nil {
		t.Error("switchover of an unknown PBX succeeded")
	}
}

// stays checks the link keeps running on role for a while (a negative check: a bounded wait
// is the only way to see that nothing happens).
func stays(t *testing.T, b *bridge, role string) {
	t.Helper()
	deadline := time.Now().Add(600 * time.Millisecond)
	for time.Now().Before(deadline) {
		if err := b.activeIs(role)(); err != nil {
			t.Fatalf("link moved: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSystemStatusDisabledSwitchesOver(t *testing.T) {
	s, b := startWithTraffic(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.primary.SendSystemStatus(ctx, "disabled"); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("SendSystemStatus: %v", err)
	}
	waitFor(t, "standby", b.activeIs("standby"))
	li := b.e.Links()[0]
	if li.LastSwitchover == nil || li.LastSwitchover.Reason != "PBX reported SystemStatus disabled" {
		t.Errorf("switchover %+v", li.LastSwitchover)
	}
}

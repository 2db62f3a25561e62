package cti

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Calls that ring while the first resync of a term still runs (the node answers slowly) must
// keep the handle they were announced with: a client answers with it.
func TestCallsRingingDuringFirstResync(t *testing.T) {
	s := newSim(t, "200-299")
	s.primary.SetResponseDelay(25 * time.Millisecond)
	b := startBridge(t, nil, "i1", s.pbxConfig("200-239"), nil)
	waitFor(t, "link on primary", b.activeIs("primary"))
	targets := []string{"239", "230", "220", "210", "201"}
	for i, x := range targets {
		if _, err := s.p.IncomingCall(fmt.Sprintf("+4930555%03d", i), x); err != nil {
			t.Fatal(err)
		}
		time.Sleep(40 * time.Millisecond)
	}
	waitFor(t, "first resync completed", func() error { return b.resynced(0, time.Time{}) })
	waitFor(t, "bridge equals the PBX", b.matchesTruth(s, s.primary, exts(200, 239)))
	for _, en := range b.rec.all() {
		if en.Event.Type == tapi.BridgeResync && en.Event.Resync.Phase == "completed" {
			t.Logf("first resync took %d ms", en.Event.Resync.DurationMs)
		}
	}
	for _, x := range targets {
		line := "hq/" + x
		var announced []tapi.CallHandle
		for _, en := range b.rec.all() {
			if en.Event.Type == tapi.LineNewCall && en.Event.Line == line {
				announced = append(announced, en.Event.Handle)
			}
		}
		calls := b.e.Calls(line)
		if len(announced) != 1 || len(calls) != 1 || calls[0].Handle != announced[0] {
			t.Errorf("%s: announced %v, has %+v", line, announced, calls)
			continue
		}
		if rep := b.e.Do(context.Background(), Request{ID: 1, Op: OpAnswer, Line: line, Handle: announced[0]}); rep.Result != 0 {
			t.Errorf("%s: answer %s: %+v", line, announced[0], rep)
		}
	}
}

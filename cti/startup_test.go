package cti

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Lines the store did not know are out of service until the first resync has monitored
// them, and every client is told when they come into service: a client that connected
// during the bridge's start (and was told they were out of service) must not keep that view.
func TestNewLinesComeIntoServiceWithAnEvent(t *testing.T) {
	s := newSim(t, "200-209")
	b := startBridge(t, nil, "i1", s.pbxConfig("200-203"), nil)
	waitFor(t, "first resync completed", func() error { return b.resynced(0, time.Time{}) })
	waitFor(t, "lines in service", func() error {
		for _, l := range b.e.Lines("hq") {
			if !l.InService {
				return fmt.Errorf("%s out of service", l.Name)
			}
		}
		return nil
	})
	for _, x := range []string{"200", "201", "202", "203"} {
		var seq []string
		for _, en := range b.rec.all() {
			if ev := en.Event; ev.Type == tapi.LineLineDevState && ev.Line == "hq/"+x {
				seq = append(seq, ev.LineState.DevState.String())
			}
		}
		if fmt.Sprint(seq) != "[LINEDEVSTATE_OUTOFSERVICE LINEDEVSTATE_INSERVICE]" {
			t.Errorf("hq/%s: LINE_LINEDEVSTATE %v, want OUTOFSERVICE then INSERVICE", x, seq)
		}
	}
}

package cti

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// A bridge speaking the generic dialect to a switch that wants an ECMA-354 application
// session gets every monitor refused as a security violation. Before, /readyz said ready and
// the link "up"; now the engine is not ready, says that none of the devices is monitored, why,
// and that the dialect is the likely cause.
func TestEveryMonitorRefusedIsNotReady(t *testing.T) {
	s := newSim(t, "200-203") // dialect osv: an application session is required
	pc := s.pbxConfig("200-203")
	pc.Dialect = "generic"
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "devices reported unmonitored", func() error {
		for _, li := range b.e.Links() {
			if li.Unmonitored == 4 {
				return nil
			}
		}
		return fmt.Errorf("links %+v", b.e.Links())
	})
	li := b.e.Links()[0]
	assert.Contains(t, li.UnmonitoredReason, "securityViolation")
	assert.Contains(t, li.UnmonitoredHint, "pbxs[].dialect")
	err := b.e.Ready(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "none of its 4 devices could be monitored")
	assert.Contains(t, err.Error(), "dialect")
}

// Devices the switch does not know are refused, stay out of service, and are asked again
// while the link is up (the others are in service, and the engine is ready).
func TestRefusedMonitorsAreAskedAgain(t *testing.T) {
	s := newSimWith(t, func(c *pbxsim.Config) {}, "200-201")
	pc := s.pbxConfig("200-203") // 202 and 203 do not exist on the switch
	file := filepath.Join(t.TempDir(), "hq.trace")
	pc.Trace = TraceConfig{Enabled: true, File: file, MaxBytes: 1 << 20, MaxFiles: 2}
	pc.Heartbeat = time.Second
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "two devices reported unmonitored", func() error {
		if li := b.e.Links()[0]; li.Unmonitored != 2 {
			return fmt.Errorf("unmonitored %d", li.Unmonitored)
		}
		return nil
	})
	require.NoError(t, b.e.Ready(context.Background()), "some devices are monitored")
	waitFor(t, "MonitorStart for 202 asked again", func() error {
		n := 0
		for _, r := range readTraceFiles(t, file, 2) {
			if r.Dir == "send" && r.Name == "MonitorStart" && bytes.Contains(r.Body, []byte(">202<")) {
				n++
			}
		}
		if n < 2 {
			return fmt.Errorf("%d MonitorStart for 202", n)
		}
		return nil
	})
	l, ok := b.e.Line("hq/202")
	require.True(t, ok)
	assert.False(t, l.InService)
	l, ok = b.e.Line("hq/200")
	require.True(t, ok)
	assert.True(t, l.InService)
}

package cti

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// A switch that reads only the first requested protocol version and speaks ed3 refuses the
// bridge's ed4 first; the bridge tries the next editions, settles on ed3, logs it, and the
// link works in that edition.
func TestSessionNegotiatesProtocolVersion(t *testing.T) {
	s := newSimWith(t, func(c *pbxsim.Config) {
		c.Edition = csta.Ed3
		c.FirstVersionOnly = true
	}, "200-203")
	logs := &testkit.Buffer{Keep: 64 << 10}
	b := startBridge(t, nil, "i1", s.pbxConfig("200-203"), withLog(logs))
	waitFor(t, "link on the primary", b.activeIs("primary"))
	waitFor(t, "first resync completed", func() error { return b.resynced(0, time.Time{}) })
	_, err := s.p.Dial("200", "201")
	require.NoError(t, err)
	waitFor(t, "call offered at 201", func() error {
		for _, c := range b.e.Calls("hq/201") {
			if c.State.String() == "LINECALLSTATE_OFFERING" {
				return nil
			}
		}
		return fmt.Errorf("no offering call at 201")
	})
	assert.Contains(t, logs.String(), "edition=ed3", "the negotiated edition is logged")
}

// The ECMA-354 session is kept alive by ResetApplicationSessionTimer: with a one-second
// session the switch grants many renewals and never drops the session.
func TestApplicationSessionKeptAlive(t *testing.T) {
	s := newSim(t, "200-201")
	pc := s.pbxConfig("200-201")
	pc.SessionDuration = 1
	logs := &testkit.Buffer{Keep: 64 << 10}
	b := startBridge(t, nil, "i1", pc, withLog(logs))
	waitFor(t, "link on the primary", b.activeIs("primary"))
	start := s.primary.SessionResets()
	// Eight renewals at the 200 ms heartbeat span more than the one-second session.
	waitFor(t, "eight session renewals", func() error {
		if n := s.primary.SessionResets() - start; n < 8 {
			return fmt.Errorf("%d renewals", n)
		}
		return nil
	})
	for _, d := range s.primary.SessionDrops() {
		assert.NotContains(t, d, "expired", "session dropped: %s", d)
	}
	require.NoError(t, b.activeIs("primary")())
	assert.False(t, strings.Contains(logs.String(), "switchover"), "no switchover while the session is kept alive")
}

// withLog sends the engine's log to buf as well as the test's log.
func withLog(buf *testkit.Buffer) func(*Config) {
	return func(c *Config) {
		l := logrus.New()
		l.SetOutput(io.MultiWriter(buf, c.Log.Logger.Out))
		l.SetLevel(logrus.InfoLevel)
		c.Log = logrus.NewEntry(l).WithField("instance", c.InstanceID)
	}
}

package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// Events that reach this instance's clients late (web.late_after) count as overload here
// although the engine reports none, as on an instance that only follows the log: the client
// that stopped reading is shed with 4008 and the overload reason, the client that keeps up
// (late by the feed's lag only) is not, and the episode is logged when it starts.
func TestShedWhenEventsArriveLate(t *testing.T) {
	logs := &testkit.Buffer{}
	e := newEnv(t, envOpts{log: logs,
		wrap: func(s cti.Service) cti.Service { return &delayedFeed{Service: s, pass: lateBy(600 * time.Millisecond)} },
		web: func(c *Config) {
			c.SendQueue = 64
			c.BehindLimit = time.Minute
			c.LateAfter = 300 * time.Millisecond
		}})
	trafficOn(t, e, "hq/201")

	stalled := dialSmallBuffer(t, e)
	fast, _ := e.connect(tokSue)
	fast.send(map[string]any{"type": "subscribe", "all": true})
	fast.expect("synced")
	go func() { // the client that keeps up reads everything
		for {
			if _, ok := fast.next(time.Minute); !ok {
				return
			}
		}
	}()
	e.eventually(30*time.Second, "the stalled client shed under overload", func() bool {
		return len(shedOrder(logs)) >= 1
	})
	require.Equal(t, []string{stalled.LocalAddr().String()}, shedOrder(logs)[:1])
	require.Contains(t, logs.String(), "events reach this instance's clients late")
	var fastShed bool
	for _, l := range strings.Split(logs.String(), "\n") {
		var m struct {
			Msg    string `json:"msg"`
			Remote string `json:"remote"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "websocket client disconnected" && m.Remote != stalled.LocalAddr().String() {
			fastShed = true
		}
	}
	require.False(t, fastShed, "the client that keeps up was disconnected")
	// The shed session is gone once its goroutines end, after the log says it was shed.
	e.eventually(30*time.Second, "the shed session gone, the other kept", func() bool {
		return len(e.srv.Clients()) == 1
	})
}

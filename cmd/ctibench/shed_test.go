package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// shedTally counts the bridge's 4008 disconnects by the client's hello name and the reason,
// from log lines as the instances write them.
func TestShedTally(t *testing.T) {
	lines := []string{
		`time="2026-12-06T18:54:40Z" level=warning msg="websocket client disconnected" client=ctibench-slow close_code=4008 component=web instance=bench-1 reason="slow consumer: shed under overload, 2264 events behind" remote="127.0.0.1:53582" user=bench`,
		`time="2026-12-06T18:54:41Z" level=warning msg="websocket client disconnected" client=ctibench-slow close_code=4008 component=web instance=bench-1 reason="slow consumer: behind for more than 10s in 1m0s" remote="127.0.0.1:53583" user=bench`,
		`time="2026-12-06T18:54:47Z" level=warning msg="websocket client disconnected" client=ctibench close_code=4008 component=web instance=bench-1 reason="slow consumer: behind for more than 10s in 1m0s" remote="127.0.0.1:53392" user=bench`,
		`time="2026-12-06T18:54:51Z" level=warning msg="websocket client disconnected" client=ctibench-audit close_code=4008 component=web instance=bench-1 reason="slow consumer: shed under overload, 82308 events behind" remote="127.0.0.1:52652" user=bench`,
		`time="2026-12-06T18:54:52Z" level=warning msg="websocket client disconnected" client=ctibench close_code=4009 component=web instance=bench-1 reason="resync required" remote="127.0.0.1:52653" user=bench`,
		`time="2026-12-06T18:54:53Z" level=warning msg="PBX event feed interrupted; resubscribing" component=web`,
	}
	name := filepath.Join(t.TempDir(), "bench-1.log")
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	require.Equal(t, Shed{SlowOverload: 1, SlowOther: 1, FastOther: 1, AuditOverload: 1},
		shedTally([]string{name, filepath.Join(t.TempDir(), "missing.log")}))
}

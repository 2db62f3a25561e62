package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLimitsInDocs holds the limits docs/websocket.md states to the defaults in code (issue
// 16: the documented limits differed from the daemon's). Each phrase is built from the value
// the server uses, so changing a default without the page fails here.
func TestLimitsInDocs(t *testing.T) {
	doc := regexp.MustCompile(`\s+`).ReplaceAllString(readRepoFile(t, "../docs/websocket.md"), " ")
	secs := func(d time.Duration) string { return fmt.Sprintf("%d s", int(d/time.Second)) }
	d := DefaultConfig()
	for _, want := range []string{
		fmt.Sprintf("`pong_timeout/2` (default %s)", secs(d.PongTimeout/2)),
		fmt.Sprintf("`pong_timeout` (%s)", secs(d.PongTimeout)),
		fmt.Sprintf("`web.user_command_rate`, default %d a minute, burst %d", d.UserCommandRate, d.UserCommandBurst),
		fmt.Sprintf("`web.line_command_rate`, default %d a minute, burst %d", d.LineCommandRate, d.LineCommandBurst),
		fmt.Sprintf("`web.behind_limit` (default %s)", secs(d.BehindLimit)),
		fmt.Sprintf("`send_queue` messages (default %d;", d.SendQueue),
		fmt.Sprintf("at most %d commands in flight", maxCommandsInFlight),
		fmt.Sprintf("`max_message_bytes` (default %d KiB)", d.MaxMessageBytes>>10),
		fmt.Sprintf("`max_sessions_per_user` (default %d)", d.MaxSessionsPerUser),
		fmt.Sprintf("`dial_rate_per_minute` (default %d)", d.DialRatePerMinute),
		fmt.Sprintf("the hello timeout (%s)", secs(helloTimeout)),
		fmt.Sprintf(`"limits": {"maxMessageBytes": %d, "sendQueue": %d, "dialPerMinute": %d, "commandsPerMinute": %d, "lineCommandsPerMinute": %d, "maxSessions": %d}`,
			d.MaxMessageBytes, d.SendQueue, d.DialRatePerMinute, d.UserCommandRate, d.LineCommandRate, d.MaxSessionsPerUser),
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/websocket.md does not say %q (the value in code)", want)
		}
	}
}

package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
)

// Lines added to a subscription while the hub lags the store: the resync (taken from the
// store, ahead of the hub) covers every line of the session, so that no event of the lines
// it had before comes after it with a lower offset (clients drop those as already seen), and
// synced is not below the resync.
func TestWSLinesAddedWhileHubLags(t *testing.T) {
	feed := newHeldFeed()
	e := newEnv(t, envOpts{wrap: func(s cti.Service) cti.Service { feed.Service = s; return feed }})
	w, _ := e.connect(tokSue)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/201"}})
	w.expect("synced")

	feed.hold()
	publishBurst(t, e, "hq/201", 3, 0)
	ahead := publishBurst(t, e, "hq/202", 1, 0)
	w.send(map[string]any{"type": "subscribe", "lines": []string{"hq/202"}})
	rs := w.expect("resync")
	var lines []tapi.Line
	rs.decodeLines(t, &lines)
	var names []string
	for _, l := range lines {
		names = append(names, l.Name)
	}
	require.ElementsMatch(t, []string{"hq/201", "hq/202"}, names, "the resync covers the session's lines")
	require.GreaterOrEqual(t, rs.Offset, ahead.Offset)
	synced := w.expect("synced")
	require.GreaterOrEqual(t, synced.Offset, rs.Offset, "synced below the resync")

	feed.release()
	end := publishBurst(t, e, "hq/201", 1, 0)
	for {
		m, ok := w.next(10e9)
		require.True(t, ok, "stream ended: %v", w.err())
		if m.Type != "event" {
			continue
		}
		require.Greater(t, m.Offset, rs.Offset, "event %s after the resync at %d", m.raw, rs.Offset)
		if m.Offset >= end.Offset {
			break
		}
	}
}

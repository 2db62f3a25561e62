package cti

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta/tracefile"
	"github.com/ctibridge/ctibridge/tapi"
)

// readTraceFiles reads FILE.<n-1> .. FILE.1, FILE (oldest first), skipping missing ones.
func readTraceFiles(t testing.TB, file string, n int) []tracefile.Record {
	t.Helper()
	var out []tracefile.Record
	for i := n - 1; i >= 0; i-- {
		name := file
		if i > 0 {
			name = fmt.Sprintf("%s.%d", file, i)
		}
		recs, err := tracefile.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		out = append(out, recs...)
	}
	return out
}

// idles counts LINE_CALLSTATE IDLE events of line in the bridge's log.
func (b *bridge) idles(line string) int {
	return b.rec.count(tapi.LineCallState, func(ev tapi.Event) bool {
		return ev.Line == line && ev.CallState.State == tapi.LINECALLSTATE_IDLE
	})
}

// TestWireTraceOnLiveLink runs a bridge with the trace enabled by configuration while a call
// is made, answered and cleared; the files stay under the cap as they rotate; switching the
// trace off stops the writing and switching it on resumes it, on the same session.
func TestWireTraceOnLiveLink(t *testing.T) {
	s := newSim(t, "200-203")
	file := filepath.Join(t.TempDir(), "hq.trace")
	const maxBytes, maxFiles = 8192, 3
	pc := s.pbxConfig("200-203")
	pc.Trace = TraceConfig{Enabled: true, File: file, MaxBytes: maxBytes, MaxFiles: maxFiles}
	// Heartbeats (traced too) at a slow pace, so that they rotate a call's frames out of the
	// files only long after the test has read them, however slowly the test runs.
	pc.Heartbeat = time.Second
	b := startBridge(t, nil, "trace-1", pc, nil)
	waitFor(t, "link up on the primary", b.activeIs("primary"))

	call := func(a, c string) {
		t.Helper()
		before := b.idles("hq/" + a)
		_, err := s.p.Dial(a, c)
		require.NoError(t, err)
		require.NoError(t, s.p.Answer(c))
		require.NoError(t, s.p.HangUp(a))
		require.Eventually(t, func() bool { return b.idles("hq/"+a) > before }, patience, tick)
	}
	has := func(name string) func() bool {
		return func() bool {
			for _, r := range readTraceFiles(t, file, maxFiles) {
				if r.Name == name {
					return true
				}
			}
			return false
		}
	}
	call("200", "201")
	require.Eventually(t, has("ConnectionClearedEvent"), patience, tick)
	recs := readTraceFiles(t, file, maxFiles)
	for _, r := range recs {
		require.Equal(t, "hq", r.PBX)
		require.Equal(t, "primary", r.Node)
	}
	require.Contains(t, names(recs), "send MonitorStart")
	require.Contains(t, names(recs), "recv MonitorStartResponse")
	require.Contains(t, names(recs), "recv DeliveredEvent")

	// Heartbeats keep the trace growing: wait for a rotation, then check the cap.
	require.Eventually(t, func() bool { _, err := os.Stat(file + ".2"); return err == nil }, time.Minute, tick)
	for _, name := range []string{file, file + ".1", file + ".2"} {
		st, err := os.Stat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // a rotation going on this moment renames .1 to .2, then the file to .1
		}
		require.NoError(t, err)
		require.LessOrEqual(t, st.Size(), int64(maxBytes), name)
	}
	_, err := os.Stat(file + ".3")
	require.True(t, errors.Is(err, os.ErrNotExist), "no more than %d files", maxFiles)

	// Off: nothing more is written, though calls and heartbeats go on.
	st, err := b.e.SetTrace("hq", false)
	offAt := time.Now()
	require.NoError(t, err)
	require.False(t, st.Enabled)
	require.True(t, st.OwnedHere)
	lines := st.Lines
	size := func() int64 {
		var n int64
		for _, name := range []string{file, file + ".1", file + ".2"} {
			if fi, err := os.Stat(name); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	sizeOff := size()
	call("202", "203")
	st, err = b.e.Trace("hq")
	require.NoError(t, err)
	require.Equal(t, lines, st.Lines)
	require.Equal(t, sizeOff, size())

	// On again: the same session's messages are traced again.
	onAt := time.Now()
	_, err = b.e.SetTrace("hq", true)
	require.NoError(t, err)
	call("201", "202")
	require.Eventually(t, func() bool {
		st, _ := b.e.Trace("hq")
		return st.Lines > lines && st.Enabled && st.WriteErrors == 0 && st.Dropped == 0
	}, patience, tick)
	require.Eventually(t, func() bool {
		for _, r := range readTraceFiles(t, file, maxFiles) {
			if r.Name == "ConnectionClearedEvent" && r.Time.After(onAt) {
				return true
			}
		}
		return false
	}, patience, tick)
	for _, r := range readTraceFiles(t, file, maxFiles) {
		require.False(t, r.Time.After(offAt) && r.Time.Before(onAt), "traced while off: %s", r)
	}

	// All of it on one session: no reconnect, no switchover.
	require.Empty(t, s.primary.SessionDrops())
	require.Equal(t, 1, s.primary.Sessions())
	require.Zero(t, b.rec.count(tapi.BridgeSwitchover, nil))
}

func names(recs []tracefile.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Dir+" "+r.Name)
	}
	return out
}

const (
	patience = 10 * time.Second
	tick     = 10 * time.Millisecond
)

// TestWireTraceSwitchedOnLater: a session dialled while the trace is off (it gets no trace
// function, so its frames cost nothing) is traced once the trace is switched on at run time,
// and the trace knows the live session only.
func TestWireTraceSwitchedOnLater(t *testing.T) {
	s := newSim(t, "200-201")
	file := filepath.Join(t.TempDir(), "hq.trace")
	pc := s.pbxConfig("200-201")
	pc.Trace = TraceConfig{File: file, MaxBytes: 1 << 20, MaxFiles: 2}
	b := startBridge(t, nil, "trace-2", pc, nil)
	waitFor(t, "link up on the primary", b.activeIs("primary"))
	call := func() {
		t.Helper()
		before := b.idles("hq/200")
		_, err := s.p.Dial("200", "201")
		require.NoError(t, err)
		require.NoError(t, s.p.HangUp("200"))
		require.Eventually(t, func() bool { return b.idles("hq/200") > before }, patience, tick)
	}
	call()
	_, err := os.Stat(file)
	require.True(t, errors.Is(err, os.ErrNotExist), "nothing traced while off")

	onAt := time.Now()
	st, err := b.e.SetTrace("hq", true)
	require.NoError(t, err)
	require.True(t, st.Enabled)
	call()
	require.Eventually(t, func() bool {
		for _, r := range readTraceFiles(t, file, 2) {
			if r.Name == "ConnectionClearedEvent" && r.Time.After(onAt) && r.Node == "primary" {
				return true
			}
		}
		return false
	}, patience, tick)
	tr := b.e.pbxs["hq"].trace
	tr.mu.Lock()
	tr.prune()
	require.Len(t, tr.sessions, 1, "the live session")
	tr.mu.Unlock()
	require.Equal(t, 1, s.primary.Sessions())
}

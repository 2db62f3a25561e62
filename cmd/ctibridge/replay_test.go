package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/csta/tracefile"
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// traceBridge is an engine on a memory store against one CSTA node.
type traceBridge struct {
	eng  *cti.Engine
	st   *memory.Store
	stop func()
}

func startTraceBridge(t *testing.T, name, addr string, trace cti.TraceConfig) *traceBridge {
	t.Helper()
	st := memory.New(memory.Options{SubscriberBuffer: 1 << 12, MaxLogLen: 1 << 16})
	eng, err := cti.New(cti.Config{InstanceID: name, Store: st, LeaseTTL: 5 * time.Second,
		PBXs: []cti.PBXConfig{{Name: "hq", Dialect: "osv", Primary: addr, User: "cti", Password: "secret",
			Heartbeat: 200 * time.Millisecond, ConnectTimeout: 2 * time.Second, BackoffMin: 50 * time.Millisecond,
			BackoffMax: 200 * time.Millisecond, Devices: []string{"200-203"}, Trace: trace}}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(ctx) }()
	b := &traceBridge{eng: eng, st: st}
	var once bool
	b.stop = func() {
		if !once {
			once = true
			cancel()
			<-done
			st.Close()
		}
	}
	t.Cleanup(b.stop)
	return b
}

func (b *traceBridge) log(t *testing.T) []store.Entry {
	t.Helper()
	ctx := context.Background()
	pos, err := b.st.Position(ctx, "hq")
	require.NoError(t, err)
	es, err := b.st.Replay(ctx, "hq", pos.Epoch, 0, 0)
	require.NoError(t, err)
	return es
}

// callEvents summarises the call events of the log: type, line, handle, state.
func callEvents(evs []tapi.Event, line string) []string {
	var out []string
	for _, ev := range evs {
		if ev.Handle == "" || (line != "" && ev.Line != line) {
			continue
		}
		s := fmt.Sprintf("%s %s %s", ev.Type, ev.Line, ev.Handle)
		if ev.CallState != nil {
			s += " " + ev.CallState.State.String()
		}
		out = append(out, s)
	}
	return out
}

// finalStates is the last call state of every handle of the log, sorted.
func finalStates(evs []tapi.Event) []string {
	last := map[string]string{}
	for _, ev := range evs {
		if ev.Type == tapi.LineCallState {
			last[ev.Line+" "+string(ev.Handle)] = ev.CallState.State.String()
		}
	}
	var out []string
	for k, v := range last {
		out = append(out, k+" "+v)
	}
	sort.Strings(out)
	return out
}

func events(es []store.Entry) []tapi.Event {
	out := make([]tapi.Event, len(es))
	for i, e := range es {
		out[i] = e.Event
	}
	return out
}

// TestTraceReplayRoundTrip records a bridge's CSTA link with the wire trace while a call is
// made, answered and cleared; `ctibridge replay` of the trace prints the call events the
// bridge logged; and `pbxsim -replay`'s player, played to a fresh bridge, leaves that bridge
// with the same call states.
func TestTraceReplayRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sim, err := pbxsim.New(pbxsim.Config{Extensions: []string{"200-203"}, Dialect: "osv", User: "cti",
		Password: "secret", NoAnswerTime: time.Hour})
	require.NoError(t, err)
	defer sim.Close()
	node, err := sim.StartNode(ctx, "primary", "127.0.0.1:0")
	require.NoError(t, err)

	file := filepath.Join(t.TempDir(), "hq.trace")
	orig := startTraceBridge(t, "orig", node.Addr(), cti.TraceConfig{Enabled: true, File: file, MaxBytes: 64 << 20})
	resynced := func(b *traceBridge) func() bool {
		return func() bool {
			for _, e := range b.log(t) {
				if e.Event.Type == tapi.BridgeResync && e.Event.Resync.Phase == "completed" {
					return true
				}
			}
			return false
		}
	}
	require.Eventually(t, resynced(orig), 10*time.Second, 10*time.Millisecond)
	_, err = sim.Dial("200", "201")
	require.NoError(t, err)
	require.NoError(t, sim.Answer("201"))
	require.NoError(t, sim.HangUp("200"))
	idle := func(b *traceBridge, lines ...string) func() bool {
		return func() bool {
			n := 0
			for _, ev := range events(b.log(t)) {
				for _, l := range lines {
					if ev.Type == tapi.LineCallState && ev.Line == l && ev.CallState.State == tapi.LINECALLSTATE_IDLE {
						n++
					}
				}
			}
			return n >= len(lines)
		}
	}
	require.Eventually(t, idle(orig, "hq/200", "hq/201"), 10*time.Second, 10*time.Millisecond)
	origLog := events(orig.log(t))
	orig.stop() // closes the trace file
	want := callEvents(origLog, "")
	require.NotEmpty(t, want)

	// (b) ctibridge replay prints the same call events.
	var out, errOut bytes.Buffer
	require.Equal(t, 0, realMain([]string{"replay", file}, &out, &errOut), errOut.String())
	var got []tapi.Event
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev tapi.Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), sc.Text())
		require.Equal(t, "hq", ev.PBX)
		got = append(got, ev)
	}
	require.Equal(t, want, callEvents(got, ""), "replay stderr:\n%s", errOut.String())

	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, realMain([]string{"replay", "--lines", "201", file, "--pbx", "hq"}, &out, &errOut), errOut.String())
	require.Equal(t, callEvents(origLog, "hq/201"), callEvents(decodeLines(t, out.String()), ""))

	// Errors name the file and the line; unknown monitors are reported, not skipped silently.
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "bad.trace")
	require.NoError(t, os.WriteFile(bad, append(append([]byte{}, raw...), "not a trace line\n"...), 0o600))
	errOut.Reset()
	require.Equal(t, 1, realMain([]string{"replay", bad}, &out, &errOut))
	require.Contains(t, errOut.String(), fmt.Sprintf("%s:%d: ", bad, bytes.Count(raw, []byte("\n"))+1))
	var kept []string
	for _, l := range strings.SplitAfter(string(raw), "\n") {
		if !strings.Contains(l, " MonitorStartResponse ") {
			kept = append(kept, l)
		}
	}
	noMon := filepath.Join(t.TempDir(), "nomon.trace")
	require.NoError(t, os.WriteFile(noMon, []byte(strings.Join(kept, "")), 0o600))
	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, realMain([]string{"replay", noMon}, &out, &errOut))
	require.Empty(t, out.String())
	require.Contains(t, errOut.String(), "is unknown: no MonitorStart with its response in the trace")

	// (c) pbxsim -replay: the player as the switch of a fresh bridge.
	recs, err := tracefile.ReadFile(file)
	require.NoError(t, err)
	var plog testkit.Buffer
	pl, err := pbxsim.StartReplay(ctx, "127.0.0.1:0", pbxsim.ReplayConfig{Records: recs, Dialect: csta.DialectOSV, Log: &plog})
	require.NoError(t, err)
	defer pl.Close()
	fresh := startTraceBridge(t, "fresh", pl.Addr(), cti.TraceConfig{})
	select {
	case <-pl.Finished():
	case <-ctx.Done():
		t.Fatalf("player did not finish:\n%s", plog.String())
	}
	require.Eventually(t, idle(fresh, "hq/200", "hq/201"), 10*time.Second, 10*time.Millisecond, "player log:\n%s", plog.String())
	require.Equal(t, finalStates(origLog), finalStates(events(fresh.log(t))))
	require.Equal(t, want, callEvents(events(fresh.log(t)), ""))
}

func decodeLines(t *testing.T, s string) []tapi.Event {
	var out []tapi.Event
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var ev tapi.Event
		require.NoError(t, json.Unmarshal([]byte(l), &ev))
		out = append(out, ev)
	}
	return out
}

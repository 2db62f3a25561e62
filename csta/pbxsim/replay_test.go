package pbxsim

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/tracefile"
)

// eventLog collects a client's events as "monitor name" strings.
type eventLog struct {
	mu  sync.Mutex
	evs []string
}

func (l *eventLog) add(ev csta.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, string(ev.Common().MonitorCrossRefID)+" "+ev.MessageName())
	l.mu.Unlock()
}

func (l *eventLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.evs...)
}

// syncWriter is a goroutine-safe buffer for the player's log.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestReplayPlaysTraceAsSwitch records a client's session with the simulator through a
// full-body trace, plays the trace with a Player, and checks that a fresh client that asks
// the same (in another order) gets the recorded monitors and the same events, and that a
// request the trace never answered is refused and reported.
func TestReplayPlaysTraceAsSwitch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pbx, err := New(Config{Extensions: []string{"200-203"}, Dialect: "generic"})
	require.NoError(t, err)
	defer pbx.Close()
	node, err := pbx.StartNode(ctx, "primary", "127.0.0.1:0")
	require.NoError(t, err)

	// Record: the trace goes through the file format, as it would on a customer's site.
	var mu sync.Mutex
	var file bytes.Buffer
	trace := func(r csta.TraceRecord) {
		mu.Lock()
		defer mu.Unlock()
		file.Write(tracefile.AppendRecord(nil, tracefile.Record{Time: r.Time, PBX: "hq", Node: "primary",
			Dir: r.Dir, InvokeID: r.InvokeID, Name: r.Name, Body: r.Body}))
	}
	var orig eventLog
	c1, err := csta.Dial(ctx, node.Addr(), csta.Config{Dialect: csta.DialectGeneric, TraceTo: trace, OnEvent: orig.add})
	require.NoError(t, err)
	exts := []string{"200", "201", "202", "203"}
	refs := map[string]csta.MonitorCrossRefID{}
	for _, x := range exts {
		m, err := c1.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device(x)})
		require.NoError(t, err)
		refs[x] = m.(*csta.MonitorStartResponse).MonitorCrossRefID
	}
	_, err = pbx.Dial("200", "201")
	require.NoError(t, err)
	require.NoError(t, pbx.Answer("201"))
	require.NoError(t, pbx.HangUp("200"))
	cleared := func(l *eventLog) func() bool {
		return func() bool {
			n := 0
			for _, e := range l.all() {
				if e == string(refs["201"])+" ConnectionClearedEvent" || e == string(refs["200"])+" ConnectionClearedEvent" {
					n++
				}
			}
			return n >= 2
		}
	}
	require.Eventually(t, cleared(&orig), 10*time.Second, 5*time.Millisecond)
	c1.Close()
	mu.Lock()
	var recs []tracefile.Record
	rd := tracefile.NewReader(bytes.NewReader(file.Bytes()))
	for {
		r, err := rd.Next()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		recs = append(recs, r)
	}
	mu.Unlock()

	// Play it back.
	var log syncWriter
	pl, err := StartReplay(ctx, "127.0.0.1:0", ReplayConfig{Records: recs, Dialect: csta.DialectGeneric, Log: &log})
	require.NoError(t, err)
	defer pl.Close()
	var got eventLog
	c2, err := csta.Dial(ctx, pl.Addr(), csta.Config{Dialect: csta.DialectGeneric, OnEvent: got.add})
	require.NoError(t, err)
	defer c2.Close()
	for i := len(exts) - 1; i >= 0; i-- { // another order: matched by device
		m, err := c2.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device(exts[i])})
		require.NoError(t, err)
		require.Equal(t, refs[exts[i]], m.(*csta.MonitorStartResponse).MonitorCrossRefID, exts[i])
	}
	select {
	case <-pl.Finished():
	case <-ctx.Done():
		t.Fatalf("the player did not finish: %s", log.String())
	}
	require.Eventually(t, func() bool { return len(got.all()) == len(orig.all()) }, 10*time.Second, 5*time.Millisecond)
	require.Equal(t, orig.all(), got.all())

	_, err = c2.Request(ctx, &csta.MakeCall{CallingDevice: csta.Device("200"), CalledDirectoryNumber: csta.Device("201")})
	var ce *csta.Error
	require.ErrorAs(t, err, &ce)
	require.Equal(t, csta.ErrRequestedServiceNotSupported, ce.Value)
	require.Contains(t, log.String(), "no recorded answer to MakeCall")
}

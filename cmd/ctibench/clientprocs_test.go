package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A client process's deltas, applied to the bench's recorder, add up to what it recorded.
func TestRecorderDeltasAddUp(t *testing.T) {
	child, parent := newRecorder(), newRecorder()
	child.measuring.Store(true)
	var dt deltaTracker
	lat := []time.Duration{10 * time.Microsecond, 300 * time.Microsecond, 2 * time.Millisecond, 40 * time.Millisecond}
	sent := time.Now()
	for round := range 3 {
		for i, d := range lat {
			child.clientEvent(d*time.Duration(round+1), sent, sent.Add(d*time.Duration(i+1)))
		}
		child.connected.Add(int64(2 - round)) // 2, 1, 0: up then down
		child.reconnected(time.Duration(round+1) * time.Second)
		// The delta goes through JSON, as on the pipe.
		raw, err := json.Marshal(dt.delta(child))
		require.NoError(t, err)
		var d recorderDelta
		require.NoError(t, json.Unmarshal(raw, &d))
		parent.apply(&d)
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		require.Equal(t, child.b2c.quantile(q), parent.b2c.quantile(q), "b2c q%v", q)
		require.Equal(t, child.e2e.quantile(q), parent.e2e.quantile(q), "e2e q%v", q)
	}
	require.Equal(t, child.b2c.n.Load(), parent.b2c.n.Load())
	require.Equal(t, child.b2c.maxUS.Load(), parent.b2c.maxUS.Load())
	require.Equal(t, child.eventsOut.Load(), parent.eventsOut.Load())
	require.Equal(t, child.connected.Load(), parent.connected.Load())
	require.Equal(t, int64(3*time.Second), parent.maxReconn.Load())
	require.Equal(t, uint64(3), parent.reconnects.Load())
	require.Equal(t, uint64(len(lat)*3), parent.win.Load().b2c.n.Load())
}

func TestClientProcsFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
		ok   bool
	}{
		{[]string{"-clients", "100"}, 0, true},
		{[]string{"-clients", "18000"}, 2, true},
		{[]string{"-clients", "54000", "-devices", "100"}, 4, true},
		{[]string{"-clients", "10", "-client-procs", "3"}, 3, true},
		{[]string{"-clients", "2", "-client-procs", "3"}, 0, false},
		{[]string{"-client-procs", "-2"}, 0, false},
	} {
		o, err := parseFlags(c.args, &bytes.Buffer{})
		if !c.ok {
			require.Error(t, err, c.args)
			continue
		}
		require.NoError(t, err, c.args)
		require.Equal(t, c.want, o.clientProcs, c.args)
	}
}

// A tiny real run with the clients in two child processes, and a node kill: every client's
// counts come back for the check, latencies and counts reach the report.
func TestClientProcessesReportBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs for several seconds")
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "r.json")
	var stdout, stderr bytes.Buffer
	code := realMain([]string{"-clients", "7", "-client-procs", "2", "-slow-clients", "1", "-devices", "20",
		"-rate", "5", "-duration", "4s", "-warmup", "500ms", "-failover", "node-kill", "-quiet",
		"-json", jsonPath, "-logdir", filepath.Join(dir, "logs")}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr:\n%s", stderr.String())
	raw, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var r Result
	require.NoError(t, json.Unmarshal(raw, &r))
	v := r.Verification
	require.True(t, v.Complete, "%+v", v)
	require.Equal(t, 7, v.ClientsChecked)
	require.Zero(t, v.Lost)
	require.Zero(t, v.Duplicated)
	require.Positive(t, r.Throughput.ClientEventsOut)
	require.Positive(t, r.Latency.E2E.Count)
	require.Positive(t, r.Overload.SlowEvents)
	require.Positive(t, r.Latency.FaultBridgeToClient.Count+r.Latency.BridgeToClient.Count)
	require.FileExists(t, filepath.Join(dir, "logs", "clients-2.log"))
	require.Empty(t, r.Errors)
}

// A client process whose bridge does not answer says so instead of hanging, and still sends
// its clients' counts (with their errors) when stopped.
func TestClientProcReportsConnectFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now: connections are refused

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- runClientProc(inR, outW); outW.Close() }()
	enc, dec := json.NewEncoder(inW), json.NewDecoder(outR)
	require.NoError(t, enc.Encode(clientProcConfig{URLs: []string{"ws://" + addr + "/ws"}, Token: "t", PBX: "hq",
		Clients:   []clientSpec{{ID: 1, Lines: []string{"hq/1"}}, {ID: 2, Lines: []string{"hq/2"}}},
		SyncLimit: 300 * time.Millisecond, Batch: 1}))
	var failed string
	for failed == "" {
		var r clientReport
		require.NoError(t, dec.Decode(&r))
		require.False(t, r.Ready, "no client can sync")
		failed = r.Error
	}
	require.Contains(t, failed, "not synced")
	require.NoError(t, enc.Encode(clientControl{Stop: true}))
	var final []clientSummary
	for final == nil {
		var r clientReport
		require.NoError(t, dec.Decode(&r))
		final = r.Final
	}
	require.Len(t, final, 2)
	require.Equal(t, 1, final[0].ID)
	require.Positive(t, final[0].Reconnects, "the client kept trying")
	require.NoError(t, <-done)
}

package cti

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// reportCPU reports the process's CPU time per operation since cpu0 as cpu-ns/op: with the
// pipeline's goroutines and the collector, on a shared host steadier than ns/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkPipeline feeds CSTA events straight into one PBX's pipeline (reducer, batching,
// fenced writes to the memory store, view) and reports events per second. One op is one
// call of 9 events over two monitored lines.
func BenchmarkPipeline(b *testing.B) {
	const lines = 1000
	o, p, lc := benchPipeline(b, lines)
	ctx := context.Background()
	done := make(chan struct{})
	go func() { defer close(done); o.runPipeline() }()

	mon := benchMonitor(lc)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	for n := range b.N {
		for _, it := range benchCall(mon, n, lines) {
			o.q <- it
		}
	}
	if err := o.submit(ctx, func(*reducer.State, time.Time) reducer.Result { return reducer.Result{} }); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.StopTimer()
	reportCPU(b, cpu0)
	b.ReportMetric(float64(b.N*9)/took.Seconds(), "events/s")
	if calls := len(p.view.callsOf("")); calls != 0 {
		b.Fatalf("%d calls left after every call was cleared", calls)
	}
	o.cancel(nil)
	<-done
}

// benchPipeline makes the owned pipeline of a PBX with lines monitored lines (2000...) and its
// current link session, without starting it.
func benchPipeline(b testing.TB, lines int) (*pipeline, *pbx, *linkConn) {
	st := newStore()
	names := map[string]string{}
	for i := 0; i < lines; i += 3 { // some lines named: the call records name their parties
		names[fmt.Sprint(2000+i)] = fmt.Sprint("Line ", i)
	}
	e, err := New(Config{InstanceID: "bench", Store: st, LeaseTTL: time.Minute, PBXs: []PBXConfig{{
		Name: "hq", Primary: "127.0.0.1:1", Devices: []string{fmt.Sprintf("2000-%d", 2000+lines-1)},
		DisplayNames: names}}})
	if err != nil {
		b.Fatal(err)
	}
	p := e.pbxs["hq"]
	ctx := context.Background()
	lease, err := st.AcquireLease(ctx, "hq", "bench", time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	octx, cancel := context.WithCancelCause(ctx)
	b.Cleanup(func() { cancel(nil) })
	o := newOwned(octx, cancel, p, lease, time.Now().Add(time.Hour)).pl
	o.names = nil // no caller names, as the figures before the term had parts measured
	if err := o.load(); err != nil {
		b.Fatal(err)
	}
	lc := &linkConn{xref: newMonitorIndex(0), applied: o.applied, closed: make(chan struct{})}
	for _, x := range p.exts {
		lc.addMonitor(csta.MonitorCrossRefID("1"+x), x)
	}
	o.ln.setConn(lc)
	return o, p, lc
}

// benchMonitor makes a pipeline item of a CSTA event for the monitor of ext on lc.
func benchMonitor(lc *linkConn) func(ext string, ev csta.Event) item {
	return func(ext string, ev csta.Event) item {
		ev.Common().MonitorCrossRefID = csta.MonitorCrossRefID("1" + ext)
		return item{lc: lc, ev: ev, at: time.Now()}
	}
}

// benchCall is the n-th call of the benchmarks: 9 CSTA events of an internal call between
// two of the lines, answered and cleared.
func benchCall(mon func(string, csta.Event) item, n, lines int) []item {
	conn := func(id, d string) csta.ConnectionID { return csta.ConnectionID{CallID: id, DeviceID: csta.Device(d)} }
	a, c := fmt.Sprint(2000+(2*n)%lines), fmt.Sprint(2000+(2*n+1)%lines)
	id := fmt.Sprintf("C%d", n)
	da, dc := csta.Device(a), csta.Device(c)
	return []item{
		mon(a, &csta.ServiceInitiatedEvent{InitiatedConnection: conn(id, a), InitiatingDevice: da}),
		mon(a, &csta.OriginatedEvent{OriginatedConnection: conn(id, a), CallingDevice: da, CalledDevice: dc}),
		mon(a, &csta.DeliveredEvent{Connection: conn(id, c), AlertingDevice: dc, CallingDevice: da, CalledDevice: dc}),
		mon(c, &csta.DeliveredEvent{Connection: conn(id, c), AlertingDevice: dc, CallingDevice: da, CalledDevice: dc}),
		mon(a, &csta.EstablishedEvent{EstablishedConnection: conn(id, c), AnsweringDevice: dc, CallingDevice: da, CalledDevice: dc}),
		mon(c, &csta.EstablishedEvent{EstablishedConnection: conn(id, c), AnsweringDevice: dc, CallingDevice: da, CalledDevice: dc}),
		mon(a, &csta.ConnectionClearedEvent{DroppedConnection: conn(id, c), ReleasingDevice: dc}),
		mon(c, &csta.ConnectionClearedEvent{DroppedConnection: conn(id, c), ReleasingDevice: dc}),
		mon(a, &csta.ConnectionClearedEvent{DroppedConnection: conn(id, a), ReleasingDevice: da}),
	}
}

// ownerBatch runs the owner's part of one batch without the store write (reduceItems,
// batchOf with the call records, the view's applyBatch, keeping the scratch); it returns the
// batch's length.
func ownerBatch(b *testing.B, o *pipeline, p *pbx, batch []item) int {
	a, n, _, _ := o.reduceItems(batch, 4*len(batch))
	if n != len(batch) {
		b.Fatalf("reduced %d items of %d", n, len(batch))
	}
	bt := o.batchOf(&a)
	p.view.applyBatch(&bt, store.Position{})
	o.keepBatch(&a, &bt)
	return len(batch)
}

// BenchmarkPipelineReduce measures the pipeline's own part of a batch, without the store
// write and the goroutines around it: reduceItems, batchOf with the call records, the view's
// applyBatch and keeping the scratch. Batches of 20 overlapping calls (180 events), each
// call's events interleaved with the others' as a busy PBX sends them. One op is one CSTA
// event.
func BenchmarkPipelineReduce(b *testing.B) {
	const lines, calls = 1000, 20
	o, p, lc := benchPipeline(b, lines)
	mon := benchMonitor(lc)
	// Batches made before the clock starts; the script repeats with the same call IDs,
	// each call cleared before it starts again.
	const rounds = 50
	var batches [][]item
	for r := range rounds {
		var per [][]item
		for k := range calls {
			per = append(per, benchCall(mon, r*calls+k, lines))
		}
		var batch []item
		for i := range 9 {
			for k := range calls {
				batch = append(batch, per[k][i])
			}
		}
		batches = append(batches, batch)
	}
	b.ReportAllocs()
	b.ResetTimer()
	events, cpu0 := 0, cputime.Process()
	for i := 0; events < b.N; i++ {
		events += ownerBatch(b, o, p, batches[i%rounds])
	}
	b.StopTimer()
	reportCPU(b, cpu0)
	if calls := len(p.view.callsOf("")); calls != 0 {
		b.Fatalf("%d calls left after every call was cleared", calls)
	}
}

// BenchmarkSwitchover measures the time from killing the active node to every line
// resynchronised on the other node (BRIDGE_RESYNC completed), with heartbeat 250ms x 3.
// fault=kill closes the node's sockets (detected at once); fault=freeze leaves a half-open
// link, detected by three missed heartbeats.
func BenchmarkSwitchover(b *testing.B) {
	for _, fault := range []string{"kill", "freeze"} {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("fault=%s/devices=%d", fault, n), func(b *testing.B) { benchSwitchover(b, fault, n) })
		}
	}
}

func benchSwitchover(b *testing.B, fault string, n int) {
	lo := 10000
	rng := fmt.Sprintf("%d-%d", lo, lo+n-1)
	s := newSim(b, rng)
	pc := s.pbxConfig(rng)
	pc.Heartbeat, pc.Misses, pc.Failback = 250*time.Millisecond, 3, FailbackSticky
	pc.MonitorConcurrency = 64
	br := startBridge(b, nil, "bench", pc, nil)
	resynced := func(k int) func() error {
		return func() error {
			if got := br.rec.count(tapi.BridgeResync, func(ev tapi.Event) bool { return ev.Resync.Phase == "completed" }); got < k {
				return fmt.Errorf("%d resyncs completed, want %d", got, k)
			}
			return nil
		}
	}
	waitFor(b, "first resync", resynced(1))
	for i := 0; i < n/10; i += 2 { // calls on a fifth of the lines
		a, c := fmt.Sprint(lo+i), fmt.Sprint(lo+i+1)
		if _, err := s.p.Dial(a, c); err != nil {
			b.Fatal(err)
		}
		if i%4 == 0 {
			s.p.Answer(c)
		}
	}
	waitFor(b, "calls seen", func() error {
		if got := len(br.e.Calls("")); got != n/10 {
			return fmt.Errorf("%d calls", got)
		}
		return nil
	})
	nodes := []*struct {
		role string
		kill func()
		back func() error
	}{
		{"primary", s.primary.Kill, func() error { return s.primary.Restart(context.Background()) }},
		{"standby", s.standby.Kill, func() error { return s.standby.Restart(context.Background()) }},
	}
	if fault == "freeze" {
		nodes[0].kill = func() { s.primary.Freeze(true) }
		nodes[1].kill = func() { s.standby.Freeze(true) }
	}
	active := 0
	var total time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		nodes[active].kill()
		waitFor(b, "resync after switchover", resynced(i+2))
		total += time.Since(start)
		b.StopTimer()
		if err := nodes[active].back(); err != nil {
			b.Fatal(err)
		}
		active = 1 - active
		waitFor(b, "active", br.activeIs(nodes[active].role))
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/switchover")
	if li := br.e.Links()[0]; li.LastSwitchover != nil {
		b.ReportMetric(float64(li.LastSwitchover.ResyncTook.Milliseconds()), "resync-ms")
	}
	if got := len(br.e.Calls("")); got != n/10 {
		b.Fatalf("%d calls after switchovers, want %d", got, n/10)
	}
}

// BenchmarkPipelineOwner measures the owner's part of a batch as at saturation: 5,000 lines,
// each call's events spread over three batches (so that most calls end in a later batch than
// they started in, and their records start from the view's stored call), 20 calls starting
// per batch. reduceItems, batchOf with the call records, the view's applyBatch and keeping
// the scratch; no store write. One op is one CSTA event.
func BenchmarkPipelineOwner(b *testing.B) { benchPipelineOwner(b, false) }

// BenchmarkPipelineOwnerCold is BenchmarkPipelineOwner with the caches emptied before each
// batch (outside the timer), as the store write, the web hub and the CSTA decoder empty them
// between two of the pipeline's batches at saturation: there the state's lines and calls are
// cache misses, which the warm benchmark hides. Measured by the timer only (ns/op).
func BenchmarkPipelineOwnerCold(b *testing.B) { benchPipelineOwner(b, true) }

// evictCaches writes over 64 MiB (twice the host's last-level cache), line by line.
func evictCaches(buf []byte) {
	for i := 0; i < len(buf); i += 64 {
		buf[i]++
	}
}

func benchPipelineOwner(b *testing.B, cold bool) {
	const lines, calls, rounds = 5000, 20, 120
	o, p, lc := benchPipeline(b, lines)
	mon := benchMonitor(lc)
	// Round r's calls give their events 0-3 to batch r, 4-5 to batch r+1 and 6-8 to batch
	// r+2; the script repeats with the same call IDs, each call cleared before it starts again.
	stages := [][2]int{{0, 4}, {4, 6}, {6, 9}}
	batches := make([][]item, rounds)
	for r := range rounds {
		for k := range calls {
			c := benchCall(mon, r*calls+k, lines)
			for s, st := range stages {
				bi := (r + s) % rounds
				batches[bi] = append(batches[bi], c[st[0]:st[1]]...)
			}
		}
	}
	// The first two batches end calls that never started: warm up with a full round.
	for _, batch := range batches {
		ownerBatch(b, o, p, batch)
	}
	var junk []byte
	if cold {
		junk = make([]byte, 64<<20)
	}
	b.ReportAllocs()
	b.ResetTimer()
	events, cpu0 := 0, cputime.Process()
	for i := 0; events < b.N; i++ {
		if cold {
			b.StopTimer()
			evictCaches(junk)
			b.StartTimer()
		}
		events += ownerBatch(b, o, p, batches[i%rounds])
	}
	b.StopTimer()
	if !cold {
		reportCPU(b, cpu0)
	}
}

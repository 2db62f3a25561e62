package web

import (
	"fmt"
	"os"
	"runtime"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// heapProfileEnv names a file for a heap profile taken while the 10,000 sessions are up
// (-memprofile is written only after they have closed).
const heapProfileEnv = "CTIBRIDGE_WS_HEAPPROFILE"

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// heapAndStacks returns the heap in use and the goroutine stacks after a full collection.
func heapAndStacks() (heap, stacks uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, ms.StackInuse
}

// BenchmarkWSClients10k holds 10,000 subscribed WebSocket sessions on one server and reports
// the server's memory per session (heap in use + goroutine stacks, and each part). The
// clients run in a child process.
func BenchmarkWSClients10k(b *testing.B) {
	const n = 10000
	if err := raiseFDLimit(n + 1024); err != nil {
		b.Skip("cannot raise the open-files limit:", err)
	}
	e := newEnv(b, envOpts{web: unlimited})
	for range b.N {
		baseHeap, baseStacks := heapAndStacks()
		lg := startLoadgen(b, loadgenSpec{mode: "hold", url: e.wsURL(), clients: n, lines: 10, token: tokSue})
		if got := len(e.srv.Clients()); got != n {
			lg.stop()
			b.Fatalf("%d sessions, want %d", got, n)
		}
		heap, stacks := heapAndStacks()
		heap, stacks = heap-min(heap, baseHeap), stacks-min(stacks, baseStacks)
		if p := os.Getenv(heapProfileEnv); p != "" {
			writeHeapProfile(b, p)
		}
		b.ReportMetric(float64(heap+stacks)/n/1024, "KiB/client")
		b.ReportMetric(float64(heap)/n/1024, "heap-KiB/client")
		b.ReportMetric(float64(stacks)/n/1024, "stack-KiB/client")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		lg.stop()
		e.eventually(30*time.Second, "sessions closed", func() bool { return len(e.srv.Clients()) == 0 })
	}
}

// BenchmarkWSEventLatency runs the PBX simulator's traffic generator at about 2,000 events/s
// with 1,000 clients (each subscribed to one of 100 lines, so every line event reaches 10)
// and reports the latency from the engine's event time stamp (set when it reduced the CSTA
// event) to the client's receipt, p50 and p99. The clients run in a child process, as they
// would on other machines; "hub" figures are the same latency up to the hub's fan-out.
func BenchmarkWSEventLatency(b *testing.B) {
	const clients, lines = 1000, 100
	if err := raiseFDLimit(2*clients + 1024); err != nil {
		b.Skip("cannot raise the open-files limit:", err)
	}
	e := newEnv(b, envOpts{exts: []string{"200-299"}, web: unlimited})
	var mu sync.Mutex
	var hubLat []time.Duration
	recording := false
	// The hub's own receipt time separates the engine+store part from the fan-out.
	h := e.srv.hubs["hq"]
	h.mu.Lock()
	h.sinks = append(h.sinks, func(en *store.Entry) {
		now := time.Now()
		mu.Lock()
		if recording {
			hubLat = append(hubLat, now.Sub(en.Event.Time))
		}
		mu.Unlock()
	})
	h.mu.Unlock()
	lg := startLoadgen(b, loadgenSpec{mode: "latency", url: e.wsURL(), clients: clients, lines: lines, token: tokSue})
	b.Cleanup(lg.stop)
	e.eventually(30*time.Second, "clients subscribed", func() bool {
		n := 0
		for _, c := range e.srv.Clients() {
			n += len(c.Lines)
		}
		return n == clients
	})
	// A simulated call makes about 12 log entries (call state, info and line events for
	// both parties), so 170 calls/s give the 2,000 events/s of the target.
	const period, callsPerSecond = 5 * time.Second, 170
	b.ResetTimer()
	for range b.N {
		mu.Lock()
		hubLat, recording = hubLat[:0], true
		mu.Unlock()
		lg.command(b, "record")
		schedBefore, gcBefore := runtimeSample()
		startOff := logOffset(b, e)
		tr := startTraffic(b, e, callsPerSecond)
		time.Sleep(period)
		tr.Stop()
		rate := float64(logOffset(b, e)-startOff) / period.Seconds()
		schedAfter, gcAfter := runtimeSample()
		time.Sleep(500 * time.Millisecond)
		report := lg.command(b, "report")
		mu.Lock()
		recording = false
		atHub := slices.Clone(hubLat)
		mu.Unlock()
		var n int
		var p50, p99, clientSched int64
		if _, err := fmt.Sscanf(report, "latency %d %d %d %d", &n, &p50, &p99, &clientSched); err != nil {
			b.Fatalf("load generator report %q: %v", report, err)
		}
		if n == 0 {
			b.Fatal("no events received")
		}
		slices.Sort(atHub)
		if len(atHub) > 0 {
			b.ReportMetric(ms(atHub[len(atHub)/2]), "hub-p50-ms")
			b.ReportMetric(ms(atHub[len(atHub)*99/100]), "hub-p99-ms")
		}
		b.ReportMetric(ms(histQuantile(schedBefore, schedAfter, 0.99)), "sched-p99-ms")
		b.ReportMetric(ms(time.Duration(clientSched)), "client-sched-p99-ms")
		b.ReportMetric(float64(gcAfter-gcBefore), "gcs")
		b.ReportMetric(rate, "events/s")
		b.ReportMetric(float64(n)/period.Seconds(), "deliveries/s")
		b.ReportMetric(ms(time.Duration(p50)), "p50-ms")
		b.ReportMetric(ms(time.Duration(p99)), "p99-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runtimeSample reads the server process's scheduling latencies (time goroutines spent
// runnable before running) and collection count, to tell the process's own delays apart.
func runtimeSample() (sched *rtmetrics.Float64Histogram, gcs uint64) {
	s := []rtmetrics.Sample{{Name: "/sched/latencies:seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	rtmetrics.Read(s)
	return s[0].Value.Float64Histogram(), s[1].Value.Uint64()
}

// histQuantile is the q quantile of after-before, as the upper bound of its bucket.
func histQuantile(before, after *rtmetrics.Float64Histogram, q float64) time.Duration {
	var total uint64
	for i := range after.Counts {
		total += after.Counts[i] - before.Counts[i]
	}
	want, seen := uint64(q*float64(total)), uint64(0)
	for i := range after.Counts {
		seen += after.Counts[i] - before.Counts[i]
		if seen > want {
			return time.Duration(after.Buckets[i+1] * float64(time.Second))
		}
	}
	return 0
}

// unlimited lifts the per-user session cap and the per-address limits: a benchmark runs
// thousands of sessions of one user from one address.
func unlimited(c *Config) {
	c.MaxSessionsPerUser, c.UnauthRatePerIP, c.MaxConnsPerIP = -1, -1, -1
	c.UserCommandRate, c.LineCommandRate = -1, -1
}

package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"

	"github.com/stretchr/testify/require"
)

// BenchmarkDelivery2000PerSecond feeds call events into the store's log at 2,000 deliveries a
// second (each call: NEWCALL, OFFERING, CONNECTED, IDLE with its journal entry; three of the
// four are delivered) and measures, at a local receiver that verifies every signature, the
// throughput, the latency from the event's time to its arrival (p50, p99) and the process's
// CPU time per delivery (dispatcher, store and receiver together: one process).
//
//	go test ./webhook -run '^$' -bench Delivery2000 -benchtime 20000x
func BenchmarkDelivery2000PerSecond(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchDelivery(b, newStoreB(b)) })
	b.Run("redis", func(b *testing.B) {
		srv := redistest.Start(b)
		st, err := redisstore.New(context.Background(), redisstore.Options{Addrs: []string{srv.Addr}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = st.Close() })
		benchDelivery(b, st)
	})
}

func newStoreB(b *testing.B) store.Store {
	b.Helper()
	st := newStoreFor(b)
	return st
}

const benchRate = 2000 // deliveries per second

func benchDelivery(b *testing.B, st store.Store) {
	var mu sync.Mutex
	var lat []time.Duration
	got := 0
	done := make(chan struct{})
	n := b.N
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify(testSecret, r.Header, body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p Payload
		_ = json.Unmarshal(body, &p)
		at := time.Now()
		mu.Lock()
		lat = append(lat, at.Sub(p.Timestamp))
		got++
		if got == n {
			close(done)
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)

	l, err := st.AcquireLease(context.Background(), "hq", "engine", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(st, Config{Owner: "bench", PBXs: []string{"hq"}, Refresh: time.Hour, LeaseTTL: 10 * time.Second,
		Subscriptions: []store.WebhookSubscription{{ID: "crm", URL: srv.URL, Secret: testSecret}}, Logger: quietLog()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = d.Run(ctx) }()
	defer func() { cancel(); <-stopped }()
	ws := st.(store.WebhookStore)
	require.Eventually(b, func() bool {
		_, ok, _ := ws.WebhookCursor(ctx, "crm", "hq")
		return ok
	}, 10*time.Second, time.Millisecond, "the deliverer's cursor set")

	apply := func(evs []tapi.Event, j []store.JournalEntry) {
		if _, err := st.Apply(ctx, "hq", l.Fence(), store.Batch{Events: evs, Journal: j}); err != nil {
			b.Error(err)
		}
	}
	cpu0 := cputime.Process()
	b.ResetTimer()
	start := time.Now()
	interval := time.Second / benchRate
	for i, call := 0, 0; i < n; call++ {
		ext := []string{"201", "202", "203", "204"}[call%4]
		// Three deliveries per call, each at its due time.
		for step := 0; step < 3 && i < n; step, i = step+1, i+1 {
			// The offered load's schedule (not a wait for a result): delivery i is due at
			// start + i*interval.
			if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
				time.Sleep(wait)
			}
			switch step {
			case 0:
				apply([]tapi.Event{newCall("hq", ext, call, "+4930555123"), stateEvent("hq", ext, call, offering)}, nil)
			case 1:
				apply([]tapi.Event{stateEvent("hq", ext, call, connected)}, nil)
			case 2:
				end := stateEvent("hq", ext, call, idle)
				apply([]tapi.Event{end}, []store.JournalEntry{{ID: store.NewRecordID(end.Time), PBX: "hq", Line: end.Line, Handle: end.Handle, Started: start, Ended: end.Time, Outcome: "answered"}})
			}
		}
	}
	select {
	case <-done:
	case <-time.After(time.Minute + time.Duration(n)*interval):
		b.Fatalf("only %d of %d deliveries arrived", got, n)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/delivery")
}

package main

import (
	"sync/atomic"
	"time"
)

// recorder gathers what every client, tap and fault observes. Latencies go to a steady-state
// histogram, or to a separate one while a fault is being recovered (so the steady figures are
// not hidden by a takeover and the failover ones are not lost), and to the current one-second
// window for the chart.
type recorder struct {
	measuring atomic.Bool
	inFault   atomic.Bool

	b2c, b2cFault hist // bridge arrival (tapi.Event.Time) -> client receive
	s2b, s2bFault hist // simulator stamp -> tap (bridge link)
	e2e, e2eFault hist // simulator stamp (tapi.Event.SwitchTime) -> client receive
	win           atomic.Pointer[window]

	eventsOut  atomic.Uint64 // client events received while measuring
	eventsSeen atomic.Uint64 // all client events, for progress
	connected  atomic.Int64  // clients subscribed and synced now
	reconnects atomic.Uint64
	maxReconn  atomic.Int64 // longest disconnect -> synced again, ns
	// Slow clients (-slow-clients): their events, not in the latencies, and how often the
	// bridge shed them as slow consumers (close code 4008).
	slowEvents atomic.Uint64
	slowShed   atomic.Uint64
	fastShed   atomic.Uint64 // clients that keep up, shed as slow consumers all the same
}

type window struct {
	b2c, s2b, e2e hist
}

func newRecorder() *recorder {
	r := &recorder{}
	r.win.Store(&window{})
	return r
}

// clientEvent records one event a client received at recv: lat is the bridge->client leg,
// sent the simulator's send time the event carries (zero: an event the bridge made itself).
func (r *recorder) clientEvent(lat time.Duration, sent, recv time.Time) {
	r.eventsSeen.Add(1)
	if !r.measuring.Load() {
		return
	}
	r.eventsOut.Add(1)
	w := r.win.Load()
	b2c, e2e := &r.b2c, &r.e2e
	if r.inFault.Load() {
		b2c, e2e = &r.b2cFault, &r.e2eFault
	}
	b2c.record(lat)
	w.b2c.record(lat)
	if !sent.IsZero() {
		e2e.record(recv.Sub(sent))
		w.e2e.record(recv.Sub(sent))
	}
}

func (r *recorder) simToBridge(lat time.Duration) {
	if !r.measuring.Load() {
		return
	}
	if r.inFault.Load() {
		r.s2bFault.record(lat)
	} else {
		r.s2b.record(lat)
	}
	r.win.Load().s2b.record(lat)
}

func (r *recorder) reconnected(d time.Duration) {
	r.reconnects.Add(1)
	for {
		m := r.maxReconn.Load()
		if int64(d) <= m || r.maxReconn.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// rotate starts a new one-second window and returns the finished one.
func (r *recorder) rotate() *window { return r.win.Swap(&window{}) }

// Sample is one second of the run, for the chart and the JSON.
type Sample struct {
	T           float64 `json:"t_s"` // seconds since measuring started
	CSTAIn      float64 `json:"csta_events_per_s"`
	EventsOut   float64 `json:"client_events_per_s"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
	P999        float64 `json:"p99_9_ms"`
	SimP99      float64 `json:"sim_to_bridge_p99_ms"`
	E2EP99      float64 `json:"e2e_p99_ms"`
	Connected   int64   `json:"clients_connected"`
	SampleCount uint64  `json:"latency_samples"`
}

package main

import (
	"sync/atomic"
	"time"
)

// The bench can run its clients in child processes (-client-procs), so that no process holds
// more sockets than the file limit allows: a bridge instance then holds as many client
// sockets as the limit allows, and several instances can be fed more clients than one process
// could open. A client process is the bench binary re-executed with clientsEnv set. It reads
// its clientProcConfig as the first JSON value on stdin, then control messages (clientControl)
// from stdin; it writes clientReport values to stdout: progress while connecting, then a delta
// of its recorder every clientReportEvery, and at the end (stop, or stdin closed) each client's
// counts for the lost/duplicate check.

// clientsEnv marks a client process; its value is ignored.
const clientsEnv = "CTIBENCH_CLIENTS"

// clientReportEvery is how often a client process sends its recorder's delta.
const clientReportEvery = 100 * time.Millisecond

// clientProcConfig is what a client process runs.
type clientProcConfig struct {
	URLs      []string      `json:"urls"`
	Token     string        `json:"token"`
	PBX       string        `json:"pbx"`
	Clients   []clientSpec  `json:"clients"`
	SlowDelay time.Duration `json:"slow_delay"`
	SyncLimit time.Duration `json:"sync_limit"` // how long a batch of clients may take to sync
	Batch     int           `json:"batch"`
	// WelcomeLines: the clients' hellos do not ask for omitLines (-welcome-lines).
	WelcomeLines bool            `json:"welcome_lines,omitempty"`
	Flags        clientProcFlags `json:"flags"` // the recorder's flags at the start
}

type clientSpec struct {
	ID    int      `json:"id"`
	Lines []string `json:"lines"`
	Slow  bool     `json:"slow,omitempty"`
}

// clientProcFlags are the parent recorder's switches, mirrored into the child's.
type clientProcFlags struct {
	Measuring bool `json:"measuring"`
	InFault   bool `json:"in_fault"`
}

// clientControl is a message from the bench to a client process.
type clientControl struct {
	Flags  *clientProcFlags `json:"flags,omitempty"`
	Unslow bool             `json:"unslow,omitempty"` // slow clients stop pausing (the drain)
	Stop   bool             `json:"stop,omitempty"`   // close the sessions and send the summaries
}

// clientReport is a message from a client process to the bench: exactly one member is set.
type clientReport struct {
	Synced int             `json:"synced,omitempty"` // clients synced so far while connecting
	Ready  bool            `json:"ready,omitempty"`  // every client synced once
	Error  string          `json:"error,omitempty"`  // the process could not connect its clients
	Delta  *recorderDelta  `json:"delta,omitempty"`
	Final  []clientSummary `json:"final,omitempty"`
}

// clientSummary is one client's counts at the end, for auditLog.verify.
type clientSummary struct {
	ID         int               `json:"id"`
	Lines      []string          `json:"lines"`
	Epoch      string            `json:"epoch"`
	Start      uint64            `json:"start"`
	Cursor     uint64            `json:"cursor"`
	PerLine    map[string]uint64 `json:"per_line"`
	Dups       uint64            `json:"dups"`
	Resyncs    int               `json:"resyncs"`
	Reconnects int               `json:"reconnects"`
	Errs       []string          `json:"errs,omitempty"`
	Slow       bool              `json:"slow,omitempty"`
}

func summarize(c *benchClient) clientSummary {
	s := clientSummary{ID: c.id, Lines: c.lines, Epoch: c.epoch, Start: c.start, Cursor: c.cursor,
		PerLine: make(map[string]uint64, len(c.perLine)), Dups: c.dups, Resyncs: c.resyncs,
		Reconnects: c.reconnects, Errs: c.errs, Slow: c.isSlow}
	for l, ls := range c.perLine {
		s.PerLine[l] = ls.count
	}
	return s
}

// shell is the client as the verification sees it: its counts, no session.
func (s clientSummary) shell() *benchClient {
	c := &benchClient{id: s.ID, lines: s.Lines, epoch: s.Epoch, start: s.Start, cursor: s.Cursor,
		perLine: make(map[string]*lineStat, len(s.PerLine)), dups: s.Dups, resyncs: s.Resyncs,
		reconnects: s.Reconnects, errs: s.Errs, isSlow: s.Slow, synced: make(chan struct{})}
	for l, n := range s.PerLine {
		c.perLine[l] = &lineStat{count: n}
	}
	return c
}

// histDelta is what a histogram gained since the last report: sparse bucket counts.
type histDelta struct {
	Buckets [][2]uint64 `json:"b,omitempty"` // bucket index, count
	N       uint64      `json:"n,omitempty"`
	MaxUS   uint64      `json:"max,omitempty"`
}

// recorderDelta is what a client process's recorder gained since its last report.
type recorderDelta struct {
	B2C, E2E, B2CFault, E2EFault histDelta
	EventsOut, EventsSeen        uint64
	Connected                    int64 // change of clients connected (may be negative)
	Reconnects                   uint64
	MaxReconn                    int64 // the longest reconnection so far, ns
	SlowEvents, SlowShed         uint64
	FastShed                     uint64
}

// histSnap is a plain copy of a histogram's counters.
type histSnap struct {
	counts [histBuckets]uint64
	n      uint64
}

func (h *hist) snap() histSnap {
	var s histSnap
	for i := range h.counts {
		s.counts[i] = h.counts[i].Load()
	}
	s.n = h.n.Load()
	return s
}

// deltaSince is what h gained since prev; prev becomes now's counts.
func (h *hist) deltaSince(prev *histSnap) histDelta {
	now := h.snap()
	d := histDelta{N: now.n - prev.n, MaxUS: h.maxUS.Load()}
	for i := range now.counts {
		if c := now.counts[i] - prev.counts[i]; c > 0 {
			d.Buckets = append(d.Buckets, [2]uint64{uint64(i), c})
		}
	}
	*prev = now
	return d
}

// add records a delta into h.
func (h *hist) add(d histDelta) {
	for _, bc := range d.Buckets {
		if bc[0] < histBuckets {
			h.counts[bc[0]].Add(bc[1])
		}
	}
	h.n.Add(d.N)
	maxAtomic(&h.maxUS, d.MaxUS)
}

func maxAtomic(v *atomic.Uint64, x uint64) {
	for {
		m := v.Load()
		if x <= m || v.CompareAndSwap(m, x) {
			return
		}
	}
}

// deltaTracker computes a recorder's deltas report after report.
type deltaTracker struct {
	b2c, e2e, b2cF, e2eF                   histSnap
	out, seen, reconn, slowEv, slowSh, fSh uint64
	connected                              int64
}

func (t *deltaTracker) delta(r *recorder) *recorderDelta {
	d := &recorderDelta{B2C: r.b2c.deltaSince(&t.b2c), E2E: r.e2e.deltaSince(&t.e2e),
		B2CFault: r.b2cFault.deltaSince(&t.b2cF), E2EFault: r.e2eFault.deltaSince(&t.e2eF),
		MaxReconn: r.maxReconn.Load()}
	step := func(cur uint64, prev *uint64) uint64 { d := cur - *prev; *prev = cur; return d }
	d.EventsOut = step(r.eventsOut.Load(), &t.out)
	d.EventsSeen = step(r.eventsSeen.Load(), &t.seen)
	d.Reconnects = step(r.reconnects.Load(), &t.reconn)
	d.SlowEvents = step(r.slowEvents.Load(), &t.slowEv)
	d.SlowShed = step(r.slowShed.Load(), &t.slowSh)
	d.FastShed = step(r.fastShed.Load(), &t.fSh)
	c := r.connected.Load()
	d.Connected, t.connected = c-t.connected, c
	return d
}

// apply adds a client process's delta to the bench's recorder, the latencies also to the
// current one-second window.
func (r *recorder) apply(d *recorderDelta) {
	w := r.win.Load()
	r.b2c.add(d.B2C)
	r.e2e.add(d.E2E)
	r.b2cFault.add(d.B2CFault)
	r.e2eFault.add(d.E2EFault)
	for _, h := range []histDelta{d.B2C, d.B2CFault} {
		w.b2c.add(h)
	}
	for _, h := range []histDelta{d.E2E, d.E2EFault} {
		w.e2e.add(h)
	}
	r.eventsOut.Add(d.EventsOut)
	r.eventsSeen.Add(d.EventsSeen)
	r.connected.Add(d.Connected)
	r.reconnects.Add(d.Reconnects)
	r.slowEvents.Add(d.SlowEvents)
	r.slowShed.Add(d.SlowShed)
	r.fastShed.Add(d.FastShed)
	for {
		m := r.maxReconn.Load()
		if d.MaxReconn <= m || r.maxReconn.CompareAndSwap(m, d.MaxReconn) {
			return
		}
	}
}

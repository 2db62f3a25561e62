package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// verify stops the call generator, lets the system settle and checks every client against
// the log and the truth, every CSTA request against the lease, and the log for rewinds.
// Convergence is waited for (up to settleTimeout); only a state that never converges fails.
func (c *cluster) verify() {
	t := c.t
	t.Helper()
	c.gen.stopGen()
	for _, o := range c.clients {
		o.delay.Store(0)
	}
	ctx := c.ctx
	settle := func() error {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if !c.rec.caughtUp(cctx) {
			return fmt.Errorf("the recorder has not read the whole log yet")
		}
		logs, order, _, _ := c.rec.snapshot()
		var pending []string
		for _, o := range c.clients {
			if r := checkStream(o, o.received(), logs, lastOf(order)); r.missing > 0 {
				pending = append(pending, fmt.Sprintf("%s misses %d events", o.name, r.missing))
			}
		}
		if len(pending) > 0 {
			return fmt.Errorf("clients behind the log: %s", strings.Join(pending, "; "))
		}
		tr, err := c.truth()
		if err != nil {
			return err
		}
		var diffs []string
		for _, o := range c.clients {
			diffs = append(diffs, checkTruth(o, tr)...)
		}
		if len(diffs) > 0 {
			return fmt.Errorf("clients differ from the PBX:\n  %s", strings.Join(diffs, "\n  "))
		}
		return nil
	}
	if err := poll(ctx, settleTimeout(), settle); err != nil {
		t.Errorf("did not converge within %v: %v", settleTimeout(), err)
	}

	// A call the generator started as it was being stopped never got its ID back to it
	// (the control request was cancelled); the PBX's calls at the end surely existed.
	if tr, err := c.truth(); err == nil {
		for _, d := range tr.Devices {
			for _, cn := range d.Connections {
				c.gen.learn(cn.CallID)
			}
		}
	}
	logs, order, leases, rewinds := c.rec.snapshot()
	for _, rw := range rewinds {
		t.Errorf("event log rewound (acknowledged events lost): %s", rw)
	}
	total, disconnects := 0, 0
	spread := map[string]int{}
	for _, o := range c.clients {
		got := o.received()
		r := checkStream(o, got, logs, lastOf(order))
		for _, p := range r.problems {
			t.Errorf("delivery: %s", p)
		}
		for id, where := range callIDsSeen(got) {
			if !c.gen.known(id) {
				t.Errorf("%s was shown call %s that the PBX never had (%s)", o.name, id, where)
			}
		}
		inst, drops := o.sessions()
		total += r.events
		disconnects += drops
		for k, v := range inst {
			spread[k] += v
		}
		if o == c.watcher || len(r.problems) > 0 {
			t.Logf("%s: %d events, %d resyncs, %d unverified, sessions by instance %v, %d disconnects",
				o.name, r.events, r.resyncs, r.unverified, inst, drops)
		}
	}
	reqs := c.reqs.all()
	problems, unattributed := checkRequests(reqs, leases)
	for _, p := range problems {
		t.Errorf("CSTA requests: %s", p)
	}
	calls, actions, errs := c.gen.summary()
	for _, err := range errs {
		t.Errorf("call generator: %v", err)
	}
	t.Logf("log: %d epochs, %d entries in the last; %d clients received %d events over %d disconnects, sessions by instance %v; %d CSTA requests (%d unattributed); %d calls made, actions %v",
		len(order), len(logs[lastOf(order)]), len(c.clients), total, disconnects, spread, len(reqs), unattributed, calls, actions)
}

func settleTimeout() time.Duration {
	if *soak {
		return 60 * time.Second
	}
	return 30 * time.Second
}

func lastOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[len(xs)-1]
}

// Measurements, from the recorder's log and lease samples and the clients' receipt times.

// leaseMovedAt returns when the lease was first seen held by someone other than from after t.
func (c *cluster) leaseMovedAt(from string, t time.Time) (string, time.Time, bool) {
	_, _, leases, _ := c.rec.snapshot()
	for _, s := range leases {
		if s.At.After(t) && s.OK && s.Owner != "" && s.Owner != from {
			return s.Owner, s.At, true
		}
	}
	return "", time.Time{}, false
}

// firstRequestAt returns the first CSTA request instance sent after t.
func (c *cluster) firstRequestAt(instance string, t time.Time) (time.Time, bool) {
	var first time.Time
	for _, r := range c.reqs.all() {
		if r.Instance == instance && r.At.After(t) && (first.IsZero() || r.At.Before(first)) {
			first = r.At
		}
	}
	return first, !first.IsZero()
}

// firstEntry returns the first log entry after t of type typ that satisfies ok.
func (c *cluster) firstEntry(t time.Time, typ tapi.EventType, ok func(store.Entry) bool) (store.Entry, bool) {
	logs, order, _, _ := c.rec.snapshot()
	for _, ep := range order {
		for _, e := range logs[ep] {
			if e.Event.Type == typ && e.Event.Time.After(t) && (ok == nil || ok(e)) {
				return e, true
			}
		}
	}
	return store.Entry{}, false
}

// waitEntry waits up to timeout for a log entry that firstEntry finds.
func (c *cluster) waitEntry(t time.Time, typ tapi.EventType, ok func(store.Entry) bool, timeout time.Duration) {
	assert.Eventually(c.t, func() bool {
		_, found := c.firstEntry(t, typ, ok)
		return found
	}, timeout, 50*time.Millisecond, "no %s logged within %v", typ, timeout)
}

// firstClientEventAt returns when any client first received a line event stamped after t.
func (c *cluster) firstClientEventAt(t time.Time) (time.Time, bool) {
	var first time.Time
	for _, o := range c.clients {
		for _, s := range o.received() {
			if s.event != nil && s.event.Line != "" && s.event.Time.After(t) {
				if first.IsZero() || s.at.Before(first) {
					first = s.at
				}
				break
			}
		}
	}
	return first, !first.IsZero()
}

// logTimes logs named durations since t0, in order.
func (c *cluster) logTimes(what string, t0 time.Time, marks map[string]time.Time) {
	type mark struct {
		name string
		d    time.Duration
	}
	var ms []mark
	for name, at := range marks {
		if !at.IsZero() {
			ms = append(ms, mark{name, at.Sub(t0)})
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].d < ms[j].d })
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %-40s %v", m.name, m.d.Round(time.Millisecond))
	}
	c.t.Logf("%s: times after the fault:%s", what, b.String())
}

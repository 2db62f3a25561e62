package pbxsim

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// checkConsistent verifies the model invariants: every connection is in its call and its
// device, no call has a null party, and at most one active connection per extension.
func checkConsistent(t *testing.T, p *PBX) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.calls {
		for _, cn := range c.conns {
			if cn.call != c || cn.state == csta.StateNull {
				t.Fatalf("call %s: bad connection %s/%s", c.id, cn.dev.number, cn.state)
			}
			found := false
			for _, x := range cn.dev.conns {
				found = found || x == cn
			}
			if !found {
				t.Fatalf("call %s: %s does not know its connection", c.id, cn.dev.number)
			}
		}
	}
	for _, d := range p.devices {
		active := 0
		for _, cn := range d.conns {
			if p.calls[cn.call.num] != cn.call {
				t.Fatalf("%s holds a connection to ended call %s", d.number, cn.call.id)
			}
			if cn.state == csta.StateConnected || cn.state == csta.StateInitiated {
				active++
			}
		}
		if d.kind == kindExtension && active > 1 {
			t.Fatalf("%s has %d active connections", d.number, active)
		}
	}
}

func TestTrafficRunsAllScenariosAndKeepsTheModelConsistent(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Extensions: []string{"2000-2049"}, Dialect: "osbiz"})
	cl := connect(t, a, "2000", "2001", "2002")
	tr, err := p.StartTraffic(context.Background(), TrafficConfig{
		CallsPerSecond: 2000, Seed: 7, RingTime: 2 * time.Millisecond, TalkTime: 6 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for tr.Stats().Completed < 300 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		checkConsistent(t, p)
	}
	tr.Stop()
	st := tr.Stats()
	if st.Completed < 300 || st.Aborted != 0 {
		t.Fatalf("traffic stats %+v", st)
	}
	if p.Stats().EventsQueued == 0 || len(cl.events) == 0 {
		t.Fatal("traffic produced no events on the link")
	}
	checkConsistent(t, p)
}

// The scenario choices and parties depend only on the seed.
func TestTrafficIsDeterministic(t *testing.T) {
	run := func() []CallTruth {
		p, err := New(Config{Extensions: []string{"200-219"}})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		tr, err := p.StartTraffic(context.Background(), TrafficConfig{CallsPerSecond: 0.001, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		p.mu.Lock()
		defer p.mu.Unlock()
		now := time.Now()
		tr.pending = nil
		for range 6 {
			tr.startScenario(now)
		}
		tr.runDue(now)
		calls := make([]CallTruth, 0)
		for _, c := range p.calls {
			calls = append(calls, CallTruth{ID: c.id, Calling: c.calling, Called: c.called})
		}
		return calls
	}
	first, second := run(), run()
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("runs differ: %v vs %v", first, second)
	}
	byID := map[string]CallTruth{}
	for _, c := range first {
		byID[c.ID] = c
	}
	for _, c := range second {
		if o := byID[c.ID]; o.Calling != c.Calling || o.Called != c.Called {
			t.Fatalf("runs differ at %s: %+v vs %+v", c.ID, byID[c.ID], c)
		}
	}
}

func TestTrafficConfigErrors(t *testing.T) {
	p, err := New(Config{Extensions: []string{"200"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, cfg := range map[string]TrafficConfig{
		"rate":     {CallsPerSecond: 0},
		"negative": {CallsPerSecond: 1, Mix: Mix{Internal: -1}},
		"unknown":  {CallsPerSecond: 1, Extensions: []string{"999", "200"}},
		"one ext":  {CallsPerSecond: 1},
	} {
		if _, err := p.StartTraffic(context.Background(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

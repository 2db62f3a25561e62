package cti

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
)

func TestLingerFor(t *testing.T) {
	now := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	ev := func(ago time.Duration) item { return item{at: now.Add(-ago)} }
	job := item{job: func(*reducer.State, time.Time) reducer.Result { return reducer.Result{} }}
	for _, c := range []struct {
		name   string
		batch  []item
		linger time.Duration
		want   time.Duration
	}{
		{"off", []item{ev(0)}, 0, 0},
		{"fresh event waits the whole linger", []item{ev(0)}, 2 * time.Millisecond, 2 * time.Millisecond},
		{"measured from the oldest", []item{ev(1500 * time.Microsecond), ev(0)}, 2 * time.Millisecond, 500 * time.Microsecond},
		{"old enough: none left", []item{ev(5 * time.Millisecond)}, 2 * time.Millisecond, -3 * time.Millisecond},
		{"a job waits for nothing", []item{ev(0), job}, 2 * time.Millisecond, 0},
	} {
		require.Equal(t, c.want, lingerFor(c.batch, now, c.linger), c.name)
	}
}

// TestLingerCollects: the linger takes what reaches the queue until a job comes (applied at
// once with the batch), the batch is full, the time is up or the term ends.
func TestLingerCollects(t *testing.T) {
	newPipe := func() (*pipeline, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		return &pipeline{term: &term{ctx: ctx}, q: make(chan item, 16)}, cancel
	}
	run := func(o *pipeline, batch []item, max int, d time.Duration) chan []item {
		out := make(chan []item, 1)
		go func() { out <- o.linger(batch, max, d) }()
		return out
	}
	ev := item{at: time.Now()}
	job := item{job: func(*reducer.State, time.Time) reducer.Result { return reducer.Result{} }}

	o, cancel := newPipe()
	defer cancel()
	out := run(o, []item{ev}, 10, time.Hour)
	o.q <- ev
	o.q <- ev
	o.q <- job
	require.Len(t, <-out, 4, "events, then the job that ends the wait")

	out = run(o, []item{ev}, 3, time.Hour)
	o.q <- ev
	o.q <- ev
	require.Len(t, <-out, 3, "a full batch")

	require.Len(t, <-run(o, []item{ev}, 10, time.Millisecond), 1, "the time is up")
	o.q <- ev
	require.Len(t, <-run(o, []item{ev}, 10, time.Millisecond), 2, "the timer is used again")

	out = run(o, []item{ev}, 10, time.Hour)
	cancel()
	require.Len(t, <-out, 1, "the term ends")
}

// TestLingerEngine: with a linger the bridge's view of the calls still follows the switch
// (a real simulator over TCP, calls made, answered, held and ringing).
func TestLingerEngine(t *testing.T) {
	lines := exts(200, 234)
	s := newSim(t, lines...)
	pc := s.pbxConfig(lines...)
	pc.Linger = 20 * time.Millisecond
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "link up", b.activeIs("primary"))
	makeTraffic(t, s)
	waitFor(t, "bridge equals the PBX", b.matchesTruth(s, s.primary, lines))
	b.rec.checkSequences(t)
}

func TestLingerBounded(t *testing.T) {
	pc := DefaultPBXConfig()
	pc.Name, pc.Primary, pc.Devices = "hq", "127.0.0.1:1", []string{"200"}
	pc.Linger = time.Second
	_, err := New(Config{InstanceID: "i1", Store: newStore(), PBXs: []PBXConfig{pc}})
	require.ErrorContains(t, err, "linger")
}

// TestLingerDefault: a PBX left at 0 lingers DefaultLinger with a store whose writes are round
// trips (a real Redis store) and not at all with the memory store; a negative linger is none
// with either, and a set one is kept.
func TestLingerDefault(t *testing.T) {
	_, openRedis := startRedis(t)
	pc := DefaultPBXConfig()
	pc.Name, pc.Primary, pc.Devices = "hq", "127.0.0.1:1", []string{"200"}
	linger := func(s store.Store, set time.Duration) time.Duration {
		p := pc
		p.Linger = set
		c := Config{InstanceID: "i1", Store: s, PBXs: []PBXConfig{p}}.WithDefaults()
		require.NoError(t, c.Validate())
		return c.PBXs[0].Linger
	}
	rs, ms := openRedis(), newStore()
	require.Equal(t, DefaultLinger, linger(rs, 0), "Redis")
	require.Equal(t, time.Duration(0), linger(ms, 0), "memory")
	require.Equal(t, LingerOff, linger(rs, LingerOff), "off with Redis")
	require.Equal(t, 5*time.Millisecond, linger(ms, 5*time.Millisecond), "set")
}

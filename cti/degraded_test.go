package cti

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
)

// flakyStore refuses every Apply while fail is set, as Redis at maxmemory does; leases
// still renew.
type flakyStore struct {
	store.Store
	fail atomic.Bool
}

var errOOM = errors.New("OOM command not allowed when used memory > 'maxmemory'")

func (f *flakyStore) Apply(ctx context.Context, pbx string, fence store.Fence, b store.Batch) (store.Appended, error) {
	if f.fail.Load() {
		return store.Appended{}, errOOM
	}
	return f.Store.Apply(ctx, pbx, fence, b)
}

// termEnds records, at the moment a term is ended by a fence or a degradation, what the
// engine reports: its link info and readiness. Hooked in through Config.onTermEnd.
type termEnds struct {
	mu   sync.Mutex
	e    *Engine
	seen []termEnd
	ch   chan termEnd
}

type termEnd struct {
	cause error
	li    LinkInfo
	ready error
}

func newTermEnds() *termEnds { return &termEnds{ch: make(chan termEnd, 16)} }

func (r *termEnds) hook(cfg *Config) {
	cfg.onTermEnd = func(pbx string, cause error) {
		r.mu.Lock()
		e := r.e
		r.mu.Unlock()
		if e == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		te := termEnd{cause: cause, li: e.Links()[0], ready: e.Ready(ctx)}
		r.mu.Lock()
		r.seen = append(r.seen, te)
		r.mu.Unlock()
		select {
		case r.ch <- te:
		default:
		}
	}
}

func (r *termEnds) attach(e *Engine) {
	r.mu.Lock()
	r.e = e
	r.mu.Unlock()
}

// wait returns the next term end, failing after a generous deadline.
func (r *termEnds) wait(t *testing.T, what string) termEnd {
	t.Helper()
	select {
	case te := <-r.ch:
		return te
	case <-time.After(60 * time.Second):
		t.Fatalf("no term ended: %s", what)
	}
	return termEnd{}
}

// checkHonest: at the moment the term ended, the engine already reported the link as not
// owned here and itself as not ready.
func (te termEnd) checkHonest(t *testing.T) {
	t.Helper()
	if te.li.OwnedHere || te.li.Owner != "" {
		t.Errorf("term ended (%v) but link info says owner %q, here %v", te.cause, te.li.Owner, te.li.OwnedHere)
	}
	if te.ready == nil {
		t.Errorf("term ended (%v) but the engine reports ready", te.cause)
	}
}

func wantStoreRefusal(t *testing.T, rep tapi.Reply, what string) {
	t.Helper()
	if rep.Result != tapi.LINEERR_RESOURCEUNAVAIL || !strings.Contains(rep.Error, "cannot record state") {
		t.Fatalf("%s: %+v, want LINEERR_RESOURCEUNAVAIL: the bridge cannot record state", what, rep)
	}
}

// dial keeps calls starting and ending on 234-239 until stop is closed, as a PBX under
// traffic does; it returns how many calls it started.
func dialLoop(s *sim, stop <-chan struct{}) func() int {
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		pairs := [][2]string{{"234", "235"}, {"236", "237"}, {"238", "239"}}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(15 * time.Millisecond): // the traffic's rate, not a synchronisation
			}
			pr := pairs[i%len(pairs)]
			switch i / len(pairs) % 3 {
			case 0:
				if _, err := s.p.Dial(pr[0], pr[1]); err == nil {
					n.Add(1)
				}
			case 1:
				_ = s.p.Answer(pr[1])
			default:
				_ = s.p.HangUp(pr[0])
			}
		}
	}()
	return func() int { <-done; return int(n.Load()) }
}

// A store that refuses writes while the lease still renews: commands are refused at once,
// with a reason; after DegradeAfter the owner gives the link up, reporting it as degraded and
// not owned by the time the term ends; when writes pass again it takes the link back and
// resynchronises.
func TestStoreWritesFailingDegrades(t *testing.T) {
	s := newSim(t, "200-299")
	st := &flakyStore{Store: newStore()}
	ends := newTermEnds()
	pc := s.pbxConfig("200-239")
	a := startBridge(t, st, "a", pc, func(c *Config) {
		c.LeaseTTL = 2 * time.Second
		c.DegradeAfter = 1500 * time.Millisecond
		ends.hook(c)
	})
	ends.attach(a.e)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	makeTraffic(t, s)
	waitFor(t, "owner equals the PBX", a.matchesTruth(s, s.primary, lineExts))

	st.fail.Store(true)
	fault := time.Now()
	if _, err := s.p.Dial("234", "235"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the owner sees its writes fail", func() error {
		if li := a.e.Links()[0]; li.StoreTrouble == "" && li.Degraded == "" {
			return fmt.Errorf("link %+v", li)
		}
		return nil
	})
	rep := a.e.Do(context.Background(), Request{ID: 1, Op: OpDND, Line: "hq/236", Enable: true})
	wantStoreRefusal(t, rep, "DND while writes fail")
	te := ends.wait(t, "the owner should degrade")
	t.Logf("degraded %v after the store refused writes (bound 1.5s): %v", time.Since(fault).Round(time.Millisecond), te.cause)
	if !errors.Is(te.cause, errDegraded) {
		t.Fatalf("term ended by %v, want a degradation", te.cause)
	}
	te.checkHonest(t)
	if te.li.Degraded == "" || te.ready == nil || !strings.Contains(te.ready.Error(), "degraded") {
		t.Errorf("at the degradation: link degraded %q, ready %v", te.li.Degraded, te.ready)
	}
	rep = a.e.Do(context.Background(), Request{ID: 2, Op: OpDND, Line: "hq/236", Enable: true})
	wantStoreRefusal(t, rep, "DND while degraded")
	if dt, _ := s.p.Device("236"); dt.DND {
		t.Fatal("a refused DND reached the PBX")
	}

	st.fail.Store(false)
	healed := time.Now()
	waitFor(t, "a owns the link again, healthy", func() error {
		li := a.e.Links()[0]
		if !li.OwnedHere || li.Active == "" || li.Degraded != "" {
			return fmt.Errorf("link %+v", li)
		}
		return a.e.Ready(context.Background())
	})
	waitFor(t, "owner equals the PBX again", a.matchesTruth(s, s.primary, lineExts))
	t.Logf("owner again %v after the store healed", time.Since(healed).Round(time.Millisecond))
	rep = a.e.Do(context.Background(), Request{ID: 3, Op: OpDND, Line: "hq/236", Enable: true})
	if rep.Result != 0 {
		t.Fatalf("DND after recovery: %+v", rep)
	}
	a.rec.checkSequences(t)
}

// startRedis starts a redis-server for one test and opens a store on it.
func startRedis(t *testing.T) (*redistest.Server, func() store.Store) {
	t.Helper()
	srv := redistest.Start(t)
	open := func() store.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := redisstore.New(ctx, redisstore.Options{Addrs: []string{srv.Addr}, ProbeInterval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	return srv, open
}

func redisInfo(t *testing.T, srv *redistest.Server, field string) int64 {
	t.Helper()
	info, err := srv.Do("INFO", "memory")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in INFO memory", field)
	return 0
}

// Redis reaches maxmemory (noeviction) under traffic: the owner degrades within the bound,
// says so, refuses commands, and gives the link up; when memory is back an instance owns the
// link again, resynchronises, and the follower's view (what clients see) equals the switch.
func TestRedisMaxmemoryDegrades(t *testing.T) {
	srv, open := startRedis(t)
	s := newSim(t, "200-299")
	pc := s.pbxConfig("200-239")
	ends := newTermEnds()
	mod := func(c *Config) {
		c.LeaseTTL = 2 * time.Second
		c.DegradeAfter = time.Second
	}
	a := startBridge(t, open(), "a", pc, func(c *Config) { mod(c); ends.hook(c) })
	ends.attach(a.e)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	b := startBridge(t, open(), "b", pc, mod)
	makeTraffic(t, s)
	waitFor(t, "follower equals the PBX", b.matchesTruth(s, s.primary, lineExts))

	stop := make(chan struct{})
	calls := dialLoop(s, stop)
	used := redisInfo(t, srv, "used_memory")
	if _, err := srv.Do("CONFIG", "SET", "maxmemory-policy", "noeviction"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("CONFIG", "SET", "maxmemory", strconv.FormatInt(used+16<<10, 10)); err != nil {
		t.Fatal(err)
	}
	fault := time.Now()
	te := ends.wait(t, "the owner should degrade at maxmemory")
	toDegraded := time.Since(fault)
	t.Logf("maxmemory %d (used %d): a degraded after %v: %v", used+16<<10, used, toDegraded.Round(time.Millisecond), te.cause)
	if !errors.Is(te.cause, errDegraded) {
		t.Fatalf("term ended by %v, want a degradation", te.cause)
	}
	te.checkHonest(t)
	if err := a.e.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "degraded") {
		t.Errorf("a's readiness while degraded: %v", err)
	} else {
		t.Logf("a not ready: %v", err)
	}
	rep := a.e.Do(context.Background(), Request{ID: 1, Op: OpDND, Line: "hq/236", Enable: true})
	wantStoreRefusal(t, rep, "DND at the degraded instance")
	t.Logf("refused: %s", rep.Error)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	rep = b.e.Do(ctx, Request{ID: 2, Op: OpDND, Line: "hq/236", Enable: true})
	cancel()
	if rep.Result == 0 {
		t.Errorf("DND at the follower while nobody can write: %+v", rep)
	}
	if dt, _ := s.p.Device("236"); dt.DND {
		t.Fatal("a refused DND reached the PBX")
	}
	time.Sleep(3 * time.Second) // the fault lasts a while longer, under traffic

	if _, err := srv.Do("CONFIG", "SET", "maxmemory", "0"); err != nil {
		t.Fatal(err)
	}
	restored := time.Now()
	nBefore := len(b.rec.all())
	close(stop)
	t.Logf("calls started during the test's traffic: %d", calls())
	var owner *bridge
	waitFor(t, "an instance owns the link again", func() error {
		for _, x := range []*bridge{a, b} {
			if li := x.e.Links()[0]; li.OwnedHere && li.Active != "" {
				owner = x
				return nil
			}
		}
		return fmt.Errorf("no owner")
	})
	toOwner := time.Since(restored)
	waitFor(t, "the new term resynchronised", func() error { return owner.resynced(0, restored) })
	for _, x := range []*bridge{a, b} {
		waitFor(t, x.e.InstanceID()+"'s view equals the PBX", x.matchesTruth(s, s.primary, lineExts))
		waitFor(t, x.e.InstanceID()+" ready", func() error { return x.e.Ready(context.Background()) })
	}
	t.Logf("owner %s %v after memory was restored; %d log entries written by the recovery",
		owner.e.InstanceID(), toOwner.Round(time.Millisecond), len(b.rec.all())-nBefore)
	b.rec.checkSequences(t)
	rep = b.e.Do(context.Background(), Request{ID: 3, Op: OpDND, Line: "hq/236", Enable: true})
	if rep.Result != 0 {
		t.Fatalf("DND after recovery: %+v", rep)
	}
}

// Redis frozen (SIGSTOP) for longer than the lease: by the time the owner has fenced itself
// it reports the link as not owned and itself as not ready; after SIGCONT it recovers.
func TestRedisFrozenFencesHonestly(t *testing.T) {
	srv, open := startRedis(t)
	s := newSim(t, "200-299")
	pc := s.pbxConfig("200-239")
	ends := newTermEnds()
	a := startBridge(t, open(), "a", pc, func(c *Config) {
		c.LeaseTTL = time.Second
		c.DegradeAfter = 5 * time.Second
		ends.hook(c)
	})
	ends.attach(a.e)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	makeTraffic(t, s)
	waitFor(t, "owner equals the PBX", a.matchesTruth(s, s.primary, lineExts))

	srv.Pause()
	frozen := time.Now()
	te := ends.wait(t, "the owner should fence itself")
	t.Logf("fenced %v after Redis froze (lease TTL 1s): %v", time.Since(frozen).Round(time.Millisecond), te.cause)
	te.checkHonest(t)
	if li := a.e.Links()[0]; li.OwnedHere {
		t.Errorf("after the fence: %+v", li)
	}
	moreTraffic(t, s)
	time.Sleep(2 * time.Second) // the freeze lasts beyond the lease
	srv.Resume()
	resumed := time.Now()
	waitFor(t, "a owns the link again", func() error {
		if li := a.e.Links()[0]; !li.OwnedHere || li.Active == "" {
			return fmt.Errorf("link %+v", li)
		}
		return nil
	})
	waitFor(t, "owner equals the PBX again", a.matchesTruth(s, s.primary, lineExts))
	waitFor(t, "a ready", func() error { return a.e.Ready(context.Background()) })
	t.Logf("owner again and equal to the PBX %v after Redis resumed", time.Since(resumed).Round(time.Millisecond))
	a.rec.checkSequences(t)
}

package cti

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
)

// Two instances share a store: one owns the link, the other follows and routes commands;
// when the owner stops, the follower takes over with the same handles.
func TestFollowerAndTakeover(t *testing.T) {
	s := newSim(t, "200-299")
	st := newStore()
	pc := s.pbxConfig("200-239")
	a := startBridge(t, st, "a", pc, nil)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	b := startBridge(t, st, "b", pc, nil)
	makeTraffic(t, s)
	waitFor(t, "owner equals the PBX", a.matchesTruth(s, s.primary, lineExts))
	waitFor(t, "follower equals the PBX", b.matchesTruth(s, s.primary, lineExts))
	li := b.e.Links()[0]
	if li.Owner != "a" || li.OwnedHere {
		t.Fatalf("follower's link info %+v", li)
	}
	if err := b.e.Ready(context.Background()); err != nil {
		t.Fatalf("follower not ready: %v", err)
	}

	// A follower's command runs on the owner.
	rep := b.e.Do(context.Background(), Request{ID: 7, Op: OpMakeCall, Line: "hq/236", Number: "237"})
	if rep.Result != 0 || rep.Handle == "" || rep.RequestID != 7 {
		t.Fatalf("routed makeCall: %+v", rep)
	}
	waitFor(t, "routed call at the follower", b.matchesTruth(s, s.primary, lineExts))
	before := b.handles()

	a.close() // SIGTERM: the lease is released at once
	waitFor(t, "b owns the link", func() error {
		if li := b.e.Links()[0]; !li.OwnedHere || li.Active == "" {
			return fmt.Errorf("link %+v", li)
		}
		return nil
	})
	waitFor(t, "new owner equals the PBX", b.matchesTruth(s, s.primary, lineExts))
	keptHandles(t, before, b.handles(), "the takeover")
	moreTraffic(t, s)
	waitFor(t, "new owner follows traffic", b.matchesTruth(s, s.primary, lineExts))
	b.rec.checkSequences(t)
	if n := b.rec.count(tapi.LineNewCall, nil); n == 0 {
		t.Error("no calls recorded")
	}
}

// An owner whose lease lapses and is taken by another instance fences itself: it drops its
// CSTA link at once. When the lease is free again an instance takes over with the same
// handles.
func TestLeaseLossSelfFences(t *testing.T) {
	s := newSim(t, "200-299")
	clock := newFakeClock(time.Now())
	st := memory.New(memory.Options{SubscriberBuffer: 1 << 14, Now: clock.Now})
	pc := s.pbxConfig("200-239")
	a := startBridge(t, st, "a", pc, nil)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	b := startBridge(t, st, "b", pc, nil)
	makeTraffic(t, s)
	waitFor(t, "follower equals the PBX", b.matchesTruth(s, s.primary, lineExts))
	before := b.handles()

	clock.Set(clock.Now().Add(time.Minute)) // a's lease lapses at the store...
	ctx := context.Background()
	intruder, err := st.AcquireLease(ctx, "hq", "intruder", time.Hour) // ...and is taken
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a fenced itself", func() error {
		if li := a.e.Links()[0]; li.OwnedHere || li.Owner != "intruder" {
			return fmt.Errorf("a: owner %q, here %v", li.Owner, li.OwnedHere)
		}
		if n := s.primary.Sessions() + s.standby.Sessions(); n != 0 {
			return fmt.Errorf("%d CSTA sessions still open", n)
		}
		return nil
	})
	rep := a.e.Do(ctx, Request{ID: 1, Op: OpMakeCall, Line: "hq/236", Number: "237"})
	if rep.Result != tapi.LINEERR_RESOURCEUNAVAIL && rep.Result != tapi.LINEERR_OPERATIONFAILED {
		t.Fatalf("command while nobody serves the PBX: %+v", rep)
	}
	if err := st.ReleaseLease(ctx, intruder); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an instance owns the link again", func() error {
		for _, x := range []*bridge{a, b} {
			if li := x.e.Links()[0]; li.OwnedHere && li.Active != "" {
				return nil
			}
		}
		return fmt.Errorf("no owner")
	})
	waitFor(t, "follower equals the PBX again", b.matchesTruth(s, s.primary, lineExts))
	keptHandles(t, before, b.handles(), "the lease was free again")
	b.rec.checkSequences(t)
}

// forgetfulStore is the memory store answering as a store that lost its data does: the
// lease it grants has no history of earlier leases.
type forgetfulStore struct{ store.Store }

func (f forgetfulStore) AcquireLease(ctx context.Context, pbx, owner string, ttl time.Duration) (store.Lease, error) {
	l, err := f.Store.AcquireLease(ctx, pbx, owner, ttl)
	l.NoHistory = err == nil
	return l, err
}

// An owner whose store forgot every earlier lease cannot know whether a former owner still
// believes it holds the lease: it stays away from the PBX for one TTL, then works normally.
// A client's command given meanwhile is held back, not refused.
func TestNoLeaseHistoryWaitsOutFormerOwner(t *testing.T) {
	s := newSim(t, "200-209")
	ttl := time.Second
	start := time.Now()
	b := startBridge(t, forgetfulStore{newStore()}, "i1", s.pbxConfig("200-203"),
		func(c *Config) { c.LeaseTTL = ttl })
	for time.Since(start) < ttl*8/10 {
		if n := s.primary.Sessions() + s.standby.Sessions(); n > 0 {
			t.Fatalf("%d CSTA sessions %v after the lease was granted, within its TTL", n, time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A command given meanwhile waits for the link instead of failing.
	if rep := b.e.Do(context.Background(), Request{ID: 1, Op: OpMakeCall, Line: "hq/200", Number: "201"}); rep.Result != 0 {
		t.Fatalf("command during the wait: %+v", rep)
	}
	if took := time.Since(start); took < ttl {
		t.Errorf("command sent %v after start, before one lease TTL (%v)", took, ttl)
	}
	waitFor(t, "link on primary", b.activeIs("primary"))
}

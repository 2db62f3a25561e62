package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

var leaseTests = []contractTest{
	{"Lease/AcquireFree", testLeaseAcquireFree},
	{"Lease/ReacquireBySameOwner", testLeaseReacquire},
	{"Lease/HeldByAnother", testLeaseHeld},
	{"Lease/TakeoverAfterExpiry", testLeaseTakeover},
	{"Lease/RenewExtends", testLeaseRenew},
	{"Lease/RenewAfterExpiry", testLeaseRenewExpired},
	{"Lease/RenewAfterTakeover", testLeaseRenewTakenOver},
	{"Lease/Release", testLeaseRelease},
	{"Lease/TokensGrow", testLeaseTokensGrow},
	{"Lease/PerPBX", testLeasePerPBX},
	{"Lease/RejectsBadArguments", testLeaseInvalid},
}

func owner(t *testing.T, s store.Store, pbx, wantOwner string, wantToken uint64) {
	t.Helper()
	o, tok, err := s.LeaseOwner(testCtx(t), pbx)
	noErr(t, "LeaseOwner "+pbx, err)
	if o != wantOwner || tok != wantToken {
		t.Fatalf("LeaseOwner %s: %s with token %d, want %s with token %d", pbx, o, tok, wantOwner, wantToken)
	}
}

func noOwner(t *testing.T, s store.Store, pbx string) {
	t.Helper()
	_, _, err := s.LeaseOwner(testCtx(t), pbx)
	wantErr(t, "LeaseOwner "+pbx, err, store.ErrNoOwner)
}

func testLeaseAcquireFree(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	noOwner(t, s, "hq")
	l := acquire(t, s, "hq", "a", longTTL)
	if l.Expires.IsZero() {
		t.Fatalf("lease %+v has no expiry", l)
	}
	owner(t, s, "hq", "a", l.Token)
	owner(t, open2(t), "hq", "a", l.Token)
}

func testLeaseReacquire(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	l1 := acquire(t, s, "hq", "a", longTTL)
	l2 := acquire(t, s, "hq", "a", longTTL)
	if l2.Token < l1.Token {
		t.Fatalf("re-acquiring by the same owner gave token %d, below %d", l2.Token, l1.Token)
	}
	owner(t, s, "hq", "a", l2.Token)
	apply(t, s, "hq", l2.Fence(), store.Batch{Events: Events("hq", "again", 1)})
}

func testLeaseHeld(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	la := acquire(t, s, "hq", "a", longTTL)
	_, err := open2(t).AcquireLease(testCtx(t), "hq", "b", longTTL)
	wantErr(t, "AcquireLease by b while a holds it", err, store.ErrLeaseHeld)
	var held *store.LeaseHeldError
	if !errors.As(err, &held) {
		t.Fatalf("AcquireLease by b while a holds it: error %T %v is not a *store.LeaseHeldError", err, err)
	}
	if *held != (store.LeaseHeldError{PBX: "hq", Owner: "a", Token: la.Token}) {
		t.Fatalf("LeaseHeldError %+v, want PBX hq, owner a, token %d", *held, la.Token)
	}
	owner(t, s, "hq", "a", la.Token)
}

func testLeaseTakeover(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	la := acquire(t, s, "hq", "a", LeaseTTL)
	waitLeaseGone(t, s, "hq")
	lb := acquire(t, open2(t), "hq", "b", longTTL)
	if lb.Token <= la.Token {
		t.Fatalf("token after takeover %d, want > %d", lb.Token, la.Token)
	}
	owner(t, s, "hq", "b", lb.Token)
}

func testLeaseRenew(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	// Renewing with a longer TTL must outlive the first TTL. A box stalled past LeaseTTL before
	// the renewal loses the lease legitimately; such an attempt is repeated.
	for attempt := 1; ; attempt++ {
		l := acquire(t, s, "hq", "a", LeaseTTL)
		r, err := s.RenewLease(testCtx(t), l, longTTL)
		if errors.Is(err, store.ErrLeaseLost) && attempt < 5 {
			waitLeaseGone(t, s, "hq")
			continue
		}
		noErr(t, "RenewLease", err)
		if r.Token != l.Token || r.Owner != "a" || r.PBX != "hq" {
			t.Fatalf("renewed lease %+v, want the same PBX, owner and token as %+v", r, l)
		}
		if !r.Expires.After(l.Expires) {
			t.Fatalf("renewed lease expires %v, not after %v", r.Expires, l.Expires)
		}
		time.Sleep(3 * LeaseTTL)
		owner(t, s, "hq", "a", l.Token)
		apply(t, s, "hq", r.Fence(), store.Batch{Events: Events("hq", "renewed", 1)})
		return
	}
}

func testLeaseRenewExpired(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	l := acquire(t, s, "hq", "a", LeaseTTL)
	waitLeaseGone(t, s, "hq")
	_, err := s.RenewLease(testCtx(t), l, longTTL)
	wantErr(t, "RenewLease after expiry", err, store.ErrLeaseLost)
	noOwner(t, s, "hq")
	rejected(t, "Apply after a failed renewal", s, l.Fence())
}

func testLeaseRenewTakenOver(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	la := acquire(t, s, "hq", "a", LeaseTTL)
	waitLeaseGone(t, s, "hq")
	lb := acquire(t, open2(t), "hq", "b", longTTL)
	_, err := s.RenewLease(testCtx(t), la, longTTL)
	wantErr(t, "RenewLease after takeover", err, store.ErrLeaseLost)
	owner(t, s, "hq", "b", lb.Token)
}

func testLeaseRelease(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	s2 := open2(t)
	la := acquire(t, s, "hq", "a", longTTL)
	noErr(t, "ReleaseLease", s.ReleaseLease(testCtx(t), la))
	noOwner(t, s, "hq")
	lb := acquire(t, s2, "hq", "b", longTTL)
	if lb.Token <= la.Token {
		t.Fatalf("token after release and acquisition by b: %d, want > %d", lb.Token, la.Token)
	}
	noErr(t, "ReleaseLease of a lease no longer held", s.ReleaseLease(testCtx(t), la))
	owner(t, s, "hq", "b", lb.Token)
	_, err := s.RenewLease(testCtx(t), la, longTTL)
	wantErr(t, "RenewLease of a released lease", err, store.ErrLeaseLost)
	noErr(t, "ReleaseLease", s2.ReleaseLease(testCtx(t), lb))
	noErr(t, "ReleaseLease twice", s2.ReleaseLease(testCtx(t), lb))
	noOwner(t, s, "hq")
}

func testLeaseTokensGrow(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	stores := []store.Store{s, open2(t)}
	var last uint64
	for i := range 6 {
		who := []string{"a", "b", "c"}[i%3]
		l := acquire(t, stores[i%2], "hq", who, longTTL)
		if l.Token <= last {
			t.Fatalf("acquisition %d by %s got token %d, want > %d", i, who, l.Token, last)
		}
		last = l.Token
		noErr(t, "ReleaseLease", stores[i%2].ReleaseLease(testCtx(t), l))
	}
}

func testLeasePerPBX(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	la := acquire(t, s, "hq", "a", longTTL)
	lb := acquire(t, open2(t), "branch", "b", longTTL)
	owner(t, s, "hq", "a", la.Token)
	owner(t, s, "branch", "b", lb.Token)
	noErr(t, "ReleaseLease", s.ReleaseLease(testCtx(t), la))
	owner(t, s, "branch", "b", lb.Token)
}

func testLeaseInvalid(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	for _, c := range []struct {
		pbx, owner string
		ttl        time.Duration
	}{{"", "a", longTTL}, {"hq", "", longTTL}, {"hq", "a", 0}, {"hq", "a", -time.Second}} {
		_, err := s.AcquireLease(testCtx(t), c.pbx, c.owner, c.ttl)
		if err == nil || errors.Is(err, store.ErrLeaseHeld) {
			t.Fatalf("AcquireLease(%q, %q, %v): got %v, want a validation error", c.pbx, c.owner, c.ttl, err)
		}
	}
	noOwner(t, s, "hq")
	l := acquire(t, s, "hq", "a", longTTL)
	if _, err := s.RenewLease(testCtx(t), l, 0); err == nil {
		t.Fatalf("RenewLease with TTL 0 succeeded, want an error")
	}
	owner(t, s, "hq", "a", l.Token)
	if _, _, err := s.LeaseOwner(testCtx(t), ""); err == nil || errors.Is(err, store.ErrNoOwner) {
		t.Fatalf("LeaseOwner of an empty PBX name: got %v, want a validation error", err)
	}
}

package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// lease is a PBX's ownership; the zero value is free.
type lease struct {
	owner   string
	token   uint64
	expires time.Time
}

func (l *lease) live(now time.Time) bool { return l.owner != "" && now.Before(l.expires) }

func (l *lease) holds(f store.Fence, now time.Time) bool {
	return l.live(now) && f.Owner == l.owner && f.Token == l.token
}

func (l *lease) granted(pbxName string) store.Lease {
	return store.Lease{PBX: pbxName, Owner: l.owner, Token: l.token, Expires: l.expires}
}

func checkTTL(ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("memory store: lease TTL %v is not positive", ttl)
	}
	return nil
}

// AcquireLease grants the lease to owner when it is free or expired (with a new, higher
// token), or extends it when owner already holds it (same token).
func (s *Store) AcquireLease(ctx context.Context, pbxName, owner string, ttl time.Duration) (store.Lease, error) {
	if err := s.ready(ctx); err != nil {
		return store.Lease{}, err
	}
	if owner == "" {
		return store.Lease{}, fmt.Errorf("memory store: lease of %s requested with an empty owner", pbxName)
	}
	if err := checkTTL(ttl); err != nil {
		return store.Lease{}, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return store.Lease{}, err
	}
	p.lmu.Lock()
	defer p.lmu.Unlock()
	now := s.opts.Now()
	switch {
	case p.lease.live(now) && p.lease.owner != owner:
		return store.Lease{}, &store.LeaseHeldError{PBX: pbxName, Owner: p.lease.owner, Token: p.lease.token}
	case p.lease.live(now):
		p.lease.expires = now.Add(ttl)
	default:
		p.tokenSeq++
		p.lease = lease{owner: owner, token: p.tokenSeq, expires: now.Add(ttl)}
	}
	return p.lease.granted(pbxName), nil
}

// RenewLease extends l if it is still the live lease; it never re-creates a lost one.
func (s *Store) RenewLease(ctx context.Context, l store.Lease, ttl time.Duration) (store.Lease, error) {
	if err := s.ready(ctx); err != nil {
		return store.Lease{}, err
	}
	if err := checkTTL(ttl); err != nil {
		return store.Lease{}, err
	}
	p, err := s.pbx(l.PBX)
	if err != nil {
		return store.Lease{}, err
	}
	p.lmu.Lock()
	defer p.lmu.Unlock()
	now := s.opts.Now()
	if !p.lease.holds(l.Fence(), now) {
		return store.Lease{}, fmt.Errorf("renew lease of %s by %s (token %d): %w", l.PBX, l.Owner, l.Token, store.ErrLeaseLost)
	}
	p.lease.expires = now.Add(ttl)
	return p.lease.granted(l.PBX), nil
}

// ReleaseLease frees the lease at once if l is still the live lease; otherwise it does
// nothing.
func (s *Store) ReleaseLease(ctx context.Context, l store.Lease) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	p, err := s.pbx(l.PBX)
	if err != nil {
		return err
	}
	p.lmu.Lock()
	defer p.lmu.Unlock()
	if p.lease.holds(l.Fence(), s.opts.Now()) {
		p.lease = lease{}
	}
	return nil
}

// LeaseOwner returns the live lease's owner and token, or store.ErrNoOwner.
func (s *Store) LeaseOwner(ctx context.Context, pbxName string) (string, uint64, error) {
	if err := s.ready(ctx); err != nil {
		return "", 0, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return "", 0, err
	}
	p.lmu.Lock()
	defer p.lmu.Unlock()
	if !p.lease.live(s.opts.Now()) {
		return "", 0, fmt.Errorf("lease of %s: %w", pbxName, store.ErrNoOwner)
	}
	return p.lease.owner, p.lease.token, nil
}

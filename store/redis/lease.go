package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// ttlMillis checks a lease TTL and returns it in whole milliseconds, as PEXPIRE takes it.
func ttlMillis(op, pbx string, ttl time.Duration) (int64, error) {
	if ttl < time.Millisecond {
		return 0, fmt.Errorf("redisstore: %s %s: lease TTL %v must be at least 1ms", op, pbx, ttl)
	}
	return ttl.Milliseconds(), nil
}

// AcquireLease takes the PBX's lease for owner if it is free or already owner's, with a new,
// higher token.
func (s *Store) AcquireLease(ctx context.Context, pbx, owner string, ttl time.Duration) (store.Lease, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return store.Lease{}, err
	}
	if owner == "" {
		return store.Lease{}, fmt.Errorf("redisstore: acquire lease of %s: empty owner", pbx)
	}
	ms, err := ttlMillis("acquire lease of", pbx, ttl)
	if err != nil {
		return store.Lease{}, err
	}
	v, err := s.runLeaseScript(ctx, acquireScript, []string{k.lease(), k.token()}, ttl, owner, ms)
	if err != nil {
		return store.Lease{}, s.fail("acquire lease of", pbx, err)
	}
	a, err := replyArray(v, 3)
	if err != nil {
		return store.Lease{}, fmt.Errorf("redisstore: acquire lease of %s: %w", pbx, err)
	}
	if ok, _ := replyInt(a[0]); ok == 0 {
		holder, _ := replyString(a[1])
		token, _ := replyUint(a[2])
		return store.Lease{}, &store.LeaseHeldError{PBX: pbx, Owner: holder, Token: token}
	}
	token, err := replyUint(a[1])
	if err != nil {
		return store.Lease{}, fmt.Errorf("redisstore: acquire lease of %s: %w", pbx, err)
	}
	expires, err := replyInt(a[2])
	if err != nil {
		return store.Lease{}, fmt.Errorf("redisstore: acquire lease of %s: %w", pbx, err)
	}
	l := store.Lease{PBX: pbx, Owner: owner, Token: token, Expires: time.UnixMilli(expires)}
	if len(a) > 3 {
		n, _ := replyInt(a[3])
		l.NoHistory = n == 1
	}
	return l, nil
}

// RenewLease extends a held lease; store.ErrLeaseLost when it expired or changed hands.
func (s *Store) RenewLease(ctx context.Context, l store.Lease, ttl time.Duration) (store.Lease, error) {
	k, err := s.beginPBX(ctx, l.PBX)
	if err != nil {
		return store.Lease{}, err
	}
	ms, err := ttlMillis("renew lease of", l.PBX, ttl)
	if err != nil {
		return store.Lease{}, err
	}
	v, err := s.runLeaseScript(ctx, renewScript, []string{k.lease()}, ttl,
		l.Owner, strconv.FormatUint(l.Token, 10), ms)
	if err != nil {
		return store.Lease{}, s.fail("renew lease of", l.PBX, err)
	}
	a, err := replyArray(v, 1)
	if err != nil {
		return store.Lease{}, fmt.Errorf("redisstore: renew lease of %s: %w", l.PBX, err)
	}
	if ok, _ := replyInt(a[0]); ok == 0 || len(a) < 2 {
		return store.Lease{}, fmt.Errorf("redisstore: renew lease of %s as %q (token %d): %w",
			l.PBX, l.Owner, l.Token, store.ErrLeaseLost)
	}
	expires, err := replyInt(a[1])
	if err != nil {
		return store.Lease{}, fmt.Errorf("redisstore: renew lease of %s: %w", l.PBX, err)
	}
	l.Expires = time.UnixMilli(expires)
	return l, nil
}

// ReleaseLease gives the lease up at once if l still holds it; otherwise it does nothing.
func (s *Store) ReleaseLease(ctx context.Context, l store.Lease) error {
	k, err := s.beginPBX(ctx, l.PBX)
	if err != nil {
		return err
	}
	err = releaseScript.Run(ctx, s.critical, []string{k.lease()}, l.Owner, strconv.FormatUint(l.Token, 10)).Err()
	if err != nil {
		return s.fail("release lease of", l.PBX, err)
	}
	return nil
}

// LeaseOwner returns the current owner and token, or store.ErrNoOwner.
func (s *Store) LeaseOwner(ctx context.Context, pbx string) (string, uint64, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return "", 0, err
	}
	v, err := s.critical.HMGet(ctx, k.lease(), "owner", "token").Result()
	if err != nil {
		return "", 0, s.fail("lease owner of", pbx, err)
	}
	owner, _ := v[0].(string)
	tok, _ := v[1].(string)
	if owner == "" {
		return "", 0, fmt.Errorf("redisstore: lease of %s: %w", pbx, store.ErrNoOwner)
	}
	token, err := strconv.ParseUint(tok, 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("redisstore: lease of %s: stored token %q is not a number", pbx, tok)
	}
	return owner, token, nil
}

package lookup

import (
	"container/list"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Defaults of the cache: the one place they are written (the daemon's docs/config.md shows
// them through cmd/ctibridge's config defaults).
const (
	DefaultCacheTTL         = 10 * time.Minute
	DefaultCacheNegativeTTL = time.Minute
	DefaultCacheSize        = 10000
)

// CacheConfig bounds the Resolver's cache. Zero fields take the defaults above.
type CacheConfig struct {
	// TTL is how long a name found is served from the cache; NegativeTTL how long a number
	// no source knows is answered "not known" without asking again. Failures are not cached.
	TTL         time.Duration
	NegativeTTL time.Duration
	// Size bounds the numbers cached; the least recently used goes first.
	Size int
}

// WithDefaults returns c with zero fields set to the defaults.
func (c CacheConfig) WithDefaults() CacheConfig {
	if c.TTL == 0 {
		c.TTL = DefaultCacheTTL
	}
	if c.NegativeTTL == 0 {
		c.NegativeTTL = DefaultCacheNegativeTTL
	}
	if c.Size == 0 {
		c.Size = DefaultCacheSize
	}
	return c
}

// Resolver answers lookups from a cache in front of a source (usually a Chain). Lookups of one
// number that overlap make one request of the source (single-flight). Safe for concurrent use.
type Resolver struct {
	src Source
	cfg CacheConfig
	m   *Metrics
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     *list.List               // front: most recently used
	flights map[string]*flight
	gen     uint64 // raised by Purge: answers of lookups begun before are not cached
}

type cacheEntry struct {
	number  string
	contact Contact
	found   bool
	expires time.Time
}

// flight is one lookup of a number in progress; done closes when its answer is set.
type flight struct {
	done    chan struct{}
	contact Contact
	found   bool
	err     error
	// gaveUp: the caller that made the request stopped waiting (its ctx ended), so the
	// answer says nothing about the number.
	gaveUp bool
}

// NewResolver returns a resolver asking src; m (may be nil) counts cache hits and misses.
func NewResolver(src Source, cfg CacheConfig, m *Metrics) *Resolver {
	return &Resolver{src: src, cfg: cfg.WithDefaults(), m: m, now: time.Now,
		entries: map[string]*list.Element{}, lru: list.New(), flights: map[string]*flight{}}
}

// Lookup finds the contact of number, trying its normalised form and then each alternate
// form (see Alternates) until one is known. err is set only when no form is known and a
// source could not be asked.
func (r *Resolver) Lookup(ctx context.Context, number string, alternates ...string) (Contact, bool, error) {
	var forms []string
	for _, f := range append([]string{number}, alternates...) {
		if k := Normalize(f); k != "" && !slices.Contains(forms, k) {
			forms = append(forms, k)
		}
	}
	var errs []error
	for _, f := range forms {
		c, ok, err := r.one(ctx, f)
		if ok {
			return c, true, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return Contact{}, false, errors.Join(errs...)
}

// Purge forgets every cached answer, e.g. after the directory file changed.
func (r *Resolver) Purge() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = map[string]*list.Element{}
	r.lru.Init()
	r.gen++
}

// Len is the number of cached answers.
func (r *Resolver) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lru.Len()
}

// one answers for one normalised number.
func (r *Resolver) one(ctx context.Context, number string) (Contact, bool, error) {
	for {
		r.mu.Lock()
		if el, ok := r.entries[number]; ok {
			e := el.Value.(*cacheEntry)
			if r.now().Before(e.expires) {
				r.lru.MoveToFront(el)
				r.mu.Unlock()
				if e.found {
					r.m.observeCache("hit")
				} else {
					r.m.observeCache("negative_hit")
				}
				return e.contact, e.found, nil
			}
			r.lru.Remove(el)
			delete(r.entries, number)
		}
		if f, ok := r.flights[number]; ok {
			r.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return Contact{}, false, context.Cause(ctx)
			}
			if f.gaveUp && ctx.Err() == nil {
				continue // the lookup was given up by its caller, not by us: ask again
			}
			r.m.observeCache("hit")
			return f.contact, f.found, f.err
		}
		f := &flight{done: make(chan struct{})}
		r.flights[number] = f
		gen := r.gen
		r.mu.Unlock()
		r.m.observeCache("miss")

		f.contact, f.found, f.err = r.src.Lookup(ctx, number)
		f.gaveUp = f.err != nil && ctx.Err() != nil
		r.mu.Lock()
		delete(r.flights, number)
		if f.err == nil && gen == r.gen {
			r.store(number, f.contact, f.found)
		}
		r.mu.Unlock()
		close(f.done)
		return f.contact, f.found, f.err
	}
}

// store caches an answer; r.mu is held.
func (r *Resolver) store(number string, c Contact, found bool) {
	ttl := r.cfg.TTL
	if !found {
		ttl = r.cfg.NegativeTTL
	}
	if ttl < 0 {
		return // caching of this kind is off
	}
	e := &cacheEntry{number: number, contact: c, found: found, expires: r.now().Add(ttl)}
	r.entries[number] = r.lru.PushFront(e)
	for r.lru.Len() > r.cfg.Size {
		old := r.lru.Back()
		r.lru.Remove(old)
		delete(r.entries, old.Value.(*cacheEntry).number)
	}
}

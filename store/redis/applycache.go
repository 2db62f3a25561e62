package redisstore

import "sync"

// applyCache keeps, per PBX, what every Apply passes alike: the script's KEYS, as command
// arguments, and its PUB/SUB channel, and a spare epoch candidate. The candidate (random,
// crypto/rand) is what the script adopts as the log's epoch when it finds none (a new PBX, or
// a Redis that lost its data); a candidate is reused only while no write adopted it, and never
// by two writes at once, so that an epoch is never made twice.
type applyCache struct {
	mu    sync.Mutex
	keys  map[string]*applyKeys // read-only once made
	spare map[string]string
}

// applyKeys are a PBX's KEYS of the apply script and its channel, boxed once: go-redis takes
// command arguments as []any, and boxing the eight keys of every write cost an allocation each.
type applyKeys struct {
	keys    []any
	channel any
}

// keysOf returns the PBX's applyKeys (the caller must not change them).
func (c *applyCache) keysOf(pbx, prefix string) *applyKeys {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.keys[pbx]; ok {
		return a
	}
	if c.keys == nil {
		c.keys = map[string]*applyKeys{}
	}
	k := newKeys(prefix, pbx)
	a := &applyKeys{channel: k.events()}
	for _, key := range []string{k.meta(), k.lines(), k.calls(), k.log(), k.lease(), k.histIndex(), k.histRecords(), k.histCalls()} {
		a.keys = append(a.keys, key)
	}
	c.keys[pbx] = a
	return a
}

// takeEpoch returns the PBX's spare candidate, or a new one.
func (c *applyCache) takeEpoch(pbx string) string {
	c.mu.Lock()
	e, ok := c.spare[pbx]
	delete(c.spare, pbx)
	c.mu.Unlock()
	if ok {
		return e
	}
	return newEpoch()
}

// returnEpoch gives back a candidate that a write answered without adopting it.
func (c *applyCache) returnEpoch(pbx, e string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spare == nil {
		c.spare = map[string]string{}
	}
	c.spare[pbx] = e
}

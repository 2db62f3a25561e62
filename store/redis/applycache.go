package redisstore

import "sync"

// applyCache keeps, per PBX, what every Apply passes alike: the script's KEYS, and a spare
// epoch candidate. The candidate (random, crypto/rand) is what the script adopts as the log's
// epoch when it finds none (a new PBX, or a Redis that lost its data); a candidate is reused
// only while no write adopted it, and never by two writes at once, so that an epoch is never
// made twice.
type applyCache struct {
	mu    sync.Mutex
	keys  map[string][]string // read-only once made
	spare map[string]string
}

// keyList returns the KEYS of the PBX's apply script (the caller must not change them).
func (c *applyCache) keyList(pbx string, k keys) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.keys[pbx]; ok {
		return l
	}
	if c.keys == nil {
		c.keys = map[string][]string{}
	}
	l := []string{k.meta(), k.lines(), k.calls(), k.log(), k.lease(), k.histIndex(), k.histRecords(), k.histCalls()}
	c.keys[pbx] = l
	return l
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

package web

import (
	"math/bits"
	"unsafe"
)

// lineCache spares the fan-out the look-up of an entry's line in the hub's index (byLine) by
// its name, which at saturation misses the processor's caches about four times (the map's
// control word, its slot, the stored name's bytes, the list). The engine puts the same string
// of a line's name in all of the line's events, so the address of the name's bytes finds the
// line's feeds in a small table, two slots per address. A slot holds the name it was filled
// for, which keeps those bytes alive: while it is there no other string can have their
// address, so an equal address and length mean an equal name. Names in other strings
// (entries decoded from a store) miss and take the index, as before. A stale slot holds no
// feed that left: lists are edited in place and a list that moves is cleared (addLines).
// Guarded by hub.mu.
type lineCache struct {
	slots []lineCacheSlot // pairs; about one per line in the index
	// gen numbers the states of the index: a slot filled in an earlier one is stale (a feed
	// added or dropped changes a line's list in place).
	gen uint64
}

type lineCacheSlot struct {
	name string
	subs []lineSub
	gen  uint64
}

// changed marks every slot stale, after a change to the index.
func (c *lineCache) changed() { c.gen++ }

// subsOf returns the feeds of line (non-empty), with their marks on it: byLine[line].
func (h *hub) subsOf(line string) []lineSub {
	c := &h.lines
	if n := len(h.byLine); c.slots == nil || len(c.slots) < n/2 || len(c.slots) > 8*n+64 {
		c.slots, c.gen = make([]lineCacheSlot, max(16, 1<<bits.Len(uint(n)))), c.gen+1
	}
	p := unsafe.StringData(line)
	// Fibonacci hashing spreads the addresses, which differ by as little as a byte.
	i := int((uint64(uintptr(unsafe.Pointer(p)))*0x9E3779B97F4A7C15)>>(64-bits.Len(uint(len(c.slots)-1)))) &^ 1
	pair := c.slots[i : i+2 : i+2]
	for k := range pair {
		if s := &pair[k]; s.gen == c.gen && len(s.name) == len(line) && unsafe.StringData(s.name) == p {
			return s.subs
		}
	}
	subs := h.byLine[line]
	pair[1] = pair[0] // the pair keeps the two names found last
	pair[0] = lineCacheSlot{name: line, subs: subs, gen: c.gen}
	return subs
}

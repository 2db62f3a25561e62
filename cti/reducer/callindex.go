package reducer

import "github.com/ctibridge/ctibridge/tapi"

// callIndex finds a line's calls by PBX call ID (and alias, see index). A line has a call
// or two: a short list is scanned comparing each ID's tag (idTag, kept in the entry) before
// its bytes (elsewhere in memory), where a map hashed the whole ID (32 bytes with some
// switches) and read its table, a cache miss per event over thousands of lines. The first
// entry is kept in the index itself, inside the lineState beside what an event reads of the
// line anyway, with a copy of its ID's bytes: the list's own array, and the bytes of an ID
// kept since an earlier event, were further misses. A line with more IDs than fewCallIDs
// moves them to a map.
type callIndex struct {
	one    callIDEntry       // the first entry; one.c == nil: none
	oneKey [maxKeyBytes]byte // one.id's bytes, when one.keyLen says so
	many   map[string]*tapi.Call
	few    []callIDEntry // the entries after one
}

type callIDEntry struct {
	tag    uint32 // idTag(id)
	keyLen uint8  // one only: len(id) when oneKey holds its bytes (0 < len(id) <= maxKeyBytes)
	id     string
	c      *tapi.Call
}

// maxKeyBytes is the longest ID whose bytes the index copies (OpenScape Voice's are 32).
const maxKeyBytes = 32

// setOne makes e the first entry.
func (x *callIndex) setOne(e callIDEntry) {
	e.keyLen = 0
	if n := len(e.id); n > 0 && n <= maxKeyBytes {
		e.keyLen = uint8(n)
		copy(x.oneKey[:], e.id)
	}
	x.one = e
}

// oneIs reports whether the first entry's ID is id.
func (x *callIndex) oneIs(id string) bool {
	if n := int(x.one.keyLen); n != 0 {
		return len(id) == n && string(x.oneKey[:n]) == id
	}
	return x.one.id == id
}

// fewCallIDs is how many IDs a line keeps in one and few.
const fewCallIDs = 8

// get returns the call with ID id, nil if none.
func (x *callIndex) get(id string) *tapi.Call {
	if x.many != nil {
		return x.many[id]
	}
	if e := x.find(id); e != nil {
		return e.c
	}
	return nil
}

// find returns the entry of id, nil if none.
func (x *callIndex) find(id string) *callIDEntry {
	if x.one.c == nil {
		return nil // few is empty too
	}
	t := idTag(id)
	if x.one.tag == t && x.oneIs(id) {
		return &x.one
	}
	for i := range x.few {
		if e := &x.few[i]; e.tag == t && e.id == id {
			return e
		}
	}
	return nil
}

// put makes id find c (not nil).
func (x *callIndex) put(id string, c *tapi.Call) {
	if x.many != nil {
		x.many[id] = c
		return
	}
	if e := x.find(id); e != nil {
		e.c = c
		return
	}
	switch {
	case x.one.c == nil:
		x.setOne(callIDEntry{tag: idTag(id), id: id, c: c})
	case len(x.few) < fewCallIDs-1:
		x.few = append(x.few, callIDEntry{tag: idTag(id), id: id, c: c})
	default:
		m := make(map[string]*tapi.Call, 2*fewCallIDs)
		x.each(func(id string, c *tapi.Call) { m[id] = c })
		m[id] = c
		x.many, x.few = m, nil
		x.setOne(callIDEntry{})
	}
}

// drop forgets id if it finds c.
func (x *callIndex) drop(id string, c *tapi.Call) {
	if x.many != nil {
		if x.many[id] == c {
			delete(x.many, id)
		}
		return
	}
	e := x.find(id)
	if e == nil || e.c != c {
		return
	}
	n := len(x.few) - 1
	switch {
	case n < 0: // e is one, the only entry
		x.setOne(callIDEntry{})
		return
	case e == &x.one:
		x.setOne(x.few[n]) // the last entry takes e's place
	default:
		*e = x.few[n]
	}
	x.few[n] = callIDEntry{} // nothing of a removed call stays reachable
	x.few = x.few[:n]
}

// each calls fn for every ID and its call, in no particular order.
func (x *callIndex) each(fn func(id string, c *tapi.Call)) {
	if x.many != nil {
		for id, c := range x.many {
			fn(id, c)
		}
		return
	}
	if x.one.c != nil {
		fn(x.one.id, x.one.c)
	}
	for _, e := range x.few {
		fn(e.id, e.c)
	}
}

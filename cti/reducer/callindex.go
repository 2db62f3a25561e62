package reducer

import "github.com/ctibridge/ctibridge/tapi"

// callIndex finds a line's calls by PBX call ID (and alias, see index). A line has a call
// or two: a short list is scanned comparing an ID's length and last byte before its bytes
// (the IDs of one switch have one length and differ at the end), where a map hashed the
// whole ID (32 bytes with some switches) and read its table, a cache miss per event over
// thousands of lines. A line with more IDs than fewCallIDs moves them to a map.
type callIndex struct {
	few  []callIDEntry
	many map[string]*tapi.Call
}

type callIDEntry struct {
	tag uint32 // idTag(id)
	id  string
	c   *tapi.Call
}

// fewCallIDs is how many IDs a line keeps in its list.
const fewCallIDs = 8

// get returns the call with ID id, nil if none.
func (x *callIndex) get(id string) *tapi.Call {
	if x.many != nil {
		return x.many[id]
	}
	if i := x.find(id); i >= 0 {
		return x.few[i].c
	}
	return nil
}

func (x *callIndex) find(id string) int {
	if id == "" {
		for i := range x.few {
			if x.few[i].id == "" {
				return i
			}
		}
		return -1
	}
	t := idTag(id)
	for i := range x.few {
		if e := &x.few[i]; e.tag == t && e.id == id {
			return i
		}
	}
	return -1
}

// put makes id find c.
func (x *callIndex) put(id string, c *tapi.Call) {
	if x.many != nil {
		x.many[id] = c
		return
	}
	if i := x.find(id); i >= 0 {
		x.few[i].c = c
		return
	}
	if len(x.few) < fewCallIDs {
		x.few = append(x.few, callIDEntry{idTag(id), id, c})
		return
	}
	x.many = make(map[string]*tapi.Call, 2*fewCallIDs)
	for _, e := range x.few {
		x.many[e.id] = e.c
	}
	x.many[id] = c
	x.few = nil
}

// drop forgets id if it finds c.
func (x *callIndex) drop(id string, c *tapi.Call) {
	if x.many != nil {
		if x.many[id] == c {
			delete(x.many, id)
		}
		return
	}
	if i := x.find(id); i >= 0 && x.few[i].c == c {
		n := len(x.few) - 1
		x.few[i] = x.few[n]
		x.few[n] = callIDEntry{} // nothing of a removed call stays reachable
		x.few = x.few[:n]
	}
}

// each calls fn for every ID and its call, in no particular order.
func (x *callIndex) each(fn func(id string, c *tapi.Call)) {
	if x.many != nil {
		for id, c := range x.many {
			fn(id, c)
		}
		return
	}
	for _, e := range x.few {
		fn(e.id, e.c)
	}
}

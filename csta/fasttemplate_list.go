package csta

import (
	"slices"
	"unsafe"
)

// Templates of events with a connection list (TransferredEvent, ConferencedEvent): the
// items are read out of the event, into the list's own array, so their values are noted
// as cuts into an item (tcut.elem, the item's index + 1) after a mark of the list (opList).
// A document that fits the template has the same bytes around the values, so the same
// items: its replay copies the template's list and reads the cuts into the copy. Each
// event owns its list (the template's event too): the caller may change the list it gets.

// listRecord is what a frecorder keeps while a connection list is read.
type listRecord struct {
	base, size uintptr // the event's (while an item is the frecorder's base)
	claims     int     // the event's claims; those after are the current item's
	elem       uint16  // the current item's index + 1, 0 outside a list
}

// maxListItems bounds the items a template notes (tcut.elem).
const maxListItems = 1<<16 - 2

// listStart notes the connection list dst, whose element starts at at.
func (r *frecorder) listStart(at int, dst *[]ConnectionListItem) {
	if r.list.elem != 0 {
		r.bad = true // a list in a list: not a form the decoder reads
		return
	}
	r.mark(at, opList, unsafe.Pointer(dst), unsafe.Sizeof(*dst))
	r.list = listRecord{base: r.base, size: r.size, claims: len(r.claims)}
}

// item makes the i-th item, it, the field that the following values go into: its members
// are claimed anew, apart from the event's.
func (r *frecorder) item(it *ConnectionListItem, i int) {
	if i >= maxListItems {
		r.bad = true
		return
	}
	r.base, r.size = uintptr(unsafe.Pointer(it)), unsafe.Sizeof(*it)
	r.claims = r.claims[:r.list.claims]
	r.list.elem = uint16(i + 1)
}

// listEnd makes the event the field the following values go into again.
func (r *frecorder) listEnd() {
	if r.list.size == 0 {
		return // listStart refused the list
	}
	r.base, r.size = r.list.base, r.list.size
	r.claims = r.claims[:r.list.claims]
	r.list = listRecord{}
}

// ownList gives the list at p (a []ConnectionListItem) an array of its own, and returns its
// first item (nil when it is empty).
func ownList(p unsafe.Pointer) unsafe.Pointer {
	l := (*[]ConnectionListItem)(p)
	if len(*l) == 0 {
		return nil
	}
	*l = slices.Clone(*l)
	return unsafe.Pointer(&(*l)[0])
}

// listBlockItems is the size of the blocks a link decoder cuts replayed events' lists from
// (eventTemplates.items), about eventBlockBytes: a list lives as long as its event.
const listBlockItems = eventBlockBytes / int(unsafe.Sizeof(ConnectionListItem{}))

// ownBlockList is ownList for a replayed event of d: the array is cut from d's block of
// items (a longer list is an allocation of its own), its capacity ending with it, so that an
// append cannot reach the next list.
func (d *xdoc) ownBlockList(p unsafe.Pointer) unsafe.Pointer {
	l := (*[]ConnectionListItem)(p)
	n := len(*l)
	if n == 0 || n > listBlockItems/4 {
		return ownList(p)
	}
	b := &d.tmpl.items
	if n > cap(*b)-len(*b) {
		*b = make([]ConnectionListItem, 0, listBlockItems)
	}
	k := len(*b)
	*b = append(*b, *l...)
	*l = (*b)[k : k+n : k+n]
	return unsafe.Pointer(&(*l)[0])
}

// ownLists gives the template's event lists of its own.
func (t *eventTemplate) ownLists() {
	base := t.ev
	for i := range t.cuts {
		if t.cuts[i].op == opList {
			ownList(unsafe.Add(base, t.cuts[i].off))
		}
	}
}

// cutField is where the value of c goes in an event at base whose list being replayed
// starts at items.
func cutField(base, items unsafe.Pointer, c *tcut) unsafe.Pointer {
	if c.elem == 0 {
		return unsafe.Add(base, c.off)
	}
	return unsafe.Add(items, uintptr(c.elem-1)*unsafe.Sizeof(ConnectionListItem{})+c.off)
}

package csta

import "unsafe"

// Event blocks: a link's reader hands every event it decodes to another goroutine (the
// session's dispatcher, then the owner's), so each is a heap object; at saturation that is
// nearly one allocation per event. A link's decoder (newLinkDoc) instead cuts the events of
// one kind from a block of them, one allocation per eventBlockBytes. The events are
// short-lived (the engine reduces them in its batch and drops them) and a block is freed once
// none of its events is referenced: an owner that keeps one event for long keeps its block,
// eventBlockBytes at most. Each event is still a struct of its own that no other event
// shares, so the owner may change it as before.

// eventBlockBytes is about the size of a block: 16 events of a call event's 300 to 400
// bytes. Blocks are of one kind, so a kind that is seldom sent holds at most one block that
// is not yet full.
const eventBlockBytes = 6 << 10

// eventBlock is the block that the next events of one kind are cut from.
type eventBlock struct {
	base unsafe.Pointer // the block's first event
	next int            // the index of the next event to hand out
	n    int            // the events in the block
}

// blockEvent is the next event T of b, a new block's when b is used up: zero when src is
// nil, a copy of the event at src otherwise.
func blockEvent[T any, P interface {
	*T
	memberEvent
}](b *eventBlock, src unsafe.Pointer) (memberEvent, unsafe.Pointer) {
	size := unsafe.Sizeof(*new(T))
	if b.next == b.n {
		n := max(1, eventBlockBytes/int(size))
		b.base, b.next, b.n = unsafe.Pointer(unsafe.SliceData(make([]T, n))), 0, n
	}
	p := (*T)(unsafe.Add(b.base, uintptr(b.next)*size))
	b.next++
	if src != nil {
		*p = *(*T)(src)
	}
	return P(p), unsafe.Pointer(p)
}

// eventKinds counts the kinds registered (eventKind.id); the kinds are all registered by
// the package's initialisation, before a link's decoder is made.
var eventKinds int

// newBlocks returns a link decoder's blocks, one for each event kind.
func newBlocks() []eventBlock { return make([]eventBlock, eventKinds) }

// newEvent is kind.mk for d: cut from d's block of the kind on a link's decoder.
func (d *xdoc) newEvent(kind *eventKind) memberEvent {
	if d.tmpl == nil || kind.id >= len(d.tmpl.blocks) {
		return kind.mk()
	}
	ev, _ := kind.fromBlock(&d.tmpl.blocks[kind.id], nil)
	return ev
}

// cloneEvent is kind.clone for d: cut from d's block of the kind on a link's decoder.
func (d *xdoc) cloneEvent(kind *eventKind, src unsafe.Pointer) (memberEvent, unsafe.Pointer) {
	if d.tmpl == nil || kind.id >= len(d.tmpl.blocks) {
		return kind.clone(src) // a decoder made before the kind was registered: none of its own
	}
	return kind.fromBlock(&d.tmpl.blocks[kind.id], src)
}

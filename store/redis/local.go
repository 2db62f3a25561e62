package redisstore

import (
	"sync"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// localEvents keeps the events this Store wrote lately, per PBX, so that its own subscriptions
// take them as written instead of decoding the JSON that Redis publishes back: the owner of a
// PBX is also a subscriber of its log (its WebSocket hub), and decoding every event it wrote
// cost more than writing it. Events are immutable once written (the
// reducer emits copies), but the store's callers may change what they gave or were given: the
// ring keeps a copy, each replay gets one of its own and the subscriptions share one (as the
// memory store's do: no subscriber changes an event; the engine's watcher and view, the web
// hub and its alerts all subscribe, so a copy each cost three per event): the ring's own copy,
// which a later batch replaces in its slot but never changes, still far cheaper than decoding.
//
// Redis publishes a batch from inside the write, so the subscription may read it before the
// writer has the reply with its offsets: the writer records the batch before writing, at the
// offsets it expects, and again at the real ones if they differ. A slot is used only for the
// very event published at that offset: the message names its write (store.Batch.ID) and its
// first offset, and a slot recorded for that write and first offset holds the same batch's
// event at the same place in it (a write's ID is unique, and an attempt sent again carries
// the same events); a message without a name (an unnamed write, or a writer from before
// names were published) is compared with the slot's JSON, byte for byte, as a slot of another
// write is. So an expectation that was wrong (a write that timed out but happened elsewhere,
// another writer in between) costs a decode, never a wrong event. An offset not held
// (another instance wrote it, or it left the ring) is decoded as before.
type localEvents struct {
	mu   sync.Mutex
	pbxs map[string]*localRing
}

// localRingSize is how many recent events are kept per PBX (about 1 KB each): more than a
// subscriber can trail by before it is dropped (SubscriberBuffer, 4096 by default, or Redis's
// client-output-buffer-limit at the rates one instance writes), so that its replay after the
// drop finds them too.
const localRingSize = 8192

type localRing struct {
	epoch string
	slots [localRingSize]localSlot
	// slabs hold the copies' call payloads (CallState, CallInfo, Call) in blocks of 64 per
	// kind instead of an allocation each: two or three per event, a fifth of the bridge's
	// allocations at 20,000 CSTA events/s. Blocks are filled up, not reserved per batch
	// (tapi.Slabs.Reserve), which would leave the rest of a block unused for batches of
	// tens of events (a quarter more bytes than the copies). A block lives while a slot
	// refers to it: the ring's events hold about a ring's worth.
	slabs tapi.Slabs
}

type localSlot struct {
	offset uint64     // 0: empty
	batch  written    // the write that recorded the slot, and its batch's first offset then
	ev     tapi.Event // a copy of the event written, shared by the subscriptions (never changed)
	js     []byte     // the event's JSON as written by tapi's encoder (never changed)
}

// written names a batch as its write publishes it: the write's ID (store.Batch.ID; "" for an
// unnamed write, or a message that carries none) and the offset of the batch's first event.
type written struct {
	write string
	first uint64
}

// named reports whether a slot recorded for batch b holds b's event at that offset: both name
// the same write and place the batch at the same first offset.
func (b written) named(slot written) bool {
	return b.write != "" && b == slot
}

// put records the events of batch b, the first at offset b.first; js holds their JSON as
// tapi's encoder wrote it (an event without is not recorded: applyArgs).
func (l *localEvents) put(pbx, epoch string, b written, evs []tapi.Event, js [][]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pbxs == nil {
		l.pbxs = map[string]*localRing{}
	}
	r := l.pbxs[pbx]
	if r == nil || r.epoch != epoch {
		r = &localRing{epoch: epoch}
		l.pbxs[pbx] = r
	}
	for i := range evs {
		// In place: a slot is about 330 bytes, and a composite literal (with the event
		// cloned into a value of its own) copied it twice more.
		off := b.first + uint64(i)
		s := &r.slots[off%localRingSize]
		s.offset, s.batch, s.js = off, b, js[i]
		r.slabs.CloneEventInto(&s.ev, &evs[i])
	}
}

// holds reports whether the ring holds the first event of batch b of the PBX's log in epoch:
// this Store wrote it lately (or expected to: for an unnamed batch get still compares the
// JSON).
func (l *localEvents) holds(pbx, epoch string, b written) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.pbxs[pbx]
	if r == nil || r.epoch != epoch {
		return false
	}
	s := &r.slots[b.first%localRingSize]
	return s.offset == b.first && (b.write == "" || b.named(s.batch))
}

// entry returns the entry at offset of the PBX's log in epoch, published as js in batch b:
// the ring's event when this Store wrote it (see get for shared), else decoded from js.
func (l *localEvents) entry(pbx, epoch string, offset uint64, js string, b written, shared bool) (store.Entry, error) {
	e := store.Entry{PBX: pbx, Epoch: epoch, Offset: offset}
	if l.get(pbx, epoch, offset, js, b, shared, &e) {
		return e, nil
	}
	return decodeEntry(pbx, epoch, offset, js)
}

// get sets e's event (and its JSON, store.Entry.JSON) to what was written at offset of the
// PBX's log in epoch, if held and published as js in batch b: for a subscription (shared) the
// subscriptions' copy, else one of e's own. A slot of the same named batch is the event
// published without a look at its text (but for its length, which costs nothing); any other
// is compared byte for byte.
func (l *localEvents) get(pbx, epoch string, offset uint64, js string, b written, shared bool, e *store.Entry) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.pbxs[pbx]
	if r == nil || r.epoch != epoch {
		return false
	}
	s := r.published(offset, b, js, true)
	if s == nil {
		return false
	}
	if shared {
		e.Event = s.ev // the ring's copy: put made it, nothing changes it
	} else {
		e.Event = s.ev.Clone()
	}
	e.JSON = s.js
	return true
}

// published returns the slot of offset if it holds the event published there in batch b
// (see get), else nil: a slot of the same named batch by the name alone, any other only when
// js (known: the caller has the text) is its JSON.
func (r *localRing) published(offset uint64, b written, js string, known bool) *localSlot {
	s := &r.slots[offset%localRingSize]
	switch {
	case s.offset != offset || s.js == nil:
		return nil
	case b.named(s.batch):
		return s
	case !known || string(s.js) != js:
		return nil
	}
	return s
}

// take sets es to the entries of p's events from index from on, as many as es holds, and
// returns how many it set: under one lock, the subscriptions' copy of each event the ring
// holds as published (as get, shared; lines are the events' text, nil when the caller did
// not split it: then only a named slot serves), the rest with JSON nil for the caller to
// decode. One
// look-up a message instead of one an event, and the entries written where the caller
// delivers them from: an entry is about 300 bytes, and returning each by value copied it
// four times on the way to the subscription's channel.
func (l *localEvents) take(pbx, epoch string, p *published, lines []string, from int, es []store.Entry) int {
	n := min(len(es), p.n-from)
	b := p.batch()
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.pbxs[pbx]
	if r != nil && r.epoch != epoch {
		r = nil
	}
	for k := range n {
		off := p.first + uint64(from+k)
		e := &es[k]
		e.PBX, e.Epoch, e.Offset, e.JSON = pbx, epoch, off, nil
		if r == nil {
			continue
		}
		var js string
		if lines != nil {
			js = lines[from+k]
		}
		if s := r.published(off, b, js, lines != nil); s != nil {
			e.Event, e.JSON = s.ev, s.js // the ring's copy: put made it, nothing changes it
		}
	}
	return n
}

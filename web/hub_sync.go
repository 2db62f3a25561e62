package web

import (
	"encoding/json"

	"github.com/ctibridge/ctibridge/store"
)

// The end of a subscribe's replay or resync: the delivered marks, the buffered live entries
// and the synced message, under the hub's lock.

// finishSync delivers the entries buffered during a replay that the replay did not cover,
// switches the feed to live delivery and queues the synced message, all under the hub's lock
// so that the synced position is exactly what the client has been sent.
// When the buffered entries do not fit into the send queue, or did not fit into the buffer, the
// feed falls behind: it catches up from the log and gets the synced message at the end.
func (h *hub) finishSync(f *feed, replayed int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	pending, overflow, from := f.pending, f.overflow, f.from
	f.pending, f.overflow, f.syncing = pendingLog{}, false, false
deliver:
	for _, chunk := range pending.chunks {
		for i := range chunk {
			p := &chunk[i]
			if !f.freshIn(p.epoch, p.line, p.offset) {
				continue
			}
			switch f.c.offer(p.msg) {
			case offerQueued:
				f.markIn(p.line, p.offset)
			case offerFull:
				overflow, from = true, store.Position{Epoch: p.epoch, Offset: p.offset - 1}
				break deliver
			case offerClosed:
				return
			}
		}
	}
	f.c.wake()
	if overflow {
		f.owesSynced, f.replayed = true, replayed
		h.fallBehind(f, from)
		return
	}
	h.queueSynced(f, replayed)
}

// queueSynced queues the synced message at the hub's position, or at the subscribe's floor
// when its resync or replay went beyond the hub (under the hub's lock): synced never says
// less than the client has been given.
func (h *hub) queueSynced(f *feed, replayed int) {
	off := h.pos.Offset
	if f.epoch == h.pos.Epoch {
		off = max(off, f.syncFloor)
	}
	f.syncFloor = 0
	b, _ := json.Marshal(syncedMsg{Type: msgSynced, PBX: h.pbx, Epoch: h.pos.Epoch,
		Offset: off, Replayed: replayed})
	f.c.enqueue(b)
}

// raiseSyncFloor records that a subscribe's resync or replay has given f the log up to off.
func (h *hub) raiseSyncFloor(f *feed, off uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f.syncFloor = max(f.syncFloor, off)
}

// behind reports whether pos, in the hub's epoch, is past the entries the hub has fanned out.
func (h *hub) behind(pos store.Position) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return pos.Epoch == h.pos.Epoch && pos.Offset > h.pos.Offset
}

// markDelivered records a replayed entry as delivered (under the hub's lock, since the fan-out
// reads the same marks).
func (h *hub) markDelivered(f *feed, e store.Entry) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.behind && e.Offset > f.caught {
		f.caught = e.Offset
	}
	return f.accept(e)
}

// setMarks sets the delivered marks of lines (and the line-less events) to pos, whose epoch
// becomes the feed's. Marks of other lines kept from an earlier epoch are reset.
func (h *hub) setMarks(f *feed, lines []string, pos store.Position, bridge bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.epoch != pos.Epoch {
		for _, r := range f.lines {
			*r.mark() = 0
		}
		f.bridgeLast = 0
		f.epoch = pos.Epoch
		if f.epoch == h.pos.Epoch {
			// The hub's copy, which the entries share: the fan-out compares epochs per feed
			// and entry, and equal strings at one address compare without reading them.
			f.epoch = h.pos.Epoch
		}
	}
	for _, l := range lines {
		if r, ok := f.lines[l]; ok {
			*r.mark() = pos.Offset
		}
	}
	if bridge {
		f.bridgeLast = pos.Offset
	}
}

package web

// msgBlocks hands out the hub's event messages from shared blocks: the fan-out writes each
// message in place at the end of the current block, so that a message costs no allocation of
// its own and is not copied out of an encoding buffer. A block lives as long as any of its
// messages (the replay cache, hub.recent, holds the newest anyway). Only the hub's goroutine,
// under the hub's lock, uses it.
type msgBlocks struct {
	free []byte // the unused end of the current block
}

// msgBlock is the size of a block: a few dozen call events. A small block keeps little
// memory alive for an old message that a client's queue still holds.
const msgBlock = 16 << 10

// maxEventLen is room enough for most events: a message needing more that no longer fits in
// the block starts a new one rather than being written twice.
const maxEventLen = 1 << 10

// room returns the unused end of the current block to append a message to, starting a new
// block first when less than want bytes are left. A message that outgrows the block is left
// in the array append gives it (keep).
func (m *msgBlocks) room(want int) []byte {
	if cap(m.free) < want && want <= msgBlock/2 {
		m.free = make([]byte, 0, msgBlock)
	}
	return m.free[:0]
}

// keep returns b, a message appended to what room returned, as a full slice (so that an
// append to the message never reaches the next one), and keeps the block's end after it for
// the next message.
func (m *msgBlocks) keep(b []byte) []byte {
	if cap(b) == cap(m.free) { // still in the block
		m.free = b[len(b):]
	} // else append moved it out: the block's end stays free
	return b[:len(b):len(b)]
}

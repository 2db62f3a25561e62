package reducer

// clearedMemory is how many cleared PBX call IDs each line remembers, so that late or
// duplicated events for a call that went IDLE cannot bring it back.
const clearedMemory = 16

// clearedRing is a line's ring of recently cleared PBX call IDs. Every new call of the line
// scans it twice (wasCleared, forget): comparing the IDs themselves read each one's bytes
// elsewhere in memory, a cache miss per ID over thousands of lines. A tag per ID (ringTag:
// from its last bytes) is scanned instead, all 16 in 16 bytes beside the line's call
// index (see lineState), and only an ID whose tag matches is compared.
type clearedRing struct {
	tags [clearedMemory]uint8 // ringTag of ids[i] (0 for an empty slot)
	n    int                  // IDs remembered so far; the next goes to n % clearedMemory
	ids  [clearedMemory]string
}

// ringTag is idTag in 8 bits (the top bits of its product with a large odd number depend
// on all of its bytes). 0 for "". One ID in 256 shares an ID's tag, and costs a
// comparison of their bytes.
func ringTag(id string) uint8 { return uint8(idTag(id) * 0x9E3779B1 >> 24) }

// idTag is a summary of a PBX call ID: the IDs of one switch have one length and differ at
// the end, so their last four bytes tell nearly all apart. Equal IDs have equal tags; the
// tag of "" is 0 and stands for no ID (an empty slot), which another tag may equal too.
func idTag(id string) uint32 {
	if len(id) < 4 {
		return shortIDTag(id)
	}
	e := id[len(id)-4:]
	return uint32(e[0]) | uint32(e[1])<<8 | uint32(e[2])<<16 | uint32(e[3])<<24
}

// shortIDTag is idTag of an ID shorter than four bytes: its bytes and length.
func shortIDTag(id string) uint32 {
	var t uint32
	for i := 0; i < len(id); i++ {
		t = t<<8 | uint32(id[i])
	}
	return t + uint32(len(id))
}

// has reports whether id ("" never) is in the ring.
func (r *clearedRing) has(id string) bool {
	if id == "" {
		return false
	}
	t := ringTag(id)
	for i := range r.tags {
		if r.tags[i] == t && r.ids[i] == id {
			return true
		}
	}
	return false
}

// add remembers id ("" is not remembered), forgetting the oldest ID when the ring is full.
func (r *clearedRing) add(id string) {
	if id == "" {
		return
	}
	i := r.n % clearedMemory
	r.tags[i], r.ids[i] = ringTag(id), id
	r.n++
}

// drop forgets id wherever the ring holds it.
func (r *clearedRing) drop(id string) {
	if id == "" {
		return // "" is never remembered
	}
	t := ringTag(id)
	for i := range r.tags {
		if r.tags[i] == t && r.ids[i] == id {
			r.tags[i], r.ids[i] = 0, ""
		}
	}
}

package reducer

// clearedMemory is how many cleared PBX call IDs each line remembers, so that late or
// duplicated events for a call that went IDLE cannot bring it back.
const clearedMemory = 16

// clearedRing is a line's ring of recently cleared PBX call IDs. Every new call of the line
// scans it twice (wasCleared, forget): comparing the IDs themselves read each one's bytes
// elsewhere in memory, a cache miss per ID over thousands of lines. A tag per ID (ringTag:
// its length and last bytes) is scanned instead, all 16 in 32 bytes beside the line's call
// index (see lineState), and only an ID whose tag matches is compared.
type clearedRing struct {
	tags [clearedMemory]uint16 // ringTag of ids[i]; 0: empty
	n    int                   // IDs remembered so far; the next goes to n % clearedMemory
	ids  [clearedMemory]string
}

// ringTag is idTag in 16 bits, never 0.
func ringTag(id string) uint16 {
	t := idTag(id)
	if v := uint16(t ^ t>>16); v != 0 {
		return v
	}
	return 1
}

// idTag is a summary of a non-empty PBX call ID: the IDs of one switch have one length and
// differ at the end, so their last four bytes and length tell nearly all apart. It is never
// 0 (the tag of no ID).
func idTag(id string) uint32 {
	n := len(id)
	var t uint32
	if n >= 4 {
		t = uint32(id[n-4]) | uint32(id[n-3])<<8 | uint32(id[n-2])<<16 | uint32(id[n-1])<<24
	} else {
		for i := 0; i < n; i++ {
			t = t<<8 | uint32(id[i])
		}
	}
	t ^= uint32(n) * 0x9E3779B1
	if t == 0 {
		t = 1
	}
	return t
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

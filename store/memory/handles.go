package memory

// handleIndex maps the hash of a call's handle (handleHash) to a location: of the call's
// newest record in the history, of the call in the call table. It is an open-addressed table
// with linear probing, the keys in one array and the locations in another. A Go map of 100,000 entries cost several dependent cache misses per
// operation (its directory, table, control word and slot), and the history made two
// operations per record written (look-up, then store) and two per record trimmed (look-up,
// then delete); here each is one probe, mostly within one cache line of keys, and the change
// is made in the slot it found.
type handleIndex[L comparable] struct {
	keys  []uint64 // 0 marks an empty slot (see key); len is a power of two, or 0
	locs  []L
	shift uint // 64 - log2(len(keys)): a key's home slot is its top bits after fibMul
	n     int  // slots used
}

// fibMul spreads the keys' bits over the top bits (Fibonacci hashing): a home slot does not
// depend on the low bits alone, which the tests cut hashes to.
const fibMul = 0x9E3779B97F4A7C15

// key is the table's key for the hash hh. Setting the low bit keeps 0 for empty slots; two
// hashes that become one key are a collision, which the history resolves as it resolves two
// handles with one hash (it compares the handles).
func key(hh uint64) uint64 { return hh | 1 }

func (t *handleIndex[L]) home(k uint64) int { return int((k * fibMul) >> t.shift) }

// find returns the slot holding k, or else the empty slot where k would go. The table must
// have slots (and always has an empty one).
func (t *handleIndex[L]) find(k uint64) (i int, found bool) {
	mask := len(t.keys) - 1
	for i = t.home(k); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return i, true
		case 0:
			return i, false
		}
	}
}

// get returns the location stored for the hash hh.
func (t *handleIndex[L]) get(hh uint64) (l L, found bool) {
	if t.n == 0 {
		return l, false
	}
	if i, ok := t.find(key(hh)); ok {
		return t.locs[i], true
	}
	return l, false
}

// slot returns the slot of the hash hh, or the empty slot where it would go, making room
// first for one more key; store with setAt.
func (t *handleIndex[L]) slot(hh uint64) (i int, found bool) {
	if (t.n+1)*16 > len(t.keys)*13 { // more than 13/16 full: the probes grow long
		t.grow()
	}
	return t.find(key(hh))
}

// setAt stores l for the hash hh in slot i, which slot returned for hh.
func (t *handleIndex[L]) setAt(i int, hh uint64, l L) {
	if t.keys[i] == 0 {
		t.keys[i] = key(hh)
		t.n++
	}
	t.locs[i] = l
}

// removeAt empties slot i, moving back the entries after it that their probes would no
// longer reach across the hole (backward-shift deletion: no tombstones).
func (t *handleIndex[L]) removeAt(i int) {
	mask := len(t.keys) - 1
	for j := (i + 1) & mask; t.keys[j] != 0; j = (j + 1) & mask {
		// The entry at j moves to the hole unless its home lies after the hole (cyclically).
		if (j-t.home(t.keys[j]))&mask >= (j-i)&mask {
			t.keys[i], t.locs[i] = t.keys[j], t.locs[j]
			i = j
		}
	}
	var none L
	t.keys[i], t.locs[i] = 0, none
	t.n--
}

// grow doubles the table (16 slots at first).
func (t *handleIndex[L]) grow() {
	keys, locs := t.keys, t.locs
	size := max(16, 2*len(keys))
	t.keys, t.locs = make([]uint64, size), make([]L, size)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	for j, k := range keys {
		if k != 0 {
			i, _ := t.find(k)
			t.keys[i], t.locs[i] = k, locs[j]
		}
	}
}

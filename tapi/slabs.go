package tapi

// Slabs hand out copies of the payloads most events carry (CallStatus, CallInfoEvent, a new
// call's Call with the arrays of its call IDs and parties) from shared arrays instead of one
// allocation each: the reducer makes them for every CSTA event, the memory store copies them
// for its subscribers, and most events carry one or two.
//
// Aliasing: a value is written once, when it is handed out, and never again by the Slabs
// until its owner calls Recycle; an array (a block) lives as long as any event that points
// into it, so whoever keeps one event keeps its neighbours' values too (events are
// short-lived: the stores and the web hub keep encoded copies or copies of their own). A
// string slice handed out has capacity == length, so appending to it copies instead of
// writing over the next value. A Slabs must not be copied once it has handed out a value (the
// copy would hand out the same slots again).
//
// The zero value is ready to use: the arrays are blocks of slabBlock values, made when the
// previous one is full; Reserve makes a larger one for a known batch. An owner that knows
// when nobody holds its values any more (the reducer, once a batch is stored and in the
// view) calls Reuse first and Recycle then, and the blocks are handed out again instead of
// made anew.
type Slabs struct {
	states    slab[CallStatus]
	infos     slab[CallInfoEvent]
	calls     slab[Call]
	strs      slab[string] // the calls' OtherCallIDs and Parties
	recycling bool         // Reuse was called: full blocks are kept to hand out again
}

// slabBlock is how many values a block holds when no Reserve asked for more (a block of
// CallInfoEvents is 18 KB, of Calls 29 KB, of CallStatuses 1.5 KB). A string slice of more
// than slabBlock/4 that does not fit gets an array of its own rather than a new block.
const slabBlock = 64

// maxRecycledBlocks bounds the blocks of a kind kept for reuse: a batch larger than the
// pipeline's usual ones (a resync's) leaves the rest to the collector.
const maxRecycledBlocks = 64

// slab is the blocks of one kind of value: the one being handed out and, once the owner
// recycles, those filled since the last Recycle and those free to hand out again.
type slab[T any] struct {
	cur  []T
	used [][]T
	free [][]T
}

// SlabSizes counts the values the Slabs hand out for some events (Count), so that Reserve
// can make one array per kind for all of them.
type SlabSizes struct {
	States, Infos, Calls, Strings int
}

// Count adds what CloneEvent takes from the Slabs for e.
func (n *SlabSizes) Count(e *Event) {
	if e.CallState != nil {
		n.States++
	}
	if e.CallInfo != nil {
		n.Infos++
	}
	if e.Call != nil {
		n.Calls++
		n.Strings += len(e.Call.OtherCallIDs) + len(e.Call.Parties)
	}
}

// Reserve makes the next n values of each kind come from one array: a kind whose block has
// less room left gets a new one (the rest of the old block is left unused) of n values, or
// of slabBlock when n is smaller. A large batch is then copied into one array per kind,
// which is faster than blocks (BenchmarkSlabsCloneBatch), and small batches still share
// blocks, which is faster than arrays of their own.
func (s *Slabs) Reserve(n SlabSizes) {
	s.states.reserve(n.States, s.recycling)
	s.infos.reserve(n.Infos, s.recycling)
	s.calls.reserve(n.Calls, s.recycling)
	s.strs.reserve(n.Strings, s.recycling)
}

func (b *slab[T]) reserve(n int, recycling bool) {
	if n > cap(b.cur)-len(b.cur) {
		b.retire(recycling)
		b.cur = make([]T, 0, max(n, slabBlock))
	}
}

// take returns the next k values (capacity k), starting a new block when they do not fit;
// more than a quarter block that does not fit gets an array of its own. The values handed
// out never move: a new block is another array.
func (b *slab[T]) take(k int, recycling bool) []T {
	n := len(b.cur)
	if k > cap(b.cur)-n {
		if k > slabBlock/4 {
			return make([]T, k) // make's capacity is exact, append's may be rounded up
		}
		b.retire(recycling)
		if f := len(b.free); f > 0 {
			b.cur, b.free = b.free[f-1], b.free[:f-1]
		} else {
			b.cur = make([]T, 0, slabBlock)
		}
		n = 0
	}
	b.cur = b.cur[:n+k]
	return b.cur[n : n+k : n+k]
}

// retire puts the current block aside: kept for the next Recycle when recycling, else left
// to the events that point into it.
func (b *slab[T]) retire(recycling bool) {
	if recycling && b.cur != nil && len(b.used) < maxRecycledBlocks {
		b.used = append(b.used, b.cur)
	}
}

// recycle makes every block handed out so far free to hand out again, emptied (what the old
// values pointed to is not kept alive by them).
func (b *slab[T]) recycle() {
	for _, blk := range b.used {
		clear(blk)
		if len(b.free) < maxRecycledBlocks {
			b.free = append(b.free, blk[:0])
		}
	}
	clear(b.used)
	b.used = b.used[:0]
	clear(b.cur)
	b.cur = b.cur[:0]
}

// Reuse makes the Slabs keep the blocks it fills (up to maxRecycledBlocks of each kind), to
// hand them out again after Recycle: for an owner that recycles (one that never does would
// only keep them alive).
func (s *Slabs) Reuse() { s.recycling = true }

// Recycle tells the Slabs that nobody holds any value handed out so far: their memory is
// handed out again for the next values (the blocks filled since Reuse).
func (s *Slabs) Recycle() {
	s.states.recycle()
	s.infos.recycle()
	s.calls.recycle()
	s.strs.recycle()
}

// one returns a pointer to a value set to v.
func one[T any](b *slab[T], v T, recycling bool) *T {
	p := &b.take(1, recycling)[0]
	*p = v
	return p
}

// CallStatus returns a pointer to a copy of v.
func (s *Slabs) CallStatus(v CallStatus) *CallStatus { return one(&s.states, v, s.recycling) }

// CallInfo returns a pointer to a copy of v.
func (s *Slabs) CallInfo(v CallInfoEvent) *CallInfoEvent { return one(&s.infos, v, s.recycling) }

// Call returns a deep copy of c, as c.Clone() makes it (empty slices are nil).
func (s *Slabs) Call(c *Call) *Call {
	d := one(&s.calls, *c, s.recycling)
	d.OtherCallIDs = s.strings(c.OtherCallIDs)
	d.Parties = s.strings(c.Parties)
	d.Conference = c.Conference.Clone()
	return d
}

// CloneEvent returns e.Clone() with the Call, CallState and CallInfo copies from the Slabs.
func (s *Slabs) CloneEvent(e *Event) Event {
	var c Event
	s.CloneEventInto(&c, e)
	return c
}

// CloneEventInto is CloneEvent writing the copy into dst: a store's fan-out copies an event
// straight into the entry it sends, where a returned value went through two more copies of
// the event's 280 bytes on its way.
func (s *Slabs) CloneEventInto(dst, e *Event) {
	e.cloneRestInto(dst)
	if e.Call != nil {
		dst.Call = s.Call(e.Call)
	}
	if e.CallState != nil {
		dst.CallState = s.CallStatus(*e.CallState)
	}
	if e.CallInfo != nil {
		dst.CallInfo = s.CallInfo(*e.CallInfo)
	}
}

// strings returns a copy of v whose capacity is its length (nil when v is empty, as Clone
// makes it).
func (s *Slabs) strings(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	d := s.strs.take(len(v), s.recycling)
	copy(d, v)
	return d
}

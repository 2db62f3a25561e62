package reducer

import "github.com/ctibridge/ctibridge/tapi"

// eventValues hands out the values the events of the state's results point to (a new call's
// Call with its parties and call IDs, CallStatus, CallInfoEvent) from blocks, as tapi.Slabs
// does, and takes the blocks back once the caller is done with every result so far
// (State.Recycle): the pipeline writes each batch's events to the store, which copies them,
// and a new block per 64 values was a tenth of the bytes the bridge allocated at saturation
// (each a fresh array to write, a cache miss per line, and more work for the collector).
// A caller that never recycles gets what tapi.Slabs gives: values written once.
type eventValues struct {
	states valueBlocks[tapi.CallStatus]
	infos  valueBlocks[tapi.CallInfoEvent]
	calls  valueBlocks[tapi.Call]
	strs   valueBlocks[string]
}

// valueBlockLen is how many values a block holds (a block of Calls is 29 KB).
const valueBlockLen = 64

// maxRecycledBlocks bounds the blocks of a kind kept for reuse: a batch larger than the
// pipeline's usual ones (a resync's) leaves the rest to the collector.
const maxRecycledBlocks = 64

// valueBlocks are the blocks of one kind of value.
type valueBlocks[T any] struct {
	cur  []T   // the block being handed out
	used [][]T // the blocks filled since the last recycle (up to maxRecycledBlocks)
	free [][]T // the blocks recycled, to hand out again
}

// take returns k contiguous values (capacity k, so an append copies), from the current block
// when they fit, else from a recycled or new one; more than a quarter block get an array
// of their own.
func (b *valueBlocks[T]) take(k int) []T {
	n := len(b.cur)
	if k > cap(b.cur)-n {
		if k > valueBlockLen/4 {
			return make([]T, k)
		}
		if b.cur != nil && len(b.used) < maxRecycledBlocks {
			b.used = append(b.used, b.cur)
		}
		if f := len(b.free); f > 0 {
			b.cur, b.free = b.free[f-1], b.free[:f-1]
		} else {
			b.cur = make([]T, 0, valueBlockLen)
		}
		n = 0
	}
	b.cur = b.cur[:n+k]
	return b.cur[n : n+k : n+k]
}

// one returns a pointer to a value set to v.
func (b *valueBlocks[T]) one(v T) *T {
	p := &b.take(1)[0]
	*p = v
	return p
}

// recycle makes every block handed out so far free to hand out again, emptied (what the old
// values pointed to is not kept alive by them).
func (b *valueBlocks[T]) recycle() {
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

// CallStatus returns a pointer to a copy of v.
func (s *eventValues) CallStatus(v tapi.CallStatus) *tapi.CallStatus { return s.states.one(v) }

// CallInfo returns a pointer to a copy of v.
func (s *eventValues) CallInfo(v tapi.CallInfoEvent) *tapi.CallInfoEvent { return s.infos.one(v) }

// Call returns a deep copy of c, as c.Clone() makes it (empty slices are nil).
func (s *eventValues) Call(c *tapi.Call) *tapi.Call {
	d := s.calls.one(*c)
	d.OtherCallIDs = s.strings(c.OtherCallIDs)
	d.Parties = s.strings(c.Parties)
	d.Conference = c.Conference.Clone()
	return d
}

// strings returns a copy of v (nil when v is empty, as Clone makes it).
func (s *eventValues) strings(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	d := s.strs.take(len(v))
	copy(d, v)
	return d
}

// recycle: see State.Recycle.
func (s *eventValues) recycle() {
	s.states.recycle()
	s.infos.recycle()
	s.calls.recycle()
	s.strs.recycle()
}

// Recycle tells the state that the caller is done with the events of every result so far
// (their Call, CallState and CallInfo values): the state hands their memory out again for
// the events of its next results. The pipeline calls it once a batch is in the store and the
// view, which keep copies of their own.
func (s *State) Recycle() { s.slabs.recycle() }

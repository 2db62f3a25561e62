package tapi

// Slabs hand out copies of the payloads most events carry (CallStatus, CallInfoEvent, a new
// call's Call with the arrays of its call IDs and parties) from shared arrays instead of one
// allocation each: the reducer makes them for every CSTA event, the memory store copies them
// for its subscribers, and most events carry one or two.
//
// Aliasing: a value is written once, when it is handed out, and never again by the Slabs; an
// array (a block) lives as long as any event that points into it, so whoever keeps one event
// keeps its neighbours' values too (events are short-lived: the stores and the web hub keep
// encoded copies or copies of their own). A string slice handed out has capacity == length,
// so appending to it copies instead of writing over the next value. A Slabs must not be
// copied once it has handed out a value (the copy would hand out the same slots again).
//
// The zero value is ready to use: the arrays are blocks of slabBlock values, made when the
// previous one is full; Reserve makes a larger one for a known batch.
type Slabs struct {
	states []CallStatus
	infos  []CallInfoEvent
	calls  []Call
	strs   []string // the calls' OtherCallIDs and Parties
}

// slabBlock is how many values a block holds when no Reserve asked for more (a block of
// CallInfoEvents is 18 KB, of Calls 29 KB, of CallStatuses 1.5 KB). A string slice of more
// than slabBlock/4 that does not fit gets an array of its own rather than a new block.
const slabBlock = 64

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
	reserve(&s.states, n.States)
	reserve(&s.infos, n.Infos)
	reserve(&s.calls, n.Calls)
	reserve(&s.strs, n.Strings)
}

func reserve[T any](slab *[]T, n int) {
	if n > cap(*slab)-len(*slab) {
		*slab = make([]T, 0, max(n, slabBlock))
	}
}

// take returns the next free value of the slab, starting a new block when it is full. The
// values handed out never move: a new block is a new array.
func take[T any](slab *[]T) *T {
	n := len(*slab)
	if n == cap(*slab) {
		*slab, n = make([]T, 0, slabBlock), 0
	}
	*slab = (*slab)[:n+1]
	return &(*slab)[n]
}

// CallStatus returns a pointer to a copy of v.
func (s *Slabs) CallStatus(v CallStatus) *CallStatus {
	p := take(&s.states)
	*p = v
	return p
}

// CallInfo returns a pointer to a copy of v.
func (s *Slabs) CallInfo(v CallInfoEvent) *CallInfoEvent {
	p := take(&s.infos)
	*p = v
	return p
}

// Call returns a deep copy of c, as c.Clone() makes it (empty slices are nil).
func (s *Slabs) Call(c *Call) *Call {
	d := take(&s.calls)
	*d = *c
	d.OtherCallIDs = s.strings(c.OtherCallIDs)
	d.Parties = s.strings(c.Parties)
	d.Conference = c.Conference.Clone()
	return d
}

// CloneEvent returns e.Clone() with the Call, CallState and CallInfo copies from the Slabs.
func (s *Slabs) CloneEvent(e *Event) Event {
	c := e.cloneRest()
	if e.Call != nil {
		c.Call = s.Call(e.Call)
	}
	if e.CallState != nil {
		c.CallState = s.CallStatus(*e.CallState)
	}
	if e.CallInfo != nil {
		c.CallInfo = s.CallInfo(*e.CallInfo)
	}
	return c
}

// strings returns a copy of v whose capacity is its length (nil when v is empty, as Clone
// makes it).
func (s *Slabs) strings(v []string) []string {
	k := len(v)
	if k == 0 {
		return nil
	}
	n := len(s.strs)
	if k > cap(s.strs)-n {
		if k > slabBlock/4 {
			d := make([]string, k) // make's capacity is exact, append's may be rounded up
			copy(d, v)
			return d
		}
		s.strs, n = make([]string, 0, slabBlock), 0
	}
	s.strs = append(s.strs, v...)
	return s.strs[n : n+k : n+k]
}

package reducer

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// LineRef remembers where the state keeps a line, for a caller that applies many events to
// the same lines (the pipeline keeps one per monitored extension): ApplyRef then finds the
// line without looking its extension up. The zero value finds it on first use. A LineRef
// is used from the goroutine that applies the state's events.
type LineRef struct {
	s   *State // the state ls is of
	ls  *lineState
	gen uint64 // the state's lineGen when ls was found
}

// ApplyRef is ApplyInto for the line of extension line, found through ref (and remembered
// there when ref is empty or stale: of another state, or a line removed or the state
// restored since).
func (s *State) ApplyRef(buf *Result, ref *LineRef, line string, ev csta.Event, now time.Time) Result {
	if ref.s != s || ref.gen != s.lineGen {
		ls, ok := s.lines[line]
		if !ok {
			*ref = LineRef{}
			return Result{Ignored: IgnoredUnknownLine}
		}
		*ref = LineRef{s: s, ls: ls, gen: s.lineGen}
	}
	return s.applyLine(buf, ref.ls, ev, now)
}

// Warm reads what applying an event on ref's line reads first (the line's state and its
// first call) and changes nothing. Over thousands of lines each of those reads is a cache
// miss, and one event's misses come one after the other (the line, then its call); a caller
// about to apply events on several lines warms them all first, so that their misses overlap.
// The result only keeps the reads from being left out; a stale or empty ref reads nothing.
func (s *State) Warm(ref *LineRef) uint {
	ls := ref.ls
	if ref.s != s || ls == nil {
		return 0
	}
	v := uint(ls.addrLen)
	if ls.Queue != nil {
		v++
	}
	if c := ls.byCallID.one.c; c != nil {
		v += uint(c.State) + uint(c.Info.Origin)
	}
	return v
}

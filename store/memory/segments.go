package memory

// segments packs the encoded records of the log and of the call history into large byte
// slices, so that 100,000 retained records are a few dozen allocations without pointers
// instead of one (and a pointer to mark) per record. A record's bytes never change once
// written: readers may use them after unlocking, and a freed segment is only dropped, never
// reused.
type segments struct {
	segs [][]byte // segs[i] has number base+i; nil once freed
	base uint64
	fill int // bytes used in the newest segment (its length is its size: writing stores no pointer)

	// Used by the history only (the log frees by position, see dropBefore): whether records
	// are counted, the records counted in each segment, and the bytes of the segments held.
	counted bool
	live    []int32
	held    int
}

// segmentSize is the size of a segment (a record larger than this gets one of its own).
const segmentSize = 64 << 10

// reserve returns room for n bytes in the newest segment (starting one when they do not fit)
// and the number and offset of that room.
func (s *segments) reserve(n int) (seg uint64, off uint32, dst []byte) {
	k := len(s.segs)
	if k == 0 || len(s.segs[k-1])-s.fill < n {
		if k > 0 && s.counted && s.live[k-1] == 0 { // emptied while it was the newest
			s.free(k - 1)
			k = len(s.segs)
		}
		size := max(segmentSize, n)
		s.segs = append(s.segs, make([]byte, size))
		s.live = append(s.live, 0)
		s.held += size
		s.fill = 0
		k++
	}
	off = uint32(s.fill)
	s.fill += n
	return s.base + uint64(k-1), off, s.segs[k-1][off:s.fill:s.fill]
}

// room is how many bytes reserve gives in the newest segment without starting one.
func (s *segments) room() int {
	if k := len(s.segs); k > 0 {
		return len(s.segs[k-1]) - s.fill
	}
	return 0
}

// bytes returns n bytes at off in segment seg, which must be held.
func (s *segments) bytes(seg uint64, off, n uint32) []byte {
	return s.segs[seg-s.base][off : off+n : off+n]
}

// dropBefore frees the segments numbered below seg.
func (s *segments) dropBefore(seg uint64) {
	for s.base < seg && len(s.segs) > 0 {
		s.held -= len(s.segs[0])
		s.segs[0] = nil
		s.segs, s.live = s.segs[1:], s.live[1:]
		s.base++
	}
}

// ref and unref count the records in a segment; a segment other than the newest is freed
// when its count drops to zero.
func (s *segments) ref(seg uint64) { s.live[seg-s.base]++ }

func (s *segments) unref(seg uint64) {
	i := seg - s.base
	if s.live[i]--; s.live[i] == 0 && int(i) < len(s.segs)-1 {
		s.free(int(i))
	}
}

// free drops segment i (an index), and the oldest segments while they are freed ones.
func (s *segments) free(i int) {
	s.held -= len(s.segs[i])
	s.segs[i] = nil
	n := 0
	for n < len(s.segs) && s.segs[n] == nil {
		n++
	}
	s.dropBefore(s.base + uint64(n))
}

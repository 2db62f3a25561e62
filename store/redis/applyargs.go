package redisstore

// applySlots hold the per-item arguments of one Apply (names, handles, record ids and
// members, and the JSON cut from the pooled buffer) in arrays pooled with that buffer, and
// give go-redis pointers to them: its command arguments are []any, and boxing a string or a
// []byte there allocated its header, two to four allocations per call and record written
// (a third of all the bridge's allocations at 20,000 CSTA events/s). go-redis writes a
// *string as the string and a *jsonArg by its MarshalBinary, the bytes as they are.
//
// A slot must not move while the command holds a pointer to it: reserve makes room for all
// of an Apply's arguments before the first is taken.
type applySlots struct {
	strs []string
	raws []jsonArg
}

// jsonArg is one JSON argument of the apply script.
type jsonArg []byte

// MarshalBinary returns the JSON as it is (go-redis writes it without a copy of its own).
func (a *jsonArg) MarshalBinary() ([]byte, error) { return *a, nil }

// reserve empties the slots and makes room for strs strings and raws JSON arguments.
func (s *applySlots) reserve(strs, raws int) {
	if cap(s.strs) < strs {
		s.strs = make([]string, 0, strs)
	}
	if cap(s.raws) < raws {
		s.raws = make([]jsonArg, 0, raws)
	}
	s.strs, s.raws = s.strs[:0], s.raws[:0]
}

// str returns v as an argument, boxed without an allocation.
func (s *applySlots) str(v string) any {
	s.strs = append(s.strs, v) // within the reserved capacity: no slot moves
	return &s.strs[len(s.strs)-1]
}

// json returns js as an argument, boxed without an allocation.
func (s *applySlots) json(js []byte) any {
	s.raws = append(s.raws, js)
	return &s.raws[len(s.raws)-1]
}

// release drops what the slots refer to (the batch's strings, JSON that json.Marshal made)
// while they wait in the pool.
func (s *applySlots) release() {
	clear(s.strs)
	clear(s.raws)
	s.strs, s.raws = s.strs[:0], s.raws[:0]
}

package store

// Appended is where Apply put a batch's events in the PBX's log: offsets First to Last of
// epoch Epoch, one after the other in the batch's order; zero for a batch without events.
// A range rather than an entry per event: the engine wants only where the log now ends,
// and an array of entries (about 300 bytes each) was a sixth of the bytes the bridge
// allocated at saturation.
type Appended struct {
	Epoch       string
	First, Last uint64
}

// AppendedAt is the range of n events appended from offset first of epoch (zero for none).
func AppendedAt(epoch string, first uint64, n int) Appended {
	if n == 0 {
		return Appended{}
	}
	return Appended{Epoch: epoch, First: first, Last: first + uint64(n) - 1}
}

// Len is how many events were appended.
func (a Appended) Len() int {
	if a.Last == 0 {
		return 0
	}
	return int(a.Last - a.First + 1)
}

// Offset is the offset of the batch's ith event.
func (a Appended) Offset(i int) uint64 { return a.First + uint64(i) }

// End is the log's position after the batch: its last event.
func (a Appended) End() Position { return Position{Epoch: a.Epoch, Offset: a.Last} }

package memory

import (
	"github.com/ctibridge/ctibridge/store"
)

// lastWrite is what a PBX keeps of its last Apply, so that the same write sent again (its
// store.Batch.ID) is answered as the first was instead of being applied twice. An in-process
// write always returns its reply, so the engine never repeats one here; the contract is the
// Redis store's, where a reply can be lost after the write happened.
type lastWrite struct {
	id    string
	epoch string
	first uint64 // offset of its first event
}

// repeats reports whether b is the last write again, in the log's current epoch.
func (w *lastWrite) repeats(b *store.Batch, epoch string) bool {
	return b.ID != "" && b.ID == w.id && epoch == w.epoch
}

// record remembers b as the last write, its events from offset first.
func (w *lastWrite) record(b *store.Batch, epoch string, first uint64) {
	*w = lastWrite{id: b.ID, epoch: epoch, first: first}
}

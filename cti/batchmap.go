package cti

// batchMap is a map the pipeline fills for one batch and empties for the next. Emptying a
// map with clear costs as much as the largest the map has been (it walks the whole table),
// and a new map costs its allocations and rehashes as it grows: so the map is kept and
// cleared while the batches use a good part of it, and made anew, at the size the last
// batch needed, after a large batch (a resync's) grew it far beyond the batches that follow.
// Pipeline goroutine only.
type batchMap[K comparable, V any] struct {
	m    map[K]V
	peak int // the most keys m has held
}

// maxBatchMapKeys bounds the size of a map kept between batches (a resync's large batches
// give theirs up).
const maxBatchMapKeys = 8192

// empty returns the map emptied for the next batch.
func (b *batchMap[K, V]) empty() map[K]V {
	n := len(b.m)
	b.peak = max(b.peak, n)
	// A batch without keys says nothing of the next ones (and an empty map clears at no cost).
	switch {
	case b.m == nil || b.peak > maxBatchMapKeys || (n > 0 && b.peak > 64 && 4*n < b.peak):
		b.m = make(map[K]V, n)
		b.peak = n
	default:
		clear(b.m)
	}
	return b.m
}

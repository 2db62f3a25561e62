package web

// The live entries a feed is given while its replay runs (feed.syncing), which finishSync
// delivers once the replay is done.

// pendingEntry is what finishSync needs of a pending entry: where it stands in the log, its
// line ("" for a line-less event) and its message, encoded by the fan-out once for every feed
// it went to. A whole entry is some 290 bytes with pointers to the event's payloads, which
// the collector then scans.
type pendingEntry struct {
	epoch  string
	line   string
	offset uint64
	msg    []byte
}

// pendingLog is a feed's pending entries, in chunks that are never copied: at saturation a
// replay (the auditor's, shed under overload) buffers hundreds of thousands of entries, and
// one growing array copied them all at every doubling. The first chunk grows as a slice does,
// so that the usual short replay holds a small array.
type pendingLog struct {
	chunks [][]pendingEntry
	n      int
}

// pendingChunk is the most entries of one chunk (32 KiB).
const pendingChunk = 512

func (p *pendingLog) add(e pendingEntry) {
	if k := len(p.chunks); k == 0 || len(p.chunks[k-1]) == pendingChunk {
		var c []pendingEntry
		if k > 0 {
			c = make([]pendingEntry, 0, pendingChunk)
		}
		p.chunks = append(p.chunks, c)
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, e)
	p.n++
}

func (p *pendingLog) len() int { return p.n }

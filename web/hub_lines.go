package web

import "unsafe"

// The hub's index of lines: which feeds follow each line, with their marks on it.

// lineFeeds is a line's entry in the hub's index (hub.byLine): the feeds of the line, each
// with its mark on it, so that the fan-out of an entry reads the marks with the list, not
// from an object per feed and line.
type lineFeeds struct {
	subs []lineSub
	// inline is subs' array while the line has at most two feeds, as most have (a client and
	// the auditor at ctibench's saturation): the fan-out then reads one object per entry.
	inline [2]lineSub
	// name is the index's key for the line. The fan-out points the key at the string of the
	// entries' line (lineOf), so that the map compares equal addresses instead of reading
	// both strings; seen is the address of the line's string in the entry before.
	name string
	seen uintptr
}

// lineSub is one feed of a line with its mark on the line: the highest offset delivered on it
// (0: none yet).
type lineSub struct {
	f    *feed
	last uint64
}

// lineRef is where a feed's mark on one of its lines is: the line's entry in the hub's index
// and the feed's place in its list.
type lineRef struct {
	lf *lineFeeds
	at int
}

// mark returns the feed's mark on the line.
func (r lineRef) mark() *uint64 { return &r.lf.subs[r.at].last }

// lineOf returns the entry of line in the index, nil when no feed has it. When the entries of
// the line come with one string (the engine's name of the line, which the memory store passes
// on), the key is re-pointed at it: the next look-ups compare the key by its address, sparing
// a read of the key's bytes (a cache miss per entry with thousands of lines). The look-up's
// result never depends on the addresses.
func (h *hub) lineOf(line string) *lineFeeds {
	lf := h.byLine[line]
	if lf == nil || unsafe.StringData(lf.name) == unsafe.StringData(line) {
		return lf
	}
	at := uintptr(unsafe.Pointer(unsafe.StringData(line)))
	if at != lf.seen { // a string of its own per entry (a decoded one): no use re-pointing
		lf.seen = at
		return lf
	}
	lf.name = line
	h.byLine[line] = lf // an assignment to an existing key stores the key given too
	return lf
}

// feedLines lists f's lines.
func (h *hub) feedLines(f *feed) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return keys(f.lines)
}

// addLines registers lines for f (creating the feed's membership) and starts buffering live
// entries: the caller replays, then calls finishSync.
func (h *hub) addLines(f *feed, lines []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.feeds[f] = struct{}{}
	f.syncing = true
	for _, l := range lines {
		if _, ok := f.lines[l]; ok {
			continue // a line added again keeps its mark
		}
		lf := h.byLine[l]
		if lf == nil {
			lf = &lineFeeds{name: l}
			lf.subs = lf.inline[:0]
			h.byLine[l] = lf
		}
		f.lines[l] = lineRef{lf: lf, at: len(lf.subs)}
		lf.subs = append(lf.subs, lineSub{f: f})
	}
}

// removeFeed takes f out of the hub with all its lines. The lines are listed under the hub's
// lock: fanOut writes f.lines while it delivers.
func (h *hub) removeFeed(f *feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLines(f, keys(f.lines))
}

// removeLines drops lines from f; with none left the feed leaves the hub.
func (h *hub) removeLines(f *feed, lines []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLines(f, lines)
}

// dropLines is removeLines with the hub's lock held.
func (h *hub) dropLines(f *feed, lines []string) {
	for _, l := range lines {
		r, ok := f.lines[l]
		if !ok {
			continue
		}
		delete(f.lines, l)
		subs := r.lf.subs
		last := len(subs) - 1
		if r.at != last { // the last feed of the line takes f's place
			subs[r.at] = subs[last]
			subs[r.at].f.lines[l] = lineRef{lf: r.lf, at: r.at}
		}
		subs[last] = lineSub{}
		r.lf.subs = subs[:last]
		if last == 0 {
			delete(h.byLine, l)
		}
	}
	if len(f.lines) == 0 {
		delete(h.feeds, f)
	}
}

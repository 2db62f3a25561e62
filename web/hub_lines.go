package web

// The hub's index of lines: which feeds follow each line, with their marks on it.

// lineMark is a feed's mark on one of its lines: the highest offset delivered on it (0: none
// yet). The feed's map (feed.lines) and the line's subscribers in the hub (hub.byLine) point to
// the same mark, so that the fan-out checks and moves it without a look-up per feed; at is the
// subscriber's index in the hub's list, for removing it.
type lineMark struct {
	last uint64
	at   int
}

// lineSub is one feed of a line in the hub's index, with its mark on the line.
type lineSub struct {
	f *feed
	m *lineMark
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
		m := &lineMark{at: len(h.byLine[l])}
		f.lines[l] = m
		h.byLine[l] = append(h.byLine[l], lineSub{f: f, m: m})
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
		m, ok := f.lines[l]
		if !ok {
			continue
		}
		delete(f.lines, l)
		subs := h.byLine[l]
		last := len(subs) - 1
		subs[m.at] = subs[last] // the last feed of the line takes f's place
		subs[m.at].m.at = m.at
		subs[last] = lineSub{}
		if last == 0 {
			delete(h.byLine, l)
		} else {
			h.byLine[l] = subs[:last]
		}
	}
	if len(f.lines) == 0 {
		delete(h.feeds, f)
	}
}

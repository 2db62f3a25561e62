package memory

import (
	"context"
	"slices"
	"sort"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// history is a PBX's call records in index order (store.HistoryIndex: end time, then id),
// each encoded (codec_history.go). Records mostly arrive in order and are appended; trimming
// takes the oldest from the front, so both are amortised O(1) per record. A record arriving
// out of order (a clock stepped back, a takeover by an instance with another clock) is
// inserted with a copy.
type history struct {
	recs     []histRec // recs[head:] are live
	head     int
	byHandle map[tapi.CallHandle]string // newest member of each call
}

type histRec struct {
	member string
	enc    []byte
}

func (h *history) live() []histRec { return h.recs[h.head:] }

// search returns the index in live() of the first member >= m.
func (h *history) search(m string) int {
	l := h.live()
	return sort.Search(len(l), func(i int) bool { return l[i].member >= m })
}

// put stores a record, replacing one with the same member (a retried write).
func (h *history) put(member string, enc []byte, handle tapi.CallHandle) {
	if h.byHandle == nil {
		h.byHandle = map[tapi.CallHandle]string{}
	}
	h.byHandle[handle] = member
	l := h.live()
	if n := len(l); n == 0 || l[n-1].member < member {
		h.recs = append(h.recs, histRec{member, enc})
		return
	}
	i := h.search(member)
	if l[i].member == member {
		l[i].enc = enc
		return
	}
	h.recs = slices.Insert(h.recs, h.head+i, histRec{member, enc})
}

// trim drops the oldest records while there are more than maxRecords or they ended before
// the key cutoff (store.AppendIndexTime).
func (h *history) trim(maxRecords int, cutoff []byte) {
	for h.head < len(h.recs) && (len(h.recs)-h.head > maxRecords || h.recs[h.head].member < string(cutoff)) {
		r := h.recs[h.head]
		if hd := tapi.CallHandle(store.IndexHandle(r.member)); h.byHandle[hd] == r.member {
			delete(h.byHandle, hd)
		}
		h.recs[h.head] = histRec{}
		h.head++
	}
	if h.head > 1024 && h.head > len(h.recs)/2 {
		// Room for as many again: the records appended until the next compaction fit, so
		// the slice is not grown (copied) on the way there as well.
		live := h.live()
		h.recs = append(make([]histRec, 0, 2*len(live)+1024), live...)
		h.head = 0
	}
}

// Journal returns line's finished calls, newest first, skipping skip, at most limit
// (0: all retained).
func (s *Store) Journal(ctx context.Context, line string, skip, limit int) ([]store.JournalEntry, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	return store.JournalFromHistory(ctx, s.History, line, skip, limit)
}

// History answers q (store.RunHistory) with a scan of at most Options.HistoryScan members
// per PBX.
func (s *Store) History(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error) {
	if err := s.ready(ctx); err != nil {
		return store.HistoryPage{}, err
	}
	return store.RunHistory(ctx, backend{s}, q, s.opts.Now(), s.opts.HistoryMaxAge, s.opts.HistoryScan)
}

// CallRecord returns the newest record of a call.
func (s *Store) CallRecord(ctx context.Context, pbxName string, handle tapi.CallHandle) (store.JournalEntry, error) {
	if err := s.ready(ctx); err != nil {
		return store.JournalEntry{}, err
	}
	if err := checkPBX(pbxName); err != nil {
		return store.JournalEntry{}, err
	}
	if p := s.existing(pbxName); p != nil {
		p.mu.Lock()
		m, ok := p.hist.byHandle[handle]
		p.mu.Unlock()
		if ok {
			recs, err := backend{s}.FetchHistory(ctx, pbxName, []string{m})
			if err != nil || recs[0].ID != "" {
				return recs[0], err
			}
		}
	}
	return store.JournalEntry{}, store.ErrNoRecord
}

// backend is the memory store's store.HistoryBackend.
type backend struct{ s *Store }

func (b backend) HistoryPBXs(context.Context) ([]string, error) {
	b.s.mu.Lock()
	ps := make([]*pbx, 0, len(b.s.pbxs))
	for _, p := range b.s.pbxs {
		ps = append(ps, p)
	}
	b.s.mu.Unlock()
	var out []string
	for _, p := range ps {
		p.mu.Lock()
		if len(p.hist.live()) > 0 {
			out = append(out, p.name)
		}
		p.mu.Unlock()
	}
	return out, nil
}

func (b backend) ScanHistory(_ context.Context, pbxName, upper, lower string, n int) ([]string, error) {
	p := b.s.existing(pbxName)
	if p == nil {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.hist.live()
	i := len(l)
	if upper != "" {
		i = p.hist.search(upper)
	}
	var out []string
	for i--; i >= 0 && len(out) < n && l[i].member >= lower; i-- {
		out = append(out, l[i].member)
	}
	return out, nil
}

func (b backend) FetchHistory(_ context.Context, pbxName string, members []string) ([]store.JournalEntry, error) {
	out := make([]store.JournalEntry, len(members))
	p := b.s.existing(pbxName)
	if p == nil {
		return out, nil
	}
	recs := make([][]byte, 0, len(members))
	found := make([]int, 0, len(members))
	p.mu.Lock()
	for k, m := range members {
		l := p.hist.live()
		if i := p.hist.search(m); i < len(l) && l[i].member == m {
			recs = append(recs, l[i].enc)
			found = append(found, k)
		}
	}
	p.mu.Unlock()
	d := pageDecoder(recs, &b.s.locs)
	for _, k := range found {
		d.journalEntry(&out[k])
	}
	if d.bad || d.i != len(d.s) {
		return nil, errCorrupt
	}
	return out, nil
}

package memory

import (
	"context"
	"strings"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

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
		var rec []byte
		if l, ok := p.hist.newest(handle); ok {
			rec = p.hist.coded(l)
		}
		p.mu.Unlock()
		if rec != nil {
			var j store.JournalEntry
			d := pageDecoder([][]byte{rec}, &s.locs)
			if d.journalEntry(&j); d.bad || d.i != len(d.s) {
				return store.JournalEntry{}, errCorrupt
			}
			return j, nil
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
	l := p.hist.live()
	i := len(l)
	if upper != "" {
		i = p.hist.search(upper)
	}
	// The members are copied into one string, which the returned ones share: a scan returns
	// thousands, which the query mostly drops after a look at their fields.
	var all strings.Builder
	var ends []int
	for i--; i >= 0 && len(ends) < n; i-- {
		m := p.hist.member(l[i].histLoc)
		if string(m) < lower {
			break
		}
		if ends == nil {
			ends = make([]int, 0, min(n, i+1))
			all.Grow(cap(ends) * (len(m) + 8))
		}
		all.Write(m)
		ends = append(ends, all.Len())
	}
	p.mu.Unlock()
	if len(ends) == 0 {
		return nil, nil
	}
	out, rest, start := make([]string, len(ends)), all.String(), 0
	for k, end := range ends {
		out[k], start = rest[start:end], end
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
		if i := p.hist.search(m); i < len(l) && string(p.hist.member(l[i].histLoc)) == m {
			recs = append(recs, p.hist.coded(l[i].histLoc))
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

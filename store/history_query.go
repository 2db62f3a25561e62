package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// HistoryBackend is what an implementation gives RunHistory, per PBX, over the index members
// of HistoryIndex.
type HistoryBackend interface {
	// HistoryPBXs lists the PBXs that hold records.
	HistoryPBXs(ctx context.Context) ([]string, error)
	// ScanHistory returns pbx's index members m with lower <= m < upper (bytewise; "" means
	// unbounded), greatest first, at most n.
	ScanHistory(ctx context.Context, pbx, upper, lower string, n int) ([]string, error)
	// FetchHistory returns the records of members, in their order; a record trimmed since
	// the scan comes back zero (empty ID).
	FetchHistory(ctx context.Context, pbx string, members []string) ([]JournalEntry, error)
}

// RunHistory answers q over b: one bounded scan per PBX (scan members when a filter other
// than time is set, else just the page), merged newest first. now-maxAge is a lower bound
// of every query, so a record past its age is never returned even before it is trimmed.
//
// Paging across PBXs: a PBX whose scan ended before its records did (page full, or scan
// budget spent) has examined everything down to its frontier; records are returned only
// down to the newest such frontier, and Next continues below it, so no record is skipped or
// returned twice.
func RunHistory(ctx context.Context, b HistoryBackend, q HistoryQuery, now time.Time, maxAge time.Duration,
	scan int) (HistoryPage, error) {
	if err := checkQuery(&q); err != nil {
		return HistoryPage{}, err
	}
	upper, lower, err := queryBounds(&q, now, maxAge)
	if err != nil {
		return HistoryPage{}, err
	}
	pbxs, err := queryPBXs(ctx, b, &q)
	if err != nil {
		return HistoryPage{}, err
	}
	hits, frontier, err := scanPBXs(ctx, b, &q, pbxs, upper, lower, scan)
	if err != nil {
		return HistoryPage{}, err
	}
	slices.SortFunc(hits, func(x, y historyHit) int { return strings.Compare(y.key, x.key) })
	if frontier != "" {
		hits = slices.DeleteFunc(hits, func(h historyHit) bool { return h.key < frontier })
	}
	var page HistoryPage
	switch {
	case len(hits) > q.Limit:
		hits = hits[:q.Limit]
		page.Next = encodeCursor(hits[len(hits)-1].key)
	case frontier != "":
		page.Next = encodeCursor(frontier)
	}
	page.Records, err = fetchHits(ctx, b, hits)
	return page, err
}

// queryBounds returns the index keys a query reads between: below upper (the end of the
// range, or the cursor), at or above lower (the start, or the oldest record kept).
func queryBounds(q *HistoryQuery, now time.Time, maxAge time.Duration) (upper, lower string, err error) {
	if !q.To.IsZero() {
		upper = msKey(q.To)
	}
	if q.Cursor != "" {
		k, err := decodeCursor(q.Cursor)
		if err != nil {
			return "", "", err
		}
		if upper == "" || k < upper {
			upper = k
		}
	}
	from := q.From
	if oldest := now.Add(-maxAge); maxAge > 0 && from.Before(oldest) {
		from = oldest
	}
	if !from.IsZero() {
		lower = msKey(from)
	}
	return upper, lower, nil
}

// historyHit is one index member that matched a query.
type historyHit struct{ pbx, member, key string }

// scanPBXs reads each PBX's index and keeps the members that match; frontier is the newest
// key down to which a PBX whose scan ended early was examined.
func scanPBXs(ctx context.Context, b HistoryBackend, q *HistoryQuery, pbxs []string, upper, lower string,
	scan int) (hits []historyHit, frontier string, err error) {
	lines := map[string]bool{}
	for _, l := range q.Lines {
		lines[l] = true
	}
	filtered := len(lines) > 0 || q.Number != "" || q.Direction != "" || q.Outcome != ""
	// One more than the page tells whether another page follows.
	n := q.Limit + 1
	if filtered {
		n = max(scan, n)
	}
	for _, pbx := range pbxs {
		members, err := b.ScanHistory(ctx, pbx, upper, lower, n)
		if err != nil {
			return nil, "", err
		}
		match := matcher(pbx, q, lines)
		found := 0
		for i, m := range members {
			if !match(m) {
				continue
			}
			hits = append(hits, historyHit{pbx, m, IndexKey(m)})
			if found++; found > q.Limit {
				members = members[:i+1]
				break
			}
		}
		if found > q.Limit || len(members) == n {
			if k := IndexKey(members[len(members)-1]); k > frontier {
				frontier = k
			}
		}
	}
	return hits, frontier, nil
}

// fetchHits reads the records of the hits, in the hits' order.
func fetchHits(ctx context.Context, b HistoryBackend, hits []historyHit) ([]JournalEntry, error) {
	byPBX := map[string][]string{}
	for _, h := range hits {
		byPBX[h.pbx] = append(byPBX[h.pbx], h.member)
	}
	recs := map[string]JournalEntry{}
	for pbx, ms := range byPBX {
		got, err := b.FetchHistory(ctx, pbx, ms)
		if err != nil {
			return nil, err
		}
		for i, r := range got {
			if r.ID != "" {
				recs[ms[i]] = r
			}
		}
	}
	out := make([]JournalEntry, 0, len(hits))
	for _, h := range hits {
		if r, ok := recs[h.member]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func checkQuery(q *HistoryQuery) error {
	switch {
	case q.Limit < 1 || q.Limit > MaxHistoryLimit:
		return fmt.Errorf("%w: limit %d is outside 1..%d", ErrBadQuery, q.Limit, MaxHistoryLimit)
	case q.Direction != "" && !slices.Contains(Directions, q.Direction):
		return fmt.Errorf("%w: direction %q is not one of %s", ErrBadQuery, q.Direction, strings.Join(Directions, ", "))
	case q.Outcome != "" && !slices.Contains(Outcomes, q.Outcome):
		return fmt.Errorf("%w: outcome %q is not one of %s", ErrBadQuery, q.Outcome, strings.Join(Outcomes, ", "))
	case !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To):
		return fmt.Errorf("%w: from %s is not before to %s", ErrBadQuery, q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	for _, l := range q.Lines {
		if _, _, ok := tapi.SplitLine(l); !ok {
			return fmt.Errorf("%w: line %q is not <pbx>/<extension>", ErrBadQuery, l)
		}
	}
	return nil
}

// queryPBXs returns the PBXs a query looks at, sorted: the PBX filter, narrowed to the
// lines' PBXs when lines are given, or every PBX with records.
func queryPBXs(ctx context.Context, b HistoryBackend, q *HistoryQuery) ([]string, error) {
	var pbxs []string
	if len(q.Lines) > 0 {
		for _, l := range q.Lines {
			p := tapi.LinePBX(l)
			if len(q.PBXs) == 0 || slices.Contains(q.PBXs, p) {
				pbxs = append(pbxs, p)
			}
		}
	} else if len(q.PBXs) > 0 {
		pbxs = slices.Clone(q.PBXs)
	} else {
		all, err := b.HistoryPBXs(ctx)
		if err != nil {
			return nil, err
		}
		pbxs = all
	}
	slices.Sort(pbxs)
	return slices.Compact(pbxs), nil
}

// matcher returns the filter of q for pbx's index members (time bounds apart, which the
// scan applies).
func matcher(pbx string, q *HistoryQuery, lines map[string]bool) func(member string) bool {
	form := q.NumberForm
	if form == nil {
		form = func(_, n string) string { return n }
	}
	want := ""
	if q.Number != "" {
		want = form(pbx, q.Number)
	}
	var f [ixNumbers + 4]string // reused: substrings of the member, no allocation
	need := len(f)              // the fields the filters look at
	switch {
	case q.Number != "":
	case q.Direction != "" || q.Outcome != "":
		need = ixOutcome + 1
	default:
		need = ixLine + 1
	}
	return func(m string) bool {
		if splitIndex(m, f[:need]) < need {
			return false
		}
		switch {
		case len(lines) > 0 && !lines[f[ixLine]],
			q.Direction != "" && f[ixDirection] != q.Direction,
			q.Outcome != "" && f[ixOutcome] != q.Outcome:
			return false
		case q.Number == "":
			return true
		}
		return slices.ContainsFunc(f[ixNumbers:], func(n string) bool { return n != "" && form(pbx, n) == want })
	}
}

// splitIndex splits the first len(f) fields of an index member into f and returns how many
// there were.
func splitIndex(m string, f []string) int {
	n := 0
	for n < len(f) {
		i := strings.Index(m, sep)
		if i < 0 {
			f[n] = m
			n++
			break
		}
		f[n], m = m[:i], m[i+len(sep):]
		n++
	}
	for k := n; k < len(f); k++ {
		f[k] = ""
	}
	return n
}

// JournalFromHistory serves the per-line Journal from History: the line's records, newest
// first, skipping skip, at most limit (0: all retained).
func JournalFromHistory(ctx context.Context, history func(context.Context, HistoryQuery) (HistoryPage, error),
	line string, skip, limit int) ([]JournalEntry, error) {
	if skip < 0 || limit < 0 {
		return nil, fmt.Errorf("store: journal skip %d and limit %d must not be negative", skip, limit)
	}
	p, _, ok := tapi.SplitLine(line)
	if !ok {
		return nil, fmt.Errorf("store: journal line %q is not of the form <pbx>/<extension>", line)
	}
	q := HistoryQuery{PBXs: []string{p}, Lines: []string{line}, Limit: MaxHistoryLimit}
	var out []JournalEntry
	for limit == 0 || len(out) < skip+limit {
		page, err := history(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if skip >= len(out) {
		return nil, nil
	}
	out = out[skip:]
	if limit > 0 {
		out = out[:min(limit, len(out))]
	}
	return out, nil
}

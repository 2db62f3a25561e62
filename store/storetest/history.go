package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

var historyTests = []contractTest{
	{"History/Filters", testHistoryFilters},
	{"History/PagingWhileWriting", testHistoryPagingWhileWriting},
	{"History/RetainedByCount", testHistoryCount},
	{"History/RetainedByAge", testHistoryAge},
	{"History/CallRecord", testCallRecord},
	{"History/WriteTwice", testHistoryWriteTwice},
	{"History/RejectsBadQueries", testHistoryInvalid},
}

// historyFixture writes records to two PBXs, interleaved in time, and returns them all.
func historyFixture(t *testing.T, s store.Store) []store.JournalEntry {
	t.Helper()
	fh := acquire(t, s, "hq", "a", longTTL).Fence()
	fb := acquire(t, s, "branch", "a", longTTL).Fence()
	var all []store.JournalEntry
	for n := 1; n <= 18; n++ {
		pbx, f := "hq", fh
		if n%3 == 0 {
			pbx, f = "branch", fb
		}
		j := JournalEntry(fmt.Sprintf("%s/%d", pbx, 201+n%4), n)
		if n%5 == 0 { // same end time as the record before: the id orders them
			j.Ended = all[len(all)-1].Ended
		}
		apply(t, s, pbx, f, store.Batch{Journal: []store.JournalEntry{j}})
		all = append(all, j)
	}
	return all
}

// newestFirst is the order History returns: end time in milliseconds, then id, descending.
func newestFirst(recs []store.JournalEntry) []store.JournalEntry {
	out := slices.Clone(recs)
	slices.SortFunc(out, func(a, b store.JournalEntry) int {
		if c := b.Ended.Truncate(time.Millisecond).Compare(a.Ended.Truncate(time.Millisecond)); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// collect pages through q with its Limit and returns every record, failing on a repeat.
func collect(t *testing.T, s store.Store, q store.HistoryQuery) []store.JournalEntry {
	t.Helper()
	out := []store.JournalEntry{}
	seen := map[string]bool{}
	for range 1000 {
		page, err := s.History(testCtx(t), q)
		noErr(t, "History", err)
		if len(page.Records) > q.Limit {
			t.Fatalf("History returned %d records, limit %d", len(page.Records), q.Limit)
		}
		for _, r := range page.Records {
			if seen[r.ID] {
				t.Fatalf("record %s returned twice while paging", r.ID)
			}
			seen[r.ID] = true
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
	t.Fatalf("History paging did not end after 1000 pages")
	return nil
}

func testHistoryFilters(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	all := historyFixture(t, s)
	mid := all[9].Ended
	e164 := func(_, n string) string { // "0301237" and "+49301237" are one number
		if rest, ok := strings.CutPrefix(n, "0"); ok {
			return "+49" + rest
		}
		return n
	}
	cases := []struct {
		name string
		q    store.HistoryQuery
		keep func(j store.JournalEntry) bool
	}{
		{"everything", store.HistoryQuery{}, func(store.JournalEntry) bool { return true }},
		{"one PBX", store.HistoryQuery{PBXs: []string{"branch"}}, func(j store.JournalEntry) bool { return j.PBX == "branch" }},
		{"lines of two PBXs", store.HistoryQuery{Lines: []string{"hq/202", "branch/204", "hq/299"}},
			func(j store.JournalEntry) bool { return j.Line == "hq/202" || j.Line == "branch/204" }},
		{"lines narrowed by PBX", store.HistoryQuery{PBXs: []string{"hq"}, Lines: []string{"hq/202", "branch/204"}},
			func(j store.JournalEntry) bool { return j.Line == "hq/202" }},
		{"caller number", store.HistoryQuery{Number: "+49301237"},
			func(j store.JournalEntry) bool { return j.Caller.Number == "+49301237" }},
		{"number in another form", store.HistoryQuery{Number: "0301237", NumberForm: e164},
			func(j store.JournalEntry) bool { return j.Caller.Number == "+49301237" }},
		{"called extension", store.HistoryQuery{Number: "203"},
			func(j store.JournalEntry) bool { return j.Called.Number == "203" }},
		{"direction", store.HistoryQuery{Direction: store.DirectionOutbound},
			func(j store.JournalEntry) bool { return j.Direction == store.DirectionOutbound }},
		{"outcome", store.HistoryQuery{Outcome: store.OutcomeMissed},
			func(j store.JournalEntry) bool { return j.Outcome == store.OutcomeMissed }},
		{"from", store.HistoryQuery{From: mid}, func(j store.JournalEntry) bool { return !j.Ended.Before(mid) }},
		{"to", store.HistoryQuery{To: mid}, func(j store.JournalEntry) bool { return j.Ended.Before(mid) }},
		{"time range and outcome", store.HistoryQuery{From: all[2].Ended, To: all[15].Ended, Outcome: store.OutcomeAnswered},
			func(j store.JournalEntry) bool {
				return !j.Ended.Before(all[2].Ended) && j.Ended.Before(all[15].Ended) && j.Outcome == store.OutcomeAnswered
			}},
		{"nothing matches", store.HistoryQuery{Number: "999"}, func(store.JournalEntry) bool { return false }},
	}
	for _, c := range cases {
		want := newestFirst(slices.DeleteFunc(slices.Clone(all), func(j store.JournalEntry) bool { return !c.keep(j) }))
		for _, limit := range []int{1, 2, 5, store.MaxHistoryLimit} {
			q := c.q
			q.Limit = limit
			sameJSON(t, fmt.Sprintf("history, %s, pages of %d", c.name, limit), collect(t, s, q), want)
		}
		q := c.q
		q.Limit = 4
		sameJSON(t, "history, "+c.name+", on another instance", collect(t, open2(t), q), want)
	}
}

func testHistoryPagingWhileWriting(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	all := historyFixture(t, s)
	page, err := s.History(testCtx(t), store.HistoryQuery{Limit: 5})
	noErr(t, "History", err)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	newer := JournalEntry("hq/201", 40)
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{newer}})
	got := append(page.Records, collect(t, s, store.HistoryQuery{Limit: 5, Cursor: page.Next})...)
	sameJSON(t, "history paged while a newer record arrived", got, newestFirst(all))
	first, err := s.History(testCtx(t), store.HistoryQuery{Limit: 1})
	noErr(t, "History", err)
	sameJSON(t, "newest record", first.Records, []store.JournalEntry{newer})
}

func testHistoryCount(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	fh := acquire(t, s, "hq", "a", longTTL).Fence()
	fb := acquire(t, s, "branch", "a", longTTL).Fence()
	n := SuiteOptions.HistoryMaxRecords + 9
	var hq []store.JournalEntry
	for i := 1; i <= n; {
		var b store.Batch
		for k := 0; k < 4 && i <= n; k, i = k+1, i+1 {
			b.Journal = append(b.Journal, JournalEntry(fmt.Sprintf("hq/%d", 201+i%3), i))
		}
		apply(t, s, "hq", fh, b)
		hq = append(hq, b.Journal...)
	}
	br := JournalEntry("branch/201", 1)
	apply(t, s, "branch", fb, store.Batch{Journal: []store.JournalEntry{br}})
	want := newestFirst(hq)[:SuiteOptions.HistoryMaxRecords]
	sameJSON(t, "hq's retained records", collect(t, s, store.HistoryQuery{PBXs: []string{"hq"}, Limit: 6}), want)
	sameJSON(t, "branch's records (a count per PBX)", collect(t, s, store.HistoryQuery{PBXs: []string{"branch"}, Limit: 6}),
		[]store.JournalEntry{br})
	trimmed := newestFirst(hq)[SuiteOptions.HistoryMaxRecords]
	if _, err := s.CallRecord(testCtx(t), "hq", trimmed.Handle); !errors.Is(err, store.ErrNoRecord) {
		t.Fatalf("CallRecord of trimmed record %s: got %v, want ErrNoRecord", trimmed.ID, err)
	}
}

func testHistoryAge(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	now := time.Now().UTC().Truncate(time.Second)
	old := JournalEntry("hq/201", 1)
	old.Handle = "old"
	old.Started = now.Add(-store.DefaultHistoryMaxAge - time.Hour)
	old.Ended = old.Started.Add(time.Minute)
	old.Answered, old.AnsweredBy = time.Time{}, tapi.PartyID{}
	fresh := JournalEntry("hq/201", 2)
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{old, fresh}})
	sameJSON(t, "history without the record past its age", collect(t, s, store.HistoryQuery{Limit: 10}),
		[]store.JournalEntry{fresh})
	sameJSON(t, "history from before the age limit", collect(t, s, store.HistoryQuery{Limit: 10, From: old.Started}),
		[]store.JournalEntry{fresh})
	if _, err := s.CallRecord(testCtx(t), "hq", "old"); !errors.Is(err, store.ErrNoRecord) {
		t.Fatalf("CallRecord of a record past its age: got %v, want ErrNoRecord (trimmed by the write)", err)
	}
}

func testCallRecord(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	first := JournalEntry("hq/201", 1)
	later := JournalEntry("hq/201", 3)
	later.Handle = first.Handle // the handle again: a call record written later
	other := JournalEntry("hq/202", 2)
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{first, other}})
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{later}})
	got, err := open2(t).CallRecord(testCtx(t), "hq", first.Handle)
	noErr(t, "CallRecord", err)
	sameJSON(t, "the newest record of the call", got, later)
	got, err = s.CallRecord(testCtx(t), "hq", other.Handle)
	noErr(t, "CallRecord", err)
	sameJSON(t, "record of another call", got, other)
	for _, c := range []struct {
		pbx    string
		handle tapi.CallHandle
	}{{"hq", "j:99"}, {"branch", first.Handle}} {
		if _, err := s.CallRecord(testCtx(t), c.pbx, c.handle); !errors.Is(err, store.ErrNoRecord) {
			t.Fatalf("CallRecord(%s, %s): got %v, want ErrNoRecord", c.pbx, c.handle, err)
		}
	}
	if _, err := s.CallRecord(testCtx(t), "", first.Handle); err == nil || errors.Is(err, store.ErrNoRecord) {
		t.Fatalf("CallRecord with an empty PBX: got %v, want a validation error", err)
	}
}

func testHistoryWriteTwice(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	j := JournalEntry("hq/201", 1)
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{j}})
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{j}}) // a retried write
	sameJSON(t, "history after writing a record twice", collect(t, s, store.HistoryQuery{Limit: 10}),
		[]store.JournalEntry{j})

	noID := JournalEntry("hq/201", 2)
	noID.ID = ""
	spaced := JournalEntry("hq/201", 3)
	spaced.ID = "a b"
	otherPBX := JournalEntry("hq/201", 4)
	otherPBX.PBX = "branch"
	for name, bad := range map[string]store.JournalEntry{"no id": noID, "a space in its id": spaced, "another PBX": otherPBX} {
		if _, err := s.Apply(testCtx(t), "hq", f, store.Batch{Journal: []store.JournalEntry{bad}}); err == nil ||
			errors.Is(err, store.ErrFenced) {
			t.Fatalf("Apply of a record with %s: got %v, want a validation error", name, err)
		}
	}
}

func testHistoryInvalid(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	historyFixture(t, s)
	now := time.Now()
	for name, q := range map[string]store.HistoryQuery{
		"limit 0":                {},
		"limit above the bound":  {Limit: store.MaxHistoryLimit + 1},
		"unknown direction":      {Limit: 5, Direction: "sideways"},
		"unknown outcome":        {Limit: 5, Outcome: "lost"},
		"from after to":          {Limit: 5, From: now, To: now.Add(-time.Hour)},
		"line without extension": {Limit: 5, Lines: []string{"hq"}},
		"foreign cursor":         {Limit: 5, Cursor: "abc"},
		"cursor of no record":    {Limit: 5, Cursor: "h1.bm90LWEta2V5"},
	} {
		if _, err := s.History(testCtx(t), q); !errors.Is(err, store.ErrBadQuery) {
			t.Fatalf("History with %s: got %v, want ErrBadQuery", name, err)
		}
	}
}

package storetest

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
)

var journalTests = []contractTest{
	{"Journal/NewestFirstAndPaging", testJournal},
	{"Journal/Retained", testJournalCap},
	{"Journal/RejectsBadArguments", testJournalInvalid},
}

// journalOf returns the journal entries n, n-1, ..., down to m of line: what Journal returns
// newest first after entries 1..n were applied in order.
func journalOf(line string, n, m int) []store.JournalEntry {
	var out []store.JournalEntry
	for i := n; i >= m; i-- {
		out = append(out, JournalEntry(line, i))
	}
	return out
}

func journal(t *testing.T, s store.Store, line string, skip, limit int) []store.JournalEntry {
	t.Helper()
	j, err := s.Journal(testCtx(t), line, skip, limit)
	noErr(t, "Journal "+line, err)
	return j
}

func testJournal(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{
		JournalEntry("hq/201", 1), JournalEntry("hq/202", 1), JournalEntry("hq/201", 2)}})
	apply(t, s, "hq", f, store.Batch{Journal: []store.JournalEntry{
		JournalEntry("hq/201", 3), JournalEntry("hq/201", 4), JournalEntry("hq/202", 2), JournalEntry("hq/201", 5)}})

	sameJSON(t, "journal of hq/201, all", journal(t, s, "hq/201", 0, 0), journalOf("hq/201", 5, 1))
	sameJSON(t, "journal of hq/201, limit above length", journal(t, s, "hq/201", 0, 100), journalOf("hq/201", 5, 1))
	sameJSON(t, "journal of hq/202 on another instance", journal(t, open2(t), "hq/202", 0, 0), journalOf("hq/202", 2, 1))
	sameJSON(t, "journal of hq/201, skip 1 limit 2", journal(t, s, "hq/201", 1, 2), journalOf("hq/201", 4, 3))
	sameJSON(t, "journal of hq/201, skip 4", journal(t, s, "hq/201", 4, 0), journalOf("hq/201", 1, 1))
	if j := journal(t, s, "hq/201", 5, 10); len(j) != 0 {
		t.Fatalf("journal of hq/201 skipping all 5 entries returned %d", len(j))
	}
	if j := journal(t, s, "hq/299", 0, 0); len(j) != 0 {
		t.Fatalf("journal of a line without calls returned %d entries", len(j))
	}
}

func testJournalCap(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	n := SuiteOptions.HistoryMaxRecords + 7
	for i := 1; i <= n; {
		var b store.Batch
		for k := 0; k < 6 && i <= n; k, i = k+1, i+1 {
			b.Journal = append(b.Journal, JournalEntry("hq/201", i))
		}
		apply(t, s, "hq", f, b)
	}
	sameJSON(t, "capped journal", journal(t, s, "hq/201", 0, 0), journalOf("hq/201", n, n-SuiteOptions.HistoryMaxRecords+1))
	sameJSON(t, "capped journal, last 3 retained", journal(t, s, "hq/201", SuiteOptions.HistoryMaxRecords-3, 10),
		journalOf("hq/201", n-SuiteOptions.HistoryMaxRecords+3, n-SuiteOptions.HistoryMaxRecords+1))
}

func testJournalInvalid(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	for _, c := range []struct {
		line        string
		skip, limit int
	}{{"hq/201", -1, 10}, {"hq/201", 0, -1}, {"hq201", 0, 10}, {"", 0, 10}} {
		if _, err := s.Journal(testCtx(t), c.line, c.skip, c.limit); err == nil {
			t.Fatalf("Journal(%q, skip %d, limit %d) succeeded, want an error", c.line, c.skip, c.limit)
		}
	}
}

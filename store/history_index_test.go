package store

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestHistoryIndexForm pins the member's form: 13 digits of end time, then the fields, each
// after sep and without control characters.
func TestHistoryIndexForm(t *testing.T) {
	for _, ended := range []time.Time{{}, time.UnixMilli(5), time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC),
		time.UnixMilli(12345678901234)} {
		j := &JournalEntry{ID: "r1", Line: "hq/201", Direction: DirectionInbound, Outcome: "answered",
			Handle: "hq:7", Caller: tapi.PartyID{Number: "+49\n30"}, Called: tapi.PartyID{Number: "201"},
			Ended: ended}
		want := msKey(ended)
		for _, f := range []string{"r1", "hq/201", DirectionInbound, "answered", "hq:7", "+4930", "201", "", ""} {
			want += sep + f
		}
		if got := HistoryIndex(j); got != want {
			t.Fatalf("HistoryIndex = %q, want %q", got, want)
		}
		if len(strings.SplitN(want, sep, 2)[0]) < 13 {
			t.Fatalf("time key of %v shorter than 13 digits", ended)
		}
	}
}

// FuzzHistoryIndexFields checks the member's fields against the plain forms they replace:
// every field through strings.Map(noControl, ...), and indexField against strings.SplitN.
func FuzzHistoryIndexFields(f *testing.F) {
	f.Add("r1", "hq/201", "hq:7", "+49\n30", "\xff201", 3)
	f.Add("", "a\x1fb", "", "Ünïcode", "\x7f", 9)
	f.Fuzz(func(t *testing.T, id, line, handle, caller, called string, n int) {
		j := &JournalEntry{ID: id, Line: line, Handle: tapi.CallHandle(handle), Direction: DirectionInbound,
			Outcome: OutcomeMissed, Caller: tapi.PartyID{Number: caller}, Called: tapi.PartyID{Number: called},
			Ended: time.UnixMilli(1234567)}
		want := msKey(j.Ended)
		for _, s := range []string{id, line, DirectionInbound, OutcomeMissed, handle, caller, called, "", ""} {
			want += sep + strings.Map(noControl, s)
		}
		m := HistoryIndex(j)
		if m != want {
			t.Fatalf("HistoryIndex = %q, want %q", m, want)
		}
		if got := AppendHistoryIndex([]byte("x"), j); string(got) != "x"+want {
			t.Fatalf("AppendHistoryIndex = %q, want %q", got, "x"+want)
		}
		wantErr := id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' })
		if got, err := AppendCheckedIndex([]byte("x"), "hq", &JournalEntry{ID: id, Line: "hq/1"}); (err != nil) != wantErr ||
			err != nil && string(got) != "x" {
			t.Fatalf("AppendCheckedIndex of id %q = %q, %v; want an error: %v", id, got, err, wantErr)
		}
		n = n & 15
		for _, member := range []string{m, caller, line + sep + handle} {
			ref := ""
			if f := strings.SplitN(member, sep, n+2); len(f) > n {
				ref = f[n]
			}
			if got := indexField(member, n); got != ref {
				t.Fatalf("indexField(%q, %d) = %q, want %q", member, n, got, ref)
			}
		}
	})
}

// FuzzIndexTime checks AppendIndexTime's digits against strconv's, padded to 13.
func FuzzIndexTime(f *testing.F) {
	for _, ms := range []int64{-1, 0, 5, 1765000000000, 9999999999999, 1e13, 1e15} {
		f.Add(ms)
	}
	f.Fuzz(func(t *testing.T, ms int64) {
		tm := time.UnixMilli(ms)
		want := strconv.FormatInt(max(tm.UnixMilli(), 0), 10)
		if len(want) < msKeyLen {
			want = strings.Repeat("0", msKeyLen-len(want)) + want
		}
		if got := AppendIndexTime([]byte("x"), tm); string(got) != "x"+want {
			t.Fatalf("AppendIndexTime(%d) = %q, want %q", ms, got, "x"+want)
		}
	})
}

// TestAppendIndexField compares appendIndexField with strings.Map for every length up to 20
// and every position of a byte at the edges of the plain range, after buffers with and
// without room.
func TestAppendIndexField(t *testing.T) {
	for n := range 21 {
		for pos := range n {
			for _, c := range []byte{0, 0x1f, ' ', '~', 0x7f, 0x80, 0xff} {
				b := []byte(strings.Repeat("a", n))
				b[pos] = c
				want := "xy" + sep + strings.Map(noControl, string(b))
				for _, dst := range [][]byte{[]byte("xy"), append(make([]byte, 0, 64), "xy"...)} {
					if got := appendIndexField(dst, string(b)); string(got) != want {
						t.Fatalf("appendIndexField(%q) = %q, want %q", b, got, want)
					}
				}
			}
		}
	}
}

// HistoryIndex makes its member in one allocation (the Redis store makes one per record).
func TestHistoryIndexAllocs(t *testing.T) {
	j := &JournalEntry{ID: NewRecordID(time.Now()), Line: "hq/201", Direction: DirectionInbound, Outcome: OutcomeAnswered,
		Handle: "hq:7", Caller: tapi.PartyID{Number: "+4930123456"}, Ended: time.Now()}
	if n := testing.AllocsPerRun(100, func() { _ = HistoryIndex(j) }); n != 1 {
		t.Fatalf("HistoryIndex allocates %v times, want 1", n)
	}
}

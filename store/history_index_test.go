package store

import (
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

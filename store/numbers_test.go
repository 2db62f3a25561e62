package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestJournalEntryWithNumbers: every "number" member of a record's wire form is mapped (a new
// party member without a mapping fails here), and the original is left as it was.
func TestJournalEntryWithNumbers(t *testing.T) {
	p := func(n string) tapi.PartyID { return tapi.PartyID{Number: n} }
	r := JournalEntry{ID: "x", PBX: "hq", Line: "hq/201", Caller: p("1"), Called: p("2"), Connected: p("3"),
		AnsweredBy: p("4"), Started: time.Unix(1, 0), Ended: time.Unix(2, 0), Outcome: "answered", Direction: "inbound",
		Chain: []Redirect{{Kind: "forwarded", From: p("5"), To: p("6")}}}
	before, _ := json.Marshal(r)
	mapped, err := json.Marshal(r.WithNumbers(func(s string) string { return "+" + s }))
	require.NoError(t, err)
	after, _ := json.Marshal(r)
	require.Equal(t, string(before), string(after), "the original changed")
	var walk func(key string, v any)
	n := 0
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			if key == "number" {
				n++
				require.True(t, strings.HasPrefix(v, "+"), "number %q not mapped", v)
			}
		}
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(mapped, &m))
	walk("", m)
	require.Equal(t, 6, n)
}

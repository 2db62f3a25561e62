package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestJournalAppendJSONMatchesMarshal pins JournalEntry.AppendJSON to json.Marshal, over every
// field, the omitted ones, strings that need escaping and the failures.
func TestJournalAppendJSONMatchesMarshal(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	started := time.Date(2026, 12, 6, 18, 0, 0, 123456789, time.UTC)
	full := JournalEntry{
		ID: "01JABCDEF", PBX: "hq", Line: "hq/201", Handle: "hq:17", CallID: "c<1>&\"x\"",
		Origin: tapi.LINECALLORIGIN_EXTERNAL, Reason: tapi.LINECALLREASON_FWDNOANSWER,
		Caller:    tapi.PartyID{Number: "+4930123", Name: "Anna \u00e9 \u2028 \x01", Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME},
		Called:    tapi.PartyID{Number: "201"},
		Connected: tapi.PartyID{Name: "bad \xff utf-8", Flags: tapi.LINECALLPARTYID_NAME},
		Started:   started, Answered: started.Add(3 * time.Second).In(berlin), Ended: started.Add(time.Minute),
		Outcome: OutcomeAnswered, Direction: DirectionInbound,
		AnsweredBy: tapi.PartyID{Number: "202", Name: "Bob"}, RingMs: 3000, TalkMs: 57000,
		Chain: []Redirect{
			{Kind: "forwarded", Reason: tapi.LINECALLREASON_FWDNOANSWER, From: tapi.PartyID{Number: "201"}, To: tapi.PartyID{Number: "202"}},
			{Kind: "pickedUp"},
		},
	}
	bare := JournalEntry{ID: "x", Started: time.Unix(0, 0).UTC(), Ended: time.Unix(1, 0).UTC()}
	cases := map[string]JournalEntry{"full": full, "bare": bare, "zero": {}}
	for name, j := range cases {
		want, err := json.Marshal(&j)
		require.NoError(t, err, name)
		got, err := j.AppendJSON([]byte("prefix"))
		require.NoError(t, err, name)
		require.Equal(t, "prefix"+string(want), string(got), name)
	}

	bad := map[string]JournalEntry{
		"origin":      {Origin: 0x40000000},
		"chainReason": {Chain: []Redirect{{Kind: "x", Reason: 0x40000000}}},
		"flags":       {Caller: tapi.PartyID{Number: "1", Flags: 0x40000000}},
		"time":        {Started: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for name, j := range bad {
		_, merr := json.Marshal(&j)
		require.Error(t, merr, name)
		_, err := j.AppendJSON(nil)
		require.Error(t, err, name)
	}
}

func BenchmarkJournalJSON(b *testing.B) {
	j := JournalEntry{ID: "01JABCDEF", PBX: "hq", Line: "hq/201", Handle: "hq:17", CallID: "C1",
		Origin: tapi.LINECALLORIGIN_INTERNAL, Caller: tapi.PartyID{Number: "201", Name: "Anna", Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME},
		Called: tapi.PartyID{Number: "202", Flags: tapi.LINECALLPARTYID_ADDRESS}, Connected: tapi.PartyID{Number: "202"},
		Started: time.Now(), Answered: time.Now(), Ended: time.Now(), Outcome: OutcomeAnswered,
		Direction: DirectionInternal, AnsweredBy: tapi.PartyID{Number: "202"}, RingMs: 100, TalkMs: 150}
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&j); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			var err error
			if buf, err = j.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestJournalAppendJSONAllocatesNothing: the Redis store writes a record per ended call; its
// tapi.h names come from the encoder's table, not a copy each (MarshalText's).
func TestJournalAppendJSONAllocatesNothing(t *testing.T) {
	j := JournalEntry{ID: "01JABCDEF", PBX: "hq", Line: "hq/201", Handle: "hq:17", CallID: "C1",
		Origin: tapi.LINECALLORIGIN_EXTERNAL, Reason: tapi.LINECALLREASON_TRANSFER,
		Started: time.Now(), Ended: time.Now(), Outcome: OutcomeAnswered,
		Chain: []Redirect{{Kind: "transfer", Reason: tapi.LINECALLREASON_FWDBUSY}}}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if _, err = j.AppendJSON(buf[:0]); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

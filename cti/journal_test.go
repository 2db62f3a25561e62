package cti

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// checkHistory checks the call records of TestCommandsEndToEnd's calls: a transfer, a blind
// transfer deflected on and picked up.
func checkHistory(t *testing.T, e *Engine) {
	t.Helper()
	ctx := context.Background()
	rec := func(line string) store.JournalEntry {
		t.Helper()
		j, err := e.Journal(ctx, line, 0, 1)
		require.NoError(t, err)
		require.Len(t, j, 1, "records of %s", line)
		require.Len(t, j[0].ID, 26)
		require.Equal(t, "hq", j[0].PBX)
		return j[0]
	}
	party := func(n string) tapi.PartyID { return tapi.PartyID{Number: n, Flags: tapi.LINECALLPARTYID_ADDRESS} }

	// 200 called 201, which transferred it to 202: 200's call ends talking to 202.
	r := rec("hq/200")
	require.Equal(t, store.OutcomeAnswered, r.Outcome)
	// A call the line placed to another line is internal, also when the bridge took it up
	// after its start (origin unknown; on a loaded machine its first event may come late):
	// the caller is the line itself.
	require.Equal(t, store.DirectionInternal, r.Direction, "origin %v", r.Origin)
	require.Equal(t, "202", r.AnsweredBy.Number)
	require.Equal(t, []store.Redirect{{Kind: "transferred", Reason: tapi.LINECALLREASON_TRANSFER, To: party("202")}}, r.Chain)
	require.Equal(t, r.Ended.Sub(r.Answered).Milliseconds(), r.TalkMs)
	require.Equal(t, r.Answered.Sub(r.Started).Milliseconds(), r.RingMs)

	// 207 blind-transferred to 208, which deflected to 209, picked up by 210.
	r = rec("hq/208")
	require.Equal(t, store.OutcomeForwarded, r.Outcome)
	require.Equal(t, []store.Redirect{
		{Kind: "transferred", Reason: tapi.LINECALLREASON_TRANSFER, From: party("207"), To: party("208")},
		{Kind: "forwarded", From: party("208"), To: party("209")}}, r.Chain)
	require.Zero(t, r.TalkMs)
	r = rec("hq/209")
	require.Equal(t, store.OutcomePickedUp, r.Outcome)
	require.Equal(t, store.DirectionInternal, r.Direction)
	require.Equal(t, "210", r.AnsweredBy.Number)
	require.Equal(t, []store.Redirect{
		{Kind: "redirected", Reason: tapi.LINECALLREASON_REDIRECT, From: party("208"), To: party("209")},
		{Kind: "pickedUp", From: party("209"), To: party("210")}}, r.Chain)

	got, err := e.CallRecord(ctx, "hq", r.Handle)
	require.NoError(t, err)
	require.Equal(t, r.ID, got.ID)
	_, err = e.CallRecord(ctx, "nowhere", r.Handle)
	require.Error(t, err)

	page, err := e.History(ctx, store.HistoryQuery{Number: "206", Outcome: store.OutcomeForwarded, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	require.Equal(t, "hq/208", page.Records[0].Line)
}

// TestJournalRecordIDs: each record of a batch has an id of its own, made for the batch's
// time, also when a batch removes a handle twice (its records share the last tracking).
func TestJournalRecordIDs(t *testing.T) {
	ended := time.UnixMilli(1_765_000_000_000)
	call := func(h tapi.CallHandle, line string) tapi.Event {
		return tapi.Event{Type: tapi.LineNewCall, Handle: h, Call: &tapi.Call{Handle: h, Line: line, Created: ended}}
	}
	in := journalInput{pbx: "hq", ended: ended, scratch: &journalScratch{},
		removed: []tapi.CallHandle{"hq:1", "hq:2", "hq:2", "hq:3"},
		events:  []tapi.Event{call("hq:1", "hq/201"), call("hq:2", "hq/202")}, // hq:3: no record
		prev:    func(tapi.CallHandle) *tapi.Call { return nil },
		line:    func(string) *tapi.Line { return nil }}
	out := journalEntries(in)
	require.Len(t, out, 3)
	first := store.NewRecordID(ended)
	seen := map[string]bool{}
	for i, j := range out {
		require.Len(t, j.ID, store.RecordIDLen)
		require.Equal(t, first[:10], j.ID[:10], "record %d: the batch's time", i)
		require.False(t, seen[j.ID], "record %d: id %s repeats", i, j.ID)
		seen[j.ID] = true
	}
	require.Equal(t, []tapi.CallHandle{"hq:1", "hq:2", "hq:2"}, []tapi.CallHandle{out[0].Handle, out[1].Handle, out[2].Handle})
}

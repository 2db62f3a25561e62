package webhook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestDeliveriesPresentNumbers: with a PBX's Numbers set, a delivery's parties and its summary
// show the presented form (E.164 in the daemon, as REST and WebSocket show them), not the
// PBX's; the deliverer's own view of the call keeps the PBX's form for the next event.
func TestDeliveriesPresentNumbers(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	e164 := map[string]string{"0030555123": "+4930555123", "00891234": "+49891234"}
	present := func(n string) string {
		if v, ok := e164[n]; ok {
			return v
		}
		return n
	}
	_, _ = startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL, "hq/201")},
		Numbers: map[string]tapi.NumberMap{"hq": present}})
	waitCursor(t, st, "crm", "hq")

	nc := newCall("hq", "201", 1, "0030555123")
	nc.Call.Parties = []string{"0030555123"}
	eng.apply(store.Batch{Events: []tapi.Event{nc, stateEvent("hq", "201", 1, offering)}})
	end := stateEvent("hq", "201", 1, idle)
	eng.apply(store.Batch{Events: []tapi.Event{end}, Journal: []store.JournalEntry{{ID: store.NewRecordID(end.Time),
		PBX: "hq", Line: "hq/201", Handle: end.Handle, CallID: "C1", Caller: nc.Call.Info.Caller,
		Chain:   []store.Redirect{{Kind: "forwarded", From: tapi.PartyID{Number: "202"}, To: tapi.PartyID{Number: "00891234"}}},
		Started: nc.Time, Ended: end.Time, Outcome: "forwarded"}}})

	require.Eventually(t, func() bool { return len(rcv.payloads()) >= 2 }, 10*time.Second, 5*time.Millisecond)
	got := rcv.payloads()
	require.Equal(t, []string{"offering hq/201", "ended hq/201"}, kinds(got))
	for _, p := range got {
		require.NotNil(t, p.Call.Info)
		require.Equal(t, "+4930555123", p.Call.Info.Caller.Number, p.Kind)
		require.Equal(t, []string{"+4930555123"}, p.Call.Parties, p.Kind)
	}
	require.NotNil(t, got[1].Summary)
	require.Equal(t, "+4930555123", got[1].Summary.Caller.Number)
	require.Equal(t, "+49891234", got[1].Summary.Chain[0].To.Number)
	require.Equal(t, "202", got[1].Summary.Chain[0].From.Number, "extensions stay")
}

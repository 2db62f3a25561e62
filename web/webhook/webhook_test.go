package webhook

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
)

func kinds(ps []Payload) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind+" "+p.Line)
	}
	return out
}

func TestDeliversCallEventsSignedInOrder(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	_, _ = startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL, "hq/201")}})
	waitCursor(t, st, "crm", "hq")

	ringAndEnd(eng, "202", 1) // another line: not wanted
	nc := newCall("hq", "201", 2, "+4930555123")
	eng.apply(store.Batch{Events: []tapi.Event{nc, stateEvent("hq", "201", 2, offering)}})
	eng.apply(store.Batch{Events: []tapi.Event{stateEvent("hq", "201", 2, connected)}})
	eng.apply(store.Batch{Events: []tapi.Event{stateEvent("hq", "201", 2, onHold)}})
	info := callEvent("hq", "201", 2, tapi.LineCallInfo)
	info.CallInfo = &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_REASON | tapi.LINECALLINFOSTATE_CONNECTEDID,
		Info: tapi.CallInfo{Reason: tapi.LINECALLREASON_TRANSFER, Caller: nc.Call.Info.Caller,
			Connected: tapi.PartyID{Number: "203", Flags: tapi.LINECALLPARTYID_ADDRESS}}}
	eng.apply(store.Batch{Events: []tapi.Event{info}})
	end := stateEvent("hq", "201", 2, idle)
	eng.apply(store.Batch{Events: []tapi.Event{end}, Journal: []store.JournalEntry{{ID: store.NewRecordID(end.Time), PBX: "hq", Line: "hq/201", Handle: end.Handle,
		CallID: "C2", Caller: nc.Call.Info.Caller, Started: nc.Time, Ended: end.Time, Outcome: "answered"}}})

	require.Eventually(t, func() bool { return len(rcv.payloads()) >= 5 }, 10*time.Second, 5*time.Millisecond)
	got := rcv.payloads()
	require.Equal(t, []string{"offering hq/201", "connected hq/201", "held hq/201", "transferred hq/201", "ended hq/201"}, kinds(got))
	for i, p := range got {
		assert.Equal(t, DeliveryID("hq", p.Epoch, p.Offset), p.ID)
		assert.Equal(t, "crm", p.Subscription)
		require.NotNil(t, p.Call)
		assert.Equal(t, tapi.CallHandle("hq:2"), p.Call.Handle)
		assert.Equal(t, "C2", p.Call.CallID, "delivery %d", i)
		require.NotNil(t, p.Call.Info, "delivery %d names the parties", i)
		assert.Equal(t, "+4930555123", p.Call.Info.Caller.Number)
		if i > 0 {
			assert.Greater(t, p.Offset, got[i-1].Offset, "log order")
		}
	}
	assert.Equal(t, tapi.LINECALLSTATE_ONHOLD, got[2].Call.State)
	assert.Equal(t, "203", got[3].Call.Info.Connected.Number)
	require.NotNil(t, got[4].Summary, "ended carries the call summary")
	assert.Equal(t, "answered", got[4].Summary.Outcome)
	assert.Zero(t, rcv.badSig)
}

func TestFailingReceiverIsRetriedThenKeptAsFailedAndReplayed(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	rcv.setStatus(http.StatusServiceUnavailable)
	eng := newEngine(t, st, "hq")
	d, _ := startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL)},
		RetryFor: 400 * time.Millisecond, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
	waitCursor(t, st, "crm", "hq")
	eng.apply(store.Batch{Events: []tapi.Event{newCall("hq", "201", 1, "555"), stateEvent("hq", "201", 1, offering)}})

	var failed []store.FailedDelivery
	require.Eventually(t, func() bool {
		var err error
		failed, err = d.FailedDeliveries(context.Background(), "crm", 0)
		return err == nil && len(failed) == 1
	}, 10*time.Second, 5*time.Millisecond)
	fd := failed[0]
	assert.Contains(t, fd.LastError, "503")
	assert.Contains(t, fd.LastError, "receiver says no")
	assert.Equal(t, KindOffering, fd.Kind)
	rcv.mu.Lock()
	tries := rcv.tries[fd.ID]
	rcv.mu.Unlock()
	require.GreaterOrEqual(t, len(tries), 2, "the receiver saw retries")
	assert.Equal(t, fd.Attempts, len(tries))
	for i, n := range tries {
		assert.Equal(t, i+1, n, "Webhook-Attempt counts up")
	}

	// The stream moved on: the next event is delivered once the receiver is back.
	rcv.setStatus(0)
	eng.apply(store.Batch{Events: []tapi.Event{stateEvent("hq", "201", 1, connected)}})
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 1 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, KindConnected, rcv.payloads()[0].Kind)

	status, failure, err := d.ReplayDelivery(context.Background(), "crm", fd.ID)
	require.NoError(t, err)
	assert.Empty(t, failure)
	assert.Equal(t, http.StatusNoContent, status)
	require.Len(t, rcv.payloads(), 2)
	assert.Equal(t, fd.ID, rcv.payloads()[1].ID)
	left, err := d.FailedDeliveries(context.Background(), "crm", 0)
	require.NoError(t, err)
	assert.Empty(t, left, "a replayed delivery is no longer failed")
	_, _, err = d.ReplayDelivery(context.Background(), "crm", fd.ID)
	assert.ErrorIs(t, err, store.ErrWebhookNotFound)
}

func TestTakeoverResumesFromTheCursor(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	// A lease long enough not to expire on a loaded machine: a lease lost while delivering is
	// a takeover without hand-over, which may repeat deliveries (at least once); this test is
	// about the graceful one, where B takes the lease A released.
	cfg := Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL)}, LeaseTTL: 5 * time.Second}
	cfg.Owner = "a"
	_, stopA := startDispatcher(t, st, cfg)
	waitCursor(t, st, "crm", "hq")
	for n := 1; n <= 5; n++ {
		ringAndEnd(eng, "201", n)
	}
	// Stopped between deliveries: a deliverer stopped mid-delivery (the receiver has the
	// payload, the cursor does not yet) sends it again, which is at-least-once, not what this
	// test is about. So A stops once its cursor covers the whole log.
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 15 }, 10*time.Second, 5*time.Millisecond)
	head, err := st.Position(context.Background(), "hq")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, ok, err := st.WebhookCursor(context.Background(), "crm", "hq")
		return err == nil && ok && p.Offset >= head.Offset
	}, 10*time.Second, 5*time.Millisecond, "A's cursor saved past its last delivery")
	stopA()
	for n := 6; n <= 10; n++ { // while nobody delivers: they wait in the log
		ringAndEnd(eng, "201", n)
	}
	cfg.Owner = "b"
	_, _ = startDispatcher(t, st, cfg)
	require.Eventually(t, func() bool { return len(rcv.payloads()) >= 30 }, 10*time.Second, 5*time.Millisecond)
	seen := map[string]int{}
	for _, p := range rcv.payloads() {
		seen[p.ID]++
	}
	assert.Len(t, seen, 30, "offering, connected and ended of 10 calls")
	for id, n := range seen {
		assert.Equal(t, 1, n, "%s delivered once (graceful hand-over saves the cursor)", id)
	}
}

// A deliverer whose lease another instance took (A did not renew in time and has not noticed)
// cannot move the cursor the new deliverer saved: its saves are fenced by the lease token,
// it stops on the refusal, and its last save on the way out is refused too. Without the fence
// A's saves put the cursor back, and the next takeover would deliver again what B delivered.
func TestCursorSavesFencedAfterTakeover(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	_, stopA := startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL)},
		Owner: "a", LeaseTTL: time.Minute})
	waitCursor(t, st, "crm", "hq")
	ringAndEnd(eng, "201", 1)
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 3 }, 10*time.Second, 5*time.Millisecond)

	// B takes the lease over (A's lost it) and saves where it got to.
	ctx := context.Background()
	name := store.WebhookLeaseName("crm", "hq")
	owner, token, err := st.LeaseOwner(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "a", owner)
	require.NoError(t, st.ReleaseLease(ctx, store.Lease{PBX: name, Owner: "a", Token: token}))
	lb, err := st.AcquireLease(ctx, name, "b", time.Minute)
	require.NoError(t, err)
	head, err := st.Position(ctx, "hq")
	require.NoError(t, err)
	atB := store.Position{Epoch: head.Epoch, Offset: head.Offset + 6} // B delivered two more calls
	require.NoError(t, st.SaveWebhookCursor(ctx, "crm", "hq", atB, lb.Fence()))

	// A goes on delivering what comes (it does not know) and tries to save its cursor.
	ringAndEnd(eng, "201", 2)
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 6 }, 10*time.Second, 5*time.Millisecond)
	stopA()
	p, ok, err := st.WebhookCursor(ctx, "crm", "hq")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, atB, p, "the cursor B saved")
}

func TestSubscriptionsThroughTheAPI(t *testing.T) {
	st := newStore(t)
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	d, _ := startDispatcher(t, st, Config{Subscriptions: []store.WebhookSubscription{sub("fromfile", rcv.srv.URL, "hq/299")}})
	ctx := context.Background()

	_, err := d.CreateWebhook(ctx, store.WebhookSubscription{URL: "ftp://x/y", Secret: "s"})
	var fe *store.WebhookFieldError
	require.True(t, errors.As(err, &fe), "got %v", err)
	assert.Equal(t, "url", fe.Field)
	_, err = d.CreateWebhook(ctx, sub("x", rcv.srv.URL, "branch/*"))
	require.True(t, errors.As(err, &fe), "a pattern of an unknown PBX: got %v", err)
	assert.Equal(t, "lines", fe.Field)
	_, err = d.CreateWebhook(ctx, sub("fromfile", rcv.srv.URL))
	assert.ErrorIs(t, err, store.ErrWebhookExists)
	assert.ErrorIs(t, d.DeleteWebhook(ctx, "fromfile"), store.ErrWebhookReadOnly)

	w := sub("", rcv.srv.URL, "hq/*")
	w.Kinds = []string{KindEnded}
	made, err := d.CreateWebhook(ctx, w)
	require.NoError(t, err)
	assert.NotEmpty(t, made.ID)
	assert.Empty(t, made.Secret, "the secret is never returned")
	list, err := d.Webhooks(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, l := range list {
		assert.Empty(t, l.Secret)
	}

	status, failure, err := d.TestWebhook(ctx, made.ID)
	require.NoError(t, err)
	assert.Empty(t, failure)
	assert.Equal(t, http.StatusNoContent, status)
	require.Len(t, rcv.payloads(), 1)
	assert.Equal(t, KindTest, rcv.payloads()[0].Kind)

	waitCursor(t, st, made.ID, "hq")
	ringAndEnd(eng, "201", 1)
	require.Eventually(t, func() bool { return len(rcv.payloads()) == 2 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, KindEnded, rcv.payloads()[1].Kind, "only the kinds asked for")

	require.NoError(t, d.DeleteWebhook(ctx, made.ID))
	assert.ErrorIs(t, d.DeleteWebhook(ctx, made.ID), store.ErrWebhookNotFound)
	_, _, err = d.TestWebhook(ctx, made.ID)
	assert.ErrorIs(t, err, store.ErrWebhookNotFound)
}

func TestValidate(t *testing.T) {
	ok := store.WebhookSubscription{ID: "crm-1", URL: "https://crm.example.com/h", Secret: "x",
		Lines: []string{"hq/201", "hq/*", "*"}, Kinds: []string{KindEnded}}
	require.NoError(t, Validate(ok))
	for _, c := range []struct {
		field  string
		change func(*store.WebhookSubscription)
	}{
		{"id", func(w *store.WebhookSubscription) { w.ID = "a:b" }},
		{"id", func(w *store.WebhookSubscription) { w.ID = "" }},
		{"url", func(w *store.WebhookSubscription) { w.URL = "file:///etc/passwd" }},
		{"url", func(w *store.WebhookSubscription) { w.URL = "" }},
		{"url", func(w *store.WebhookSubscription) { w.URL = "http:///nohost" }},
		{"kinds", func(w *store.WebhookSubscription) { w.Kinds = []string{"ringing"} }},
		{"lines", func(w *store.WebhookSubscription) { w.Lines = []string{"hq"} }},
		{"lines", func(w *store.WebhookSubscription) { w.Lines = []string{"hq/2*"} }},
		{"secret", func(w *store.WebhookSubscription) { w.Secret = "" }},
	} {
		w := ok
		c.change(&w)
		var fe *store.WebhookFieldError
		require.True(t, errors.As(Validate(w), &fe), "%+v accepted", w)
		assert.Equal(t, c.field, fe.Field)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"hq:e:1"}`)
	now := time.Now()
	h := http.Header{}
	h.Set(HeaderSignature, Signature("k", now, body))
	require.NoError(t, Verify("k", h, body, now, time.Minute))
	assert.ErrorIs(t, Verify("other", h, body, now, time.Minute), ErrBadSignature)
	assert.ErrorIs(t, Verify("k", h, []byte(`{"id":"hq:e:2"}`), now, time.Minute), ErrBadSignature)
	assert.ErrorIs(t, Verify("k", h, body, now.Add(10*time.Minute), time.Minute), ErrStale)
	assert.ErrorIs(t, Verify("k", http.Header{}, body, now, time.Minute), ErrNoSignature)
	h.Set(HeaderSignature, "t=x,v1=00")
	assert.ErrorIs(t, Verify("k", h, body, now, time.Minute), ErrBadSignature)
}

// A cursor older than the retained log skips to the log's end (the events in between are
// gone) and delivery goes on from there.
func TestCursorOlderThanTheLogSkipsToItsEnd(t *testing.T) {
	st := memory.New(memory.Options{MaxLogLen: 100})
	t.Cleanup(func() { _ = st.Close() })
	rcv := newReceiver(t)
	eng := newEngine(t, st, "hq")
	cfg := Config{Subscriptions: []store.WebhookSubscription{sub("crm", rcv.srv.URL)}}
	_, stopA := startDispatcher(t, st, cfg)
	waitCursor(t, st, "crm", "hq")
	stopA()
	for n := 1; n <= 60; n++ { // 240 events: the cursor falls out of the log
		ringAndEnd(eng, "201", n)
	}
	cfg.Owner = "b"
	_, _ = startDispatcher(t, st, cfg)
	require.Eventually(t, func() bool {
		p, _, err := st.WebhookCursor(context.Background(), "crm", "hq")
		pos, _ := st.Position(context.Background(), "hq")
		return err == nil && p == pos
	}, 10*time.Second, 5*time.Millisecond)
	ringAndEnd(eng, "202", 61)
	require.Eventually(t, func() bool { return len(rcv.payloads()) >= 3 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"offering hq/202", "connected hq/202", "ended hq/202"}, kinds(rcv.payloads()))
}

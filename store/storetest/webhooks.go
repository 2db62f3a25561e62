package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

var webhookTests = []contractTest{
	{"Webhooks/SubscriptionsSharedAndDeleted", testWebhookSubscriptions},
	{"Webhooks/CursorPerSubscriptionAndPBX", testWebhookCursor},
	{"Webhooks/CursorSavesFencedByLeaseToken", testWebhookCursorFence},
	{"Webhooks/FailedDeliveriesNewestFirstAndCapped", testWebhookFailed},
	{"Webhooks/LeaseNameIsAValidLease", testWebhookLease},
}

func webhookStore(t *testing.T, s store.Store) store.WebhookStore {
	t.Helper()
	w, ok := s.(store.WebhookStore)
	if !ok {
		t.Fatalf("%T does not implement store.WebhookStore", s)
	}
	return w
}

func testWebhookSubscriptions(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	a, b := webhookStore(t, s), webhookStore(t, open2(t))
	ctx := testCtx(t)
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	w1 := store.WebhookSubscription{ID: "crm", URL: "https://crm.example.com/hook", Lines: []string{"hq/*"},
		Kinds: []string{"offering", "ended"}, Secret: "s1", Created: created}
	w2 := store.WebhookSubscription{ID: "a-first", URL: "http://127.0.0.1:9/x", Secret: "s2", Created: created}
	noErr(t, "PutWebhook crm", a.PutWebhook(ctx, w1))
	noErr(t, "PutWebhook a-first", a.PutWebhook(ctx, w2))
	got, err := b.Webhooks(ctx)
	noErr(t, "Webhooks on another instance", err)
	sameJSON(t, "subscriptions ordered by ID", got, []store.WebhookSubscription{w2, w1})

	w1.URL = "https://crm.example.com/v2"
	noErr(t, "PutWebhook replacing crm", b.PutWebhook(ctx, w1))
	noErr(t, "SetWebhookCursor", a.SetWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 3}))
	noErr(t, "AddFailedDelivery", a.AddFailedDelivery(ctx, failedDelivery("crm", 1)))
	got, err = a.Webhooks(ctx)
	noErr(t, "Webhooks", err)
	sameJSON(t, "subscriptions after replacing one", got, []store.WebhookSubscription{w2, w1})

	noErr(t, "DeleteWebhook crm", b.DeleteWebhook(ctx, "crm"))
	wantErr(t, "DeleteWebhook crm again", a.DeleteWebhook(ctx, "crm"), store.ErrWebhookNotFound)
	got, err = a.Webhooks(ctx)
	noErr(t, "Webhooks", err)
	sameJSON(t, "subscriptions after delete", got, []store.WebhookSubscription{w2})
	if _, ok, err := a.WebhookCursor(ctx, "crm", "hq"); err != nil || ok {
		t.Fatalf("cursor of a deleted subscription: ok %v, err %v; want none", ok, err)
	}
	if l, err := a.FailedDeliveries(ctx, "crm", 0); err != nil || len(l) != 0 {
		t.Fatalf("failed deliveries of a deleted subscription: %d, err %v; want none", len(l), err)
	}
	if err := a.PutWebhook(ctx, store.WebhookSubscription{URL: "http://x"}); err == nil {
		t.Fatal("PutWebhook without an ID succeeded")
	}
}

func testWebhookCursor(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	a, b := webhookStore(t, s), webhookStore(t, open2(t))
	ctx := testCtx(t)
	if _, ok, err := a.WebhookCursor(ctx, "crm", "hq"); err != nil || ok {
		t.Fatalf("cursor before any was saved: ok %v, err %v", ok, err)
	}
	noErr(t, "SetWebhookCursor crm hq", a.SetWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e1", Offset: 7}))
	noErr(t, "SetWebhookCursor crm branch", a.SetWebhookCursor(ctx, "crm", "branch", store.Position{Epoch: "e2", Offset: 1}))
	noErr(t, "SetWebhookCursor other hq", a.SetWebhookCursor(ctx, "other", "hq", store.Position{Epoch: "e1", Offset: 2}))
	noErr(t, "SetWebhookCursor crm hq again", a.SetWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e1", Offset: 9}))
	for _, c := range []struct {
		id, pbx string
		want    store.Position
	}{{"crm", "hq", store.Position{Epoch: "e1", Offset: 9}}, {"crm", "branch", store.Position{Epoch: "e2", Offset: 1}},
		{"other", "hq", store.Position{Epoch: "e1", Offset: 2}}} {
		p, ok, err := b.WebhookCursor(ctx, c.id, c.pbx)
		noErr(t, "WebhookCursor", err)
		if !ok || p != c.want {
			t.Fatalf("cursor of %s/%s on another instance: %+v (ok %v), want %+v", c.id, c.pbx, p, ok, c.want)
		}
	}
	if err := a.SetWebhookCursor(ctx, "", "hq", store.Position{}); err == nil {
		t.Fatal("SetWebhookCursor without a subscription ID succeeded")
	}
	if err := a.SetWebhookCursor(ctx, "crm", "h/q", store.Position{}); err == nil {
		t.Fatal("SetWebhookCursor with PBX name h/q succeeded")
	}
}

// A deliverer that lost its lease to another cannot move the cursor the other saved: its save
// is refused (ErrFenced) and the cursor stays; saves under the current lease go on, and the
// admin's unfenced SetWebhookCursor still writes.
func testWebhookCursorFence(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	s2 := open2(t)
	a, b := webhookStore(t, s), webhookStore(t, s2)
	ctx := testCtx(t)
	name := store.WebhookLeaseName("crm", "hq")
	la, err := s.AcquireLease(ctx, name, "a", time.Minute)
	noErr(t, "AcquireLease a", err)
	noErr(t, "SaveWebhookCursor a", a.SaveWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 5}, la.Fence()))
	noErr(t, "SaveWebhookCursor a again", a.SaveWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 8}, la.Fence()))
	noErr(t, "ReleaseLease a", s.ReleaseLease(ctx, la)) // as if it expired: a does not know yet
	var lb store.Lease
	for lb.Token < 10 { // past one digit: tokens compare as numbers, not as strings
		lb, err = s2.AcquireLease(ctx, name, "b", time.Minute)
		noErr(t, "AcquireLease b", err)
		noErr(t, "ReleaseLease b", s2.ReleaseLease(ctx, lb))
	}
	lb, err = s2.AcquireLease(ctx, name, "b", time.Minute)
	noErr(t, "AcquireLease b", err)
	noErr(t, "SaveWebhookCursor b", b.SaveWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 6}, lb.Fence()))
	err = a.SaveWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 9}, la.Fence())
	if !errors.Is(err, store.ErrFenced) {
		t.Fatalf("save by the deliverer that lost the lease: %v, want ErrFenced", err)
	}
	if p, ok, err := a.WebhookCursor(ctx, "crm", "hq"); err != nil || !ok || p.Offset != 6 {
		t.Fatalf("cursor after the refused save: %+v (ok %v, err %v), want b's offset 6", p, ok, err)
	}
	noErr(t, "SaveWebhookCursor b again", b.SaveWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "e", Offset: 12}, lb.Fence()))
	noErr(t, "SetWebhookCursor (admin)", a.SetWebhookCursor(ctx, "crm", "hq", store.Position{Epoch: "f", Offset: 1}))
	if p, _, err := b.WebhookCursor(ctx, "crm", "hq"); err != nil || p != (store.Position{Epoch: "f", Offset: 1}) {
		t.Fatalf("cursor after the admin's set: %+v (err %v)", p, err)
	}
	// Another PBX of the subscription has its own token.
	lo, err := s.AcquireLease(ctx, store.WebhookLeaseName("crm", "branch"), "a", time.Minute)
	noErr(t, "AcquireLease branch", err)
	noErr(t, "SaveWebhookCursor branch", a.SaveWebhookCursor(ctx, "crm", "branch", store.Position{Epoch: "e", Offset: 1}, lo.Fence()))
}

func failedDelivery(sub string, i int) store.FailedDelivery {
	at := time.Date(2026, 3, 1, 10, 0, i, 0, time.UTC)
	return store.FailedDelivery{Subscription: sub, ID: fmt.Sprintf("hq:e:%d", i), PBX: "hq", Kind: "ended",
		Body: []byte(fmt.Sprintf(`{"id":"hq:e:%d"}`, i)), Attempts: 3, LastError: "HTTP 500",
		FirstAttempt: at.Add(-time.Minute), FailedAt: at}
}

func testWebhookFailed(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	a, b := webhookStore(t, s), webhookStore(t, open2(t))
	ctx := testCtx(t)
	for i := 1; i <= 3; i++ {
		noErr(t, "AddFailedDelivery", a.AddFailedDelivery(ctx, failedDelivery("crm", i)))
	}
	noErr(t, "AddFailedDelivery other", a.AddFailedDelivery(ctx, failedDelivery("other", 9)))
	got, err := b.FailedDeliveries(ctx, "crm", 0)
	noErr(t, "FailedDeliveries", err)
	sameJSON(t, "failed deliveries newest first", got,
		[]store.FailedDelivery{failedDelivery("crm", 3), failedDelivery("crm", 2), failedDelivery("crm", 1)})
	got, err = b.FailedDeliveries(ctx, "crm", 2)
	noErr(t, "FailedDeliveries limit 2", err)
	sameJSON(t, "failed deliveries, limit 2", got, []store.FailedDelivery{failedDelivery("crm", 3), failedDelivery("crm", 2)})
	d, err := b.FailedDelivery(ctx, "crm", "hq:e:2")
	noErr(t, "FailedDelivery", err)
	sameJSON(t, "one failed delivery", d, failedDelivery("crm", 2))
	_, err = b.FailedDelivery(ctx, "crm", "hq:e:9")
	wantErr(t, "FailedDelivery of another subscription's delivery", err, store.ErrWebhookNotFound)

	noErr(t, "RemoveFailedDelivery", b.RemoveFailedDelivery(ctx, "crm", "hq:e:2"))
	noErr(t, "RemoveFailedDelivery again", b.RemoveFailedDelivery(ctx, "crm", "hq:e:2"))
	_, err = a.FailedDelivery(ctx, "crm", "hq:e:2")
	wantErr(t, "FailedDelivery after removal", err, store.ErrWebhookNotFound)
	if _, err := a.FailedDeliveries(ctx, "crm", -1); err == nil {
		t.Fatal("FailedDeliveries with limit -1 succeeded")
	}

	for i := 10; i < 10+store.MaxFailedDeliveries; i++ {
		noErr(t, "AddFailedDelivery", a.AddFailedDelivery(ctx, failedDelivery("cap", i)))
	}
	noErr(t, "AddFailedDelivery beyond the cap", a.AddFailedDelivery(ctx, failedDelivery("cap", 10+store.MaxFailedDeliveries)))
	got, err = a.FailedDeliveries(ctx, "cap", 0)
	noErr(t, "FailedDeliveries", err)
	if len(got) != store.MaxFailedDeliveries || got[0].ID != failedDelivery("cap", 10+store.MaxFailedDeliveries).ID ||
		got[len(got)-1].ID != failedDelivery("cap", 11).ID {
		t.Fatalf("capped failed deliveries: %d, newest %q, oldest %q; want %d from hq:e:%d down to hq:e:11",
			len(got), got[0].ID, got[len(got)-1].ID, store.MaxFailedDeliveries, 10+store.MaxFailedDeliveries)
	}
}

func testWebhookLease(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	name := store.WebhookLeaseName("crm", "hq")
	l := acquire(t, s, name, "a", longTTL)
	if _, err := open2(t).AcquireLease(testCtx(t), name, "b", longTTL); err == nil {
		t.Fatalf("a second instance acquired the held webhook lease %s", name)
	}
	if _, err := s.AcquireLease(testCtx(t), store.WebhookLeaseName("crm", "branch"), "b", longTTL); err != nil {
		t.Fatalf("lease of another PBX of the subscription: %v", err)
	}
	noErr(t, "ReleaseLease", s.ReleaseLease(testCtx(t), l))
}

package webhook

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The methods the admin REST API (package web) calls.

// Webhooks returns all subscriptions, the configuration's and the API's, with secrets blanked.
func (d *Dispatcher) Webhooks(ctx context.Context) ([]store.WebhookSubscription, error) {
	subs, err := d.subscriptions(ctx)
	for i := range subs {
		subs[i].Secret = ""
	}
	return subs, err
}

// FromConfig reports whether the subscription comes from the configuration (read-only).
func (d *Dispatcher) FromConfig(id string) bool {
	_, ok := d.fromCfg[id]
	return ok
}

// CreateWebhook validates and stores a new subscription (an empty ID gets a random one); it
// is delivered every event appended to the PBXs' logs after it returns. It returns it without the
// secret.
func (d *Dispatcher) CreateWebhook(ctx context.Context, w store.WebhookSubscription) (store.WebhookSubscription, error) {
	if w.ID == "" {
		w.ID = "wh_" + rand.Text()[:16]
	}
	w.Created = time.Now().UTC()
	if err := Validate(w); err != nil {
		return store.WebhookSubscription{}, err
	}
	for _, l := range w.Lines {
		if pbx := tapi.LinePBX(l); l != "*" && !slices.Contains(d.cfg.PBXs, pbx) {
			return store.WebhookSubscription{}, &store.WebhookFieldError{Field: "lines",
				Reason: fmt.Sprintf("pattern %q names PBX %q, which is not configured", l, pbx)}
		}
	}
	if _, err := d.subscription(ctx, w.ID); err == nil {
		return store.WebhookSubscription{}, fmt.Errorf("webhook %q: %w", w.ID, store.ErrWebhookExists)
	}
	// Deliveries start at the logs' ends now, not when a deliverer gets to it: every event
	// after the answer is delivered.
	for _, pbx := range d.cfg.PBXs {
		if !wantsPBX(&w, pbx) {
			continue
		}
		pos, err := d.st.Position(ctx, pbx)
		if err != nil {
			return store.WebhookSubscription{}, err
		}
		if err := d.ws.SetWebhookCursor(ctx, w.ID, pbx, pos); err != nil {
			return store.WebhookSubscription{}, err
		}
	}
	if err := d.ws.PutWebhook(ctx, w); err != nil {
		return store.WebhookSubscription{}, err
	}
	d.poke()
	w.Secret = ""
	return w, nil
}

// DeleteWebhook removes a subscription made through the API, with its cursors and failed
// deliveries; its deliverers stop.
func (d *Dispatcher) DeleteWebhook(ctx context.Context, id string) error {
	if d.FromConfig(id) {
		return fmt.Errorf("webhook %q: %w", id, store.ErrWebhookReadOnly)
	}
	if err := d.ws.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	d.poke()
	return nil
}

// TestWebhook sends one signed delivery of kind "test" at once, without retries. It returns
// the receiver's status (0 when none came) and what failed in the attempt ("" when it was
// delivered); err is for a subscription that does not exist or a store that failed.
func (d *Dispatcher) TestWebhook(ctx context.Context, id string) (status int, failure string, err error) {
	w, err := d.subscription(ctx, id)
	if err != nil {
		return 0, "", err
	}
	p := Payload{ID: "test:" + rand.Text()[:16], Kind: KindTest, Subscription: id, Timestamp: time.Now().UTC()}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, "", err
	}
	status, perr := d.post(ctx, &w, p.ID, 1, body)
	return status, errText(perr), nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FailedDeliveries lists a subscription's failed deliveries, newest first, at most limit.
func (d *Dispatcher) FailedDeliveries(ctx context.Context, id string, limit int) ([]store.FailedDelivery, error) {
	if _, err := d.subscription(ctx, id); err != nil {
		return nil, err
	}
	return d.ws.FailedDeliveries(ctx, id, limit)
}

// ReplayDelivery sends a failed delivery again, once, with a fresh signature. On success it
// is forgotten; on failure it stays failed with the new error and one more attempt.
// Its results are those of TestWebhook.
func (d *Dispatcher) ReplayDelivery(ctx context.Context, id, deliveryID string) (status int, failure string, err error) {
	w, err := d.subscription(ctx, id)
	if err != nil {
		return 0, "", err
	}
	fd, err := d.ws.FailedDelivery(ctx, id, deliveryID)
	if err != nil {
		return 0, "", err
	}
	fd.Attempts++
	status, perr := d.post(ctx, &w, fd.ID, fd.Attempts, fd.Body)
	if perr == nil {
		d.metrics.deliveries.WithLabelValues(id, "replayed").Inc()
		return status, "", d.ws.RemoveFailedDelivery(ctx, id, deliveryID)
	}
	fd.LastError, fd.FailedAt = perr.Error(), time.Now()
	return status, perr.Error(), d.ws.AddFailedDelivery(ctx, fd)
}

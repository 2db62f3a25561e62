package store

import (
	"context"
	"errors"
	"time"
)

// WebhookStore keeps what the call webhook dispatchers (package webhook) of all bridge
// instances share: subscriptions made through the admin REST API, the delivery cursor of each
// subscription and PBX, and the deliveries that failed for good. Both implementations of
// Store implement it; its contract is part of store/storetest.
//
// The lease that makes one instance the deliverer of a subscription and PBX is an ordinary
// Store lease under the name WebhookLeaseName returns.
type WebhookStore interface {
	// PutWebhook stores a subscription, replacing one with the same ID.
	PutWebhook(ctx context.Context, w WebhookSubscription) error
	// Webhooks returns the stored subscriptions, ordered by ID.
	Webhooks(ctx context.Context) ([]WebhookSubscription, error)
	// DeleteWebhook removes a subscription with its cursors and failed deliveries;
	// ErrWebhookNotFound when there is none with that ID.
	DeleteWebhook(ctx context.Context, id string) error

	// WebhookCursor returns where delivery of a subscription's events of a PBX stands: every
	// event up to it was delivered or kept as failed. ok is false when none was saved.
	WebhookCursor(ctx context.Context, id, pbx string) (p Position, ok bool, err error)
	// SetWebhookCursor saves the cursor of a subscription and PBX (the admin API, before any
	// deliverer).
	SetWebhookCursor(ctx context.Context, id, pbx string, p Position) error
	// SaveWebhookCursor saves a deliverer's cursor: fence is its delivery lease
	// (WebhookLeaseName). Once a cursor was saved under a token, a save under a lower one (a
	// deliverer that lost the lease to the one that saved it, and did not yet notice) is
	// refused with ErrFenced and changes nothing: it cannot move the cursor back below what
	// the new deliverer delivered, which would make a later takeover deliver it again.
	SaveWebhookCursor(ctx context.Context, id, pbx string, p Position, fence Fence) error

	// AddFailedDelivery keeps a delivery that failed for good (replacing one with the same
	// ID). A subscription keeps at most MaxFailedDeliveries, dropping the oldest.
	AddFailedDelivery(ctx context.Context, d FailedDelivery) error
	// FailedDeliveries returns a subscription's failed deliveries, newest first, at most limit
	// (0: all).
	FailedDeliveries(ctx context.Context, id string, limit int) ([]FailedDelivery, error)
	// FailedDelivery returns one failed delivery; ErrWebhookNotFound when there is none.
	FailedDelivery(ctx context.Context, id, deliveryID string) (FailedDelivery, error)
	// RemoveFailedDelivery forgets a failed delivery (after a successful replay); removing
	// one that is not there is not an error.
	RemoveFailedDelivery(ctx context.Context, id, deliveryID string) error
}

// MaxFailedDeliveries is how many failed deliveries a subscription keeps.
const MaxFailedDeliveries = 1000

// WebhookSubscription is one call webhook subscription. The secret is stored so that every
// instance can sign; it is never returned by the REST API.
type WebhookSubscription struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Lines   []string  `json:"lines,omitempty"` // patterns: "hq/201", "hq/*", "*"; none: all
	Kinds   []string  `json:"kinds,omitempty"` // event kinds; none: all
	Secret  string    `json:"secret"`
	Created time.Time `json:"created"`
}

// FailedDelivery is a delivery whose retries ran out, kept with its last error.
type FailedDelivery struct {
	Subscription string    `json:"subscription"`
	ID           string    `json:"id"` // the delivery's id (Webhook-Id)
	PBX          string    `json:"pbx"`
	Kind         string    `json:"kind"`
	Body         []byte    `json:"body"` // the JSON payload as it was sent
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"lastError"`
	FirstAttempt time.Time `json:"firstAttempt"`
	FailedAt     time.Time `json:"failedAt"`
}

// Errors of the webhook vocabulary, shared by the dispatcher (package webhook) and the REST
// API (package web), which answer them with their own problem types.
var (
	// ErrWebhookNotFound: no subscription or failed delivery with that ID.
	ErrWebhookNotFound = errors.New("store: webhook subscription or delivery not found")
	// ErrWebhookExists: a subscription with that ID exists already.
	ErrWebhookExists = errors.New("webhook subscription exists already")
	// ErrWebhookReadOnly: the subscription comes from the configuration file.
	ErrWebhookReadOnly = errors.New("webhook subscription is from the configuration file")
)

// WebhookFieldError says which member of a subscription is invalid and why.
type WebhookFieldError struct {
	Field  string
	Reason string
}

func (e *WebhookFieldError) Error() string { return "webhook " + e.Field + ": " + e.Reason }

// WebhookLeaseName is the lease (in the Store's lease space) whose holder delivers
// subscription id's events of pbx. Subscription IDs never contain ':' (package webhook
// checks), so names of different pairs never collide, nor with PBX names of the config.
func WebhookLeaseName(id, pbx string) string { return "webhook:" + id + ":" + pbx }

// Package webhook delivers call events and agent state changes to CRMs as signed HTTP POSTs.
//
// A subscription names a URL, the lines it wants (patterns "hq/201", "hq/*", "*") and the
// kinds of events (offering, connected, held, transferred, ended, agent.state), and holds a
// secret.
// Subscriptions come from the configuration (read-only) or the admin REST API; those are
// kept in the shared store (store.WebhookStore), so every bridge instance sees them.
//
// Delivery follows each PBX's event log in the store. For every subscription and PBX one
// instance at a time delivers: the holder of the store lease store.WebhookLeaseName(id, pbx),
// renewed while it delivers; an instance that loses it stops at once. The deliverer saves
// its cursor (epoch and offset) in the store after each delivery, so the instance that takes
// over (after a SIGKILL, a lease expiry or a graceful stop) resumes from it. Deliveries are
// therefore at least once: after a takeover the last deliveries may come again, with the same
// id, and receivers deduplicate by it.
//
// Deliveries of one subscription and PBX go out in log order, one at a time. A delivery
// that fails (transport error, timeout, a status other than 2xx, a redirect) is retried with
// exponential backoff and full jitter (a random wait up to min(BackoffMax, BackoffMin*2^n))
// until RetryFor has passed since its first attempt; then it is kept as failed with its last
// error (listable and replayable through the REST API) and the cursor moves on. A dead
// receiver so holds its own stream up for RetryFor per event, never forever, and never
// holds up other subscriptions. The queue is the event log itself: events wait in the store,
// not in memory, so it is bounded by the log's retention (a cursor older than the retained
// log skips to its start, logged and counted).
//
// Signature (the scheme of Standard Webhooks and Stripe): every request carries
//
//	Webhook-Id: <delivery id>
//	Webhook-Timestamp: <unix seconds of this attempt>
//	Webhook-Signature: t=<same timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//
// Receivers recompute the HMAC over the timestamp, a dot and the raw body, compare in
// constant time and refuse timestamps too far from their clock (Verify does all three). The
// delivery id is "<pbx>:<epoch>:<offset>" of the event: stable across retries and takeovers.
// docs/webhooks.md describes the payload.
package webhook

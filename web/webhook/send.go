package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// errBodyLimit bounds how much of a failed response's body goes into the error.
const errBodyLimit = 200

// post makes one attempt: it signs body now and sends it. It returns the HTTP status (0 when
// none came) and an error unless the status is 2xx.
func (d *Dispatcher) post(ctx context.Context, w *store.WebhookSubscription, id string, attempt int, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("request: %w", err)
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ctibridge-webhook")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Signature(w.Secret, now, body))
	req.Header.Set(HeaderAttempt, strconv.Itoa(attempt))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap() // the cause, without the URL (it may carry credentials)
		}
		return 0, err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, errBodyLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // reuse the connection
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, nil
	}
	msg := "HTTP " + resp.Status
	if len(bytes.TrimSpace(head)) > 0 {
		msg += ": " + string(bytes.TrimSpace(head))
	}
	return resp.StatusCode, errors.New(msg)
}

// deliver sends a payload until it succeeds or RetryFor has passed since its first attempt;
// then it keeps it as failed. It returns an error only when ctx ended (the lease was lost or
// the instance stops): the delivery is then neither done nor failed, and the next
// deliverer sends it again from the cursor.
func (d *Dispatcher) deliver(ctx context.Context, w *store.WebhookSubscription, pbx string, p *Payload, body []byte) error {
	first := time.Now()
	for attempt := 1; ; attempt++ {
		status, err := d.post(ctx, w, p.ID, attempt, body)
		if err == nil {
			d.metrics.delivered(w.ID, p.Timestamp)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.metrics.attemptFailed(w.ID)
		left := d.cfg.RetryFor - time.Since(first)
		if left <= 0 {
			fd := store.FailedDelivery{Subscription: w.ID, ID: p.ID, PBX: pbx, Kind: p.Kind, Body: body,
				Attempts: attempt, LastError: err.Error(), FirstAttempt: first, FailedAt: time.Now()}
			d.log.WithFields(map[string]any{"webhook": w.ID, "delivery": p.ID, "attempts": attempt, "status": status}).
				WithError(err).Warn("webhook delivery failed for good; kept as failed")
			if serr := d.ws.AddFailedDelivery(ctx, fd); serr != nil {
				return fmt.Errorf("keep failed delivery %s: %w", p.ID, serr)
			}
			d.metrics.failed(w.ID)
			return nil
		}
		wait := min(backoff.Policy{Min: d.cfg.BackoffMin, Max: d.cfg.BackoffMax}.Wait(attempt), left)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a delivery.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
	HeaderAttempt   = "Webhook-Attempt"
)

// Signature returns the Webhook-Signature value for body sent at t.
func Signature(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verification errors.
var (
	ErrNoSignature  = errors.New("webhook: no Webhook-Signature header")
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrStale        = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks the Webhook-Signature header h of body against secret: the HMAC must match
// (in constant time) and its timestamp be within tolerance of now. Several v1 values (a
// secret being rotated) are accepted if any matches.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	sig := h.Get(HeaderSignature)
	if sig == "" {
		return ErrNoSignature
	}
	var ts string
	var sums [][]byte
	for _, part := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sums = append(sums, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: signature timestamp %q: %w", ts, ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: signed at %s, %v from now: %w", time.Unix(sec, 0).UTC().Format(time.RFC3339), d.Round(time.Second), ErrStale)
	}
	want := mac(secret, ts, body)
	for _, s := range sums {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

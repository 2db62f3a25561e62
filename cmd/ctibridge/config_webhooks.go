package main

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/web/webhook"
)

// WebhooksConfig is the webhooks section: call webhooks (docs/webhooks.md). Subscriptions
// here are read-only through the REST API, which adds its own to the store.
type WebhooksConfig struct {
	RetryFor      time.Duration         `yaml:"retry_for"`
	Timeout       time.Duration         `yaml:"timeout"`
	BackoffMin    time.Duration         `yaml:"backoff_min"`
	BackoffMax    time.Duration         `yaml:"backoff_max"`
	LeaseTTL      time.Duration         `yaml:"lease_ttl"`
	Refresh       time.Duration         `yaml:"refresh"`
	Subscriptions []WebhookSubscription `yaml:"subscriptions"`
}

// WebhookSubscription is one configured receiver; its secret never sits in the file.
type WebhookSubscription struct {
	ID         string   `yaml:"id"`
	URL        string   `yaml:"url"`
	Lines      []string `yaml:"lines"`
	Kinds      []string `yaml:"kinds"`
	SecretEnv  string   `yaml:"secret_env"`
	SecretFile string   `yaml:"secret_file"`
}

// applyDefaults takes package webhook's defaults.
func (w *WebhooksConfig) applyDefaults() {
	w.RetryFor = cmp.Or(w.RetryFor, webhook.DefaultRetryFor)
	w.Timeout = cmp.Or(w.Timeout, webhook.DefaultTimeout)
	w.BackoffMin = cmp.Or(w.BackoffMin, webhook.DefaultBackoffMin)
	w.BackoffMax = cmp.Or(w.BackoffMax, webhook.DefaultBackoffMax)
	w.LeaseTTL = cmp.Or(w.LeaseTTL, webhook.DefaultLeaseTTL)
	w.Refresh = cmp.Or(w.Refresh, webhook.DefaultRefresh)
}

// validate reports the section's problems by key; secrets are checked to be there, line
// patterns to name configured PBXs (pbxs).
func (w *WebhooksConfig) validate(pbxs map[string]bool, env func(string) string, bad func(string, string, ...any)) {
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"webhooks.retry_for", w.RetryFor}, {"webhooks.timeout", w.Timeout}, {"webhooks.backoff_min", w.BackoffMin},
		{"webhooks.backoff_max", w.BackoffMax}, {"webhooks.refresh", w.Refresh}} {
		if d.v < 0 {
			bad(d.key, "%v is negative; give a duration such as 30s, or leave it out for the default", d.v)
		}
	}
	if w.LeaseTTL < 300*time.Millisecond {
		bad("webhooks.lease_ttl", "%v is below the minimum 300ms", w.LeaseTTL)
	}
	if w.BackoffMax < w.BackoffMin {
		bad("webhooks.backoff_max", "%v is below backoff_min %v", w.BackoffMax, w.BackoffMin)
	}
	ids := map[string]bool{}
	for i, s := range w.Subscriptions {
		key := fmt.Sprintf("webhooks.subscriptions[%d]", i)
		switch {
		case s.SecretEnv == "" && s.SecretFile == "":
			bad(key+".secret_env", "give secret_env or secret_file: deliveries are signed with the secret")
		case s.SecretEnv != "" && s.SecretFile != "":
			bad(key+".secret_file", "give secret_env or secret_file, not both")
		case s.SecretEnv != "" && env(s.SecretEnv) == "":
			bad(key+".secret_env", "environment variable %s is empty or unset", s.SecretEnv)
		}
		if ids[s.ID] {
			bad(key+".id", "%q is used twice", s.ID)
		}
		ids[s.ID] = true
		err := webhook.Validate(store.WebhookSubscription{ID: s.ID, URL: s.URL, Lines: s.Lines, Kinds: s.Kinds, Secret: "checked above"})
		var fe *store.WebhookFieldError
		if errors.As(err, &fe) {
			bad(key+"."+fe.Field, "%s", fe.Reason)
			continue
		}
		for j, l := range s.Lines {
			if pbx := tapi.LinePBX(l); l != "*" && !pbxs[pbx] {
				bad(fmt.Sprintf("%s.lines[%d]", key, j), "%q names PBX %q, which is not configured", l, pbx)
			}
		}
	}
}

// webhookConfig is the dispatcher's configuration, with the secrets read.
func webhookConfig(cfg *FileConfig, log *logrus.Entry) (webhook.Config, error) {
	w := cfg.Webhooks
	wc := webhook.Config{Owner: cfg.InstanceID, RetryFor: w.RetryFor, Timeout: w.Timeout,
		BackoffMin: w.BackoffMin, BackoffMax: w.BackoffMax, LeaseTTL: w.LeaseTTL, Refresh: w.Refresh,
		Logger: log.WithField("component", "webhook")}
	wc.Numbers = map[string]tapi.NumberMap{}
	for _, p := range cfg.PBXs {
		wc.PBXs = append(wc.PBXs, p.Name)
		if f := p.Numbering.web().Presenter(); f != nil {
			wc.Numbers[p.Name] = f // deliveries show numbers as REST and WebSocket do
		}
	}
	for i, s := range w.Subscriptions {
		sec, err := secret(s.SecretEnv, s.SecretFile)
		if err != nil {
			return webhook.Config{}, fmt.Errorf("webhooks.subscriptions[%d].secret_file: %w", i, err)
		}
		if sec == "" {
			return webhook.Config{}, fmt.Errorf("webhooks.subscriptions[%d]: the secret is empty", i)
		}
		wc.Subscriptions = append(wc.Subscriptions, store.WebhookSubscription{ID: s.ID, URL: s.URL,
			Lines: s.Lines, Kinds: s.Kinds, Secret: sec})
	}
	return wc, nil
}

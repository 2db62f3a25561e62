package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/web/webhook"
)

// webhookReceiver is a real listener that verifies signatures and records the payloads.
type webhookReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []webhook.Payload
	status int
}

func newWebhookReceiver(t *testing.T, secret string) *webhookReceiver {
	r := &webhookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := webhook.Verify(secret, req.Header, body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.status != 0 {
			http.Error(w, "down for maintenance", r.status)
			return
		}
		var p webhook.Payload
		_ = json.Unmarshal(body, &p)
		r.got = append(r.got, p)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *webhookReceiver) payloads() []webhook.Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Payload(nil), r.got...)
}

// webhookEnv is an env whose server has a real webhook dispatcher on the engine's store;
// o's sim and engine options apply.
func webhookEnv(t *testing.T, retryFor time.Duration, o ...envOpts) *env {
	var st store.Store
	var opts envOpts
	if len(o) > 0 {
		opts = o[0]
	}
	return newEnv(t, envOpts{
		sim: opts.sim, engine: opts.engine,
		storeWrap: func(s store.Store) store.Store { st = s; return s },
		web: func(c *Config) {
			d, err := webhook.New(st, webhook.Config{PBXs: []string{"hq"}, Owner: "test-1", Refresh: 50 * time.Millisecond,
				RetryFor: retryFor, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, Logger: c.Logger,
				Subscriptions: []store.WebhookSubscription{{ID: "fromfile", URL: "http://127.0.0.1:9/", Secret: "x", Lines: []string{"hq/299"}}}})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = d.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
			c.Webhooks = d
		}})
}

func TestWebhookREST(t *testing.T) {
	e := webhookEnv(t, 300*time.Millisecond)
	rcv := newWebhookReceiver(t, "k1")

	r := e.do("POST", "/api/v1/webhooks", tokAlice, map[string]any{"url": rcv.srv.URL, "secret": "k1"})
	require.Equal(t, http.StatusForbidden, r.status, "admins only")
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"secret": "k1"}, "url"},
		{map[string]any{"url": rcv.srv.URL}, "secret"},
		{map[string]any{"url": "gopher://x/", "secret": "k1"}, "url"},
		{map[string]any{"url": rcv.srv.URL, "secret": "k1", "kinds": []string{"ringing"}}, "kinds"},
		{map[string]any{"url": rcv.srv.URL, "secret": "k1", "id": "fromfile"}, "id"},
	} {
		r := e.do("POST", "/api/v1/webhooks", tokRoot, c.body)
		require.GreaterOrEqual(t, r.status, 400, "%v accepted", c.body)
		assert.Equal(t, c.field, r.problem(t).Field, "%v", c.body)
	}

	r = e.do("POST", "/api/v1/webhooks", tokRoot, map[string]any{"id": "crm", "url": rcv.srv.URL, "secret": "k1",
		"lines": []string{"hq/202", "hq/205"}, "kinds": []string{"offering"}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	assert.NotContains(t, string(r.body), "k1", "the secret is never shown")
	r = e.do("GET", "/api/v1/webhooks", tokRoot, nil)
	require.Equal(t, http.StatusOK, r.status)
	var list []webhookView
	r.decode(t, &list)
	require.Len(t, list, 2)
	assert.Equal(t, "crm", list[0].ID)
	assert.Equal(t, "api", list[0].Source)
	assert.Equal(t, "config", list[1].Source)
	assert.NotContains(t, string(r.body), "secret")

	r = e.do("POST", "/api/v1/webhooks/crm/test", tokRoot, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var res attemptResult
	r.decode(t, &res)
	assert.True(t, res.Delivered, "%+v", res)
	require.Len(t, rcv.payloads(), 1)
	assert.Equal(t, webhook.KindTest, rcv.payloads()[0].Kind)

	// A real call: 204 dials 202, which rings.
	e.eventually(10*time.Second, "subscription crm delivering", func() bool {
		_, ok, _ := e.st.WebhookCursor(context.Background(), "crm", "hq")
		return ok
	})
	r = e.do("POST", "/api/v1/lines/hq/204/dial", tokRoot, map[string]any{"to": "202", "ringFirst": false})
	require.Less(t, r.status, 300, "%s", r.body)
	e.eventually(10*time.Second, "offering at hq/202 delivered", func() bool { return len(rcv.payloads()) == 2 })
	p := rcv.payloads()[1]
	assert.Equal(t, webhook.KindOffering, p.Kind)
	assert.Equal(t, "hq/202", p.Line)
	assert.True(t, strings.HasPrefix(p.ID, "hq:"))

	// A receiver that keeps failing: the delivery ends as failed with its error, then a
	// replay delivers it.
	rcv.mu.Lock()
	rcv.status = http.StatusBadGateway
	rcv.mu.Unlock()
	r = e.do("POST", "/api/v1/lines/hq/203/dial", tokSue, map[string]any{"to": "205", "ringFirst": false})
	require.Less(t, r.status, 300, "%s", r.body)
	var failed []failedView
	e.eventually(10*time.Second, "delivery kept as failed", func() bool {
		r := e.do("GET", "/api/v1/webhooks/crm/failed", tokRoot, nil)
		failed = nil
		r.decode(t, &failed)
		return len(failed) == 1
	})
	assert.Contains(t, failed[0].LastError, "502")
	assert.Greater(t, failed[0].Attempts, 1)
	assert.Equal(t, "offering", failed[0].Kind)
	r = e.do("POST", "/api/v1/webhooks/crm/failed/"+failed[0].ID+"/replay", tokRoot, nil)
	require.Equal(t, http.StatusOK, r.status)
	r.decode(t, &res)
	assert.False(t, res.Delivered)
	assert.Equal(t, http.StatusBadGateway, res.Status)
	rcv.mu.Lock()
	rcv.status = 0
	rcv.mu.Unlock()
	r = e.do("POST", "/api/v1/webhooks/crm/failed/"+failed[0].ID+"/replay", tokRoot, nil)
	r.decode(t, &res)
	assert.True(t, res.Delivered, "%+v", res)
	r = e.do("POST", "/api/v1/webhooks/crm/failed/"+failed[0].ID+"/replay", tokRoot, nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, probUnknownWebhook.URI(), r.problem(t).Type)

	r = e.do("GET", "/metrics", "", nil)
	assert.Contains(t, string(r.body), `ctibridge_webhook_deliveries_total{result="delivered",webhook="crm"}`)
	assert.Contains(t, string(r.body), `ctibridge_webhook_deliveries_total{result="failed",webhook="crm"} 1`)

	r = e.do("DELETE", "/api/v1/webhooks/fromfile", tokRoot, nil)
	assert.Equal(t, probWebhookReadOnly.URI(), r.problem(t).Type)
	r = e.do("DELETE", "/api/v1/webhooks/crm", tokRoot, nil)
	require.Equal(t, http.StatusNoContent, r.status)
	r = e.do("DELETE", "/api/v1/webhooks/crm", tokRoot, nil)
	assert.Equal(t, probUnknownWebhook.URI(), r.problem(t).Type)
	assert.Contains(t, e.audit.String(), `"action":"delete_webhook"`)
}

func TestWebhookRESTWithoutDispatcher(t *testing.T) {
	e := newEnv(t, envOpts{})
	r := e.do("GET", "/api/v1/webhooks", tokRoot, nil)
	assert.Equal(t, probNotImplemented.URI(), r.problem(t).Type)
}

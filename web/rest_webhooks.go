package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ctibridge/ctibridge/store"
)

// WebhookAdmin is what the admin REST API needs of the call webhook dispatcher (package
// webhook's Dispatcher), given in Config.Webhooks. Its metrics join the server's /metrics.
type WebhookAdmin interface {
	prometheus.Collector
	// Webhooks lists all subscriptions, secrets blanked.
	Webhooks(ctx context.Context) ([]store.WebhookSubscription, error)
	// FromConfig reports whether a subscription comes from the configuration (read-only).
	FromConfig(id string) bool
	// CreateWebhook validates (*store.WebhookFieldError), refuses a taken ID
	// (store.ErrWebhookExists) and stores a subscription; the result has no secret.
	CreateWebhook(ctx context.Context, w store.WebhookSubscription) (store.WebhookSubscription, error)
	// DeleteWebhook: store.ErrWebhookNotFound, store.ErrWebhookReadOnly.
	DeleteWebhook(ctx context.Context, id string) error
	// TestWebhook and ReplayDelivery make one attempt: the receiver's status (0: none) and
	// what failed ("" when delivered); err when the subscription or delivery is not there.
	TestWebhook(ctx context.Context, id string) (status int, failure string, err error)
	FailedDeliveries(ctx context.Context, id string, limit int) ([]store.FailedDelivery, error)
	ReplayDelivery(ctx context.Context, id, deliveryID string) (status int, failure string, err error)
}

// webhookBody is the body of POST /api/v1/webhooks.
type webhookBody struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Lines  []string `json:"lines"`
	Kinds  []string `json:"kinds"`
	Secret string   `json:"secret"`
}

// webhookView is a subscription as the API shows it: never with its secret.
type webhookView struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Lines   []string  `json:"lines"`
	Kinds   []string  `json:"kinds"`
	Source  string    `json:"source"` // "config" or "api"
	Created time.Time `json:"created,omitzero"`
}

// attemptResult answers a test or a replay.
type attemptResult struct {
	Delivered bool   `json:"delivered"`
	Status    int    `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
}

// failedView is a failed delivery as the API shows it, its body as JSON.
type failedView struct {
	ID           string          `json:"id"`
	PBX          string          `json:"pbx"`
	Kind         string          `json:"kind"`
	Attempts     int             `json:"attempts"`
	LastError    string          `json:"lastError"`
	FirstAttempt time.Time       `json:"firstAttempt"`
	FailedAt     time.Time       `json:"failedAt"`
	Payload      json.RawMessage `json:"payload"`
}

// webhookRoutes adds the call webhook endpoints to the admin group and the dispatcher's
// metrics to /metrics (routes runs once per Server).
func (s *Server) webhookRoutes(admin *gin.RouterGroup) {
	if s.cfg.Webhooks != nil {
		s.metrics.reg.MustRegister(s.cfg.Webhooks)
	}
	admin.GET("/webhooks", s.webhookHandler(s.listWebhooks))
	admin.POST("/webhooks", s.webhookHandler(s.createWebhook))
	admin.DELETE("/webhooks/:id", s.webhookHandler(s.deleteWebhook))
	admin.POST("/webhooks/:id/test", s.webhookHandler(s.testWebhook))
	admin.GET("/webhooks/:id/failed", s.webhookHandler(s.failedDeliveries))
	admin.POST("/webhooks/:id/failed/:delivery/replay", s.webhookHandler(s.replayDelivery))
}

// webhookHandler answers 501 when the bridge runs without a webhook dispatcher.
func (s *Server) webhookHandler(h func(*gin.Context, WebhookAdmin)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Webhooks == nil {
			problem(c, probNotImplemented, "", "this bridge runs without call webhooks")
			return
		}
		h(c, s.cfg.Webhooks)
	}
}

// webhookProblem answers an error of the dispatcher or the store.
func webhookProblem(c *gin.Context, err error) {
	var fe *store.WebhookFieldError
	switch {
	case errors.As(err, &fe):
		problem(c, probBadValue, fe.Field, fe.Error())
	case errors.Is(err, store.ErrWebhookNotFound):
		problem(c, probUnknownWebhook, "", err.Error())
	case errors.Is(err, store.ErrWebhookExists):
		problem(c, probWebhookExists, "id", err.Error())
	case errors.Is(err, store.ErrWebhookReadOnly):
		problem(c, probWebhookReadOnly, "", err.Error()+": change it there")
	default:
		problem(c, probWebhookStore, "", err.Error())
	}
}

func (s *Server) auditWebhook(c *gin.Context, action, target string, err error) {
	p := principalOf(c)
	e := AuditEntry{User: p.Name, Role: p.Role, Remote: c.ClientIP(), Action: action, Target: target, Result: "ok"}
	if err != nil {
		e.Result = err.Error()
	}
	s.audit.record(e)
}

func viewOf(w store.WebhookSubscription, fromConfig bool) webhookView {
	v := webhookView{ID: w.ID, URL: w.URL, Lines: w.Lines, Kinds: w.Kinds, Source: "api", Created: w.Created}
	if fromConfig {
		v.Source = "config"
	}
	if v.Lines == nil {
		v.Lines = []string{}
	}
	if v.Kinds == nil {
		v.Kinds = []string{}
	}
	return v
}

// listWebhooks answers GET /api/v1/webhooks (admin).
func (s *Server) listWebhooks(c *gin.Context, wa WebhookAdmin) {
	subs, err := wa.Webhooks(c.Request.Context())
	if err != nil {
		webhookProblem(c, err)
		return
	}
	out := make([]webhookView, 0, len(subs))
	for _, w := range subs {
		out = append(out, viewOf(w, wa.FromConfig(w.ID)))
	}
	c.JSON(http.StatusOK, out)
}

// createWebhook answers POST /api/v1/webhooks (admin, audited).
func (s *Server) createWebhook(c *gin.Context, wa WebhookAdmin) {
	var b webhookBody
	if !s.bindJSON(c, &b) {
		s.auditWebhook(c, "create_webhook", "", errors.New("bad request body"))
		return
	}
	for _, m := range []struct{ field, v string }{{"url", b.URL}, {"secret", b.Secret}} {
		if m.v == "" {
			s.auditWebhook(c, "create_webhook", b.ID, errors.New("missing "+m.field))
			problem(c, probMissingField, m.field, "give \""+m.field+"\": the receiver's URL and the secret deliveries are signed with")
			return
		}
	}
	w, err := wa.CreateWebhook(c.Request.Context(), store.WebhookSubscription{ID: b.ID, URL: b.URL,
		Lines: b.Lines, Kinds: b.Kinds, Secret: b.Secret})
	s.auditWebhook(c, "create_webhook", w.ID, err)
	if err != nil {
		webhookProblem(c, err)
		return
	}
	c.Header("Location", "/api/v1/webhooks/"+w.ID)
	c.JSON(http.StatusCreated, viewOf(w, false))
}

// deleteWebhook answers DELETE /api/v1/webhooks/{id} (admin, audited).
func (s *Server) deleteWebhook(c *gin.Context, wa WebhookAdmin) {
	err := wa.DeleteWebhook(c.Request.Context(), c.Param("id"))
	s.auditWebhook(c, "delete_webhook", c.Param("id"), err)
	if err != nil {
		webhookProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// testWebhook answers POST /api/v1/webhooks/{id}/test (admin): one signed "test" delivery.
func (s *Server) testWebhook(c *gin.Context, wa WebhookAdmin) {
	status, failure, err := wa.TestWebhook(c.Request.Context(), c.Param("id"))
	if err != nil {
		webhookProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, attemptResult{Delivered: failure == "", Status: status, Error: failure})
}

// failedDeliveries answers GET /api/v1/webhooks/{id}/failed (admin), newest first.
func (s *Server) failedDeliveries(c *gin.Context, wa WebhookAdmin) {
	limit, ok := queryInt(c, "limit", 100, store.MaxFailedDeliveries)
	if !ok {
		return
	}
	fds, err := wa.FailedDeliveries(c.Request.Context(), c.Param("id"), limit)
	if err != nil {
		webhookProblem(c, err)
		return
	}
	out := make([]failedView, 0, len(fds))
	for _, d := range fds {
		out = append(out, failedView{ID: d.ID, PBX: d.PBX, Kind: d.Kind, Attempts: d.Attempts, LastError: d.LastError,
			FirstAttempt: d.FirstAttempt, FailedAt: d.FailedAt, Payload: json.RawMessage(d.Body)})
	}
	c.JSON(http.StatusOK, out)
}

// replayDelivery answers POST /api/v1/webhooks/{id}/failed/{delivery}/replay (admin,
// audited): one attempt; a delivered one leaves the failed list.
func (s *Server) replayDelivery(c *gin.Context, wa WebhookAdmin) {
	status, failure, err := wa.ReplayDelivery(c.Request.Context(), c.Param("id"), c.Param("delivery"))
	if err == nil && failure != "" {
		err = errors.New(failure)
	}
	s.auditWebhook(c, "replay_webhook_delivery", c.Param("id")+" "+c.Param("delivery"), err)
	if err != nil && failure == "" {
		webhookProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, attemptResult{Delivered: failure == "", Status: status, Error: failure})
}

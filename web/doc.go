// Package web is the bridge's client side: the WebSocket protocol v1 (docs/websocket.md), the
// REST API for CRMs (/api/v1, described by openapi.json: lines, calls, call control, the call
// history, PBX links, webhook subscriptions), CORS for browser CRMs, numbers in E.164 through
// each PBX's numbering plan, bearer-token auth with line ACLs, Prometheus metrics, health
// endpoints, alert webhooks, the audit log and the embedded attendant console (web/static).
// Problem responses follow RFC 9457 with one catalogue of types (problems.go, docs/errors.md).
// It talks to the engine only through cti.Service, and to the webhook deliverers through
// WebhookAdmin.
package web

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// Alert kinds posted to the webhooks.
const (
	AlertLinkDown      = "link_down"
	AlertSwitchover    = "switchover"
	AlertBothNodesDown = "both_nodes_down"
	AlertResyncDone    = "resync_completed"
	// A degraded link is not in the log (its owner cannot write there): these two come from
	// this instance's own view of its links (watchDegraded).
	AlertLinkDegraded  = "link_degraded"
	AlertLinkRecovered = "link_recovered"
)

// Alert is the JSON body POSTed to each alert webhook.
type Alert struct {
	Kind     string      `json:"kind"`
	PBX      string      `json:"pbx"`
	Instance string      `json:"instance"`
	Time     time.Time   `json:"time"`
	Summary  string      `json:"summary"`
	Event    *tapi.Event `json:"event,omitempty"` // the BRIDGE_* event that raised it (log alerts)
	// Reason and Since are those of a degraded link (link_degraded; link_recovered repeats
	// them for the degradation that ended).
	Reason string     `json:"reason,omitempty"`
	Since  *time.Time `json:"since,omitempty"`
	// Epoch and Offset are the log position of the event, or for link_degraded and
	// link_recovered the last this instance had seen.
	Epoch  string `json:"epoch"`
	Offset uint64 `json:"offset"`
}

// alerter turns BRIDGE_* events into alerts and delivers them to the webhooks with retries,
// from one goroutine that the Server owns. Only the instance owning a PBX's link alerts for
// it, so a multi-instance deployment sends each alert once.
type alerter struct {
	s       *Server
	client  *http.Client
	log     *logrus.Entry
	queue   chan Alert
	mu      sync.Mutex
	nodesUp map[string]map[string]bool // pbx -> node -> up
}

// alertQueue bounds alerts waiting for delivery; when full, the oldest pending are kept and
// new ones logged and dropped, so that a dead webhook cannot grow memory.
const alertQueue = 256

func newAlerter(s *Server) *alerter {
	return &alerter{s: s, client: &http.Client{Timeout: 10 * time.Second}, log: s.log.WithField("component", "alerts"),
		queue: make(chan Alert, alertQueue), nodesUp: map[string]map[string]bool{}}
}

// observe is a hub sink: it sees every entry of a PBX once.
func (a *alerter) observe(e *store.Entry) {
	ev := &e.Event
	var kind, summary string
	switch ev.Type {
	case tapi.BridgeSwitchover:
		a.s.metrics.switchovers.WithLabelValues(e.PBX).Inc()
		kind = AlertSwitchover
		summary = fmt.Sprintf("PBX %s switched from %s to %s: %s", e.PBX, ev.Switch.From, ev.Switch.To, ev.Switch.Reason)
	case tapi.BridgeLinkStatus:
		a.mu.Lock()
		nodes := a.nodesUp[e.PBX]
		if nodes == nil {
			nodes = map[string]bool{}
			a.nodesUp[e.PBX] = nodes
		}
		wasUp := nodes[ev.Link.Node]
		_, known := nodes[ev.Link.Node]
		nodes[ev.Link.Node] = ev.Link.Status == "up"
		bothDown := len(nodes) >= 2
		for _, up := range nodes {
			bothDown = bothDown && !up
		}
		a.mu.Unlock()
		if ev.Link.Status != "down" || (known && !wasUp) {
			return // only a transition to down alerts
		}
		kind = AlertLinkDown
		summary = fmt.Sprintf("PBX %s %s node %s is down: %s", e.PBX, ev.Link.Node, ev.Link.Address, ev.Link.Reason)
		if bothDown {
			a.enqueue(Alert{Kind: AlertBothNodesDown, PBX: e.PBX, Event: copyEvent(*ev), Epoch: e.Epoch, Offset: e.Offset,
				Summary: fmt.Sprintf("PBX %s: both nodes are down; lines are out of service", e.PBX)})
		}
	case tapi.BridgeResync:
		if ev.Resync.Phase != "completed" {
			return
		}
		kind = AlertResyncDone
		summary = fmt.Sprintf("PBX %s %s resync completed in %d ms: %d lines, %d calls", e.PBX,
			ev.Resync.Mode, ev.Resync.DurationMs, ev.Resync.Lines, ev.Resync.Calls)
	default:
		return
	}
	a.enqueue(Alert{Kind: kind, PBX: e.PBX, Event: copyEvent(*ev), Epoch: e.Epoch, Offset: e.Offset, Summary: summary})
}

// copyEvent returns a copy of e for an alert. observe sees every entry and alerts on few: taking
// the address of its own copy would move that copy to the heap for every entry.
func copyEvent(e tapi.Event) *tapi.Event { return &e }

// degradedPoll is how often watchDegraded looks at the links.
const degradedPoll = time.Second

// watchDegraded polls the engine's links and alerts when one becomes degraded on this
// instance (its store writes kept failing: it gave the link up and cannot log why) and when
// it recovers, until ctx ends. Every instance alerts for its own degradation.
func (a *alerter) watchDegraded(ctx context.Context) {
	t := time.NewTicker(degradedPoll)
	defer t.Stop()
	was := map[string]cti.LinkInfo{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.checkDegraded(was)
		}
	}
}

// checkDegraded alerts for the links whose degradation began or ended since was, which it
// updates.
func (a *alerter) checkDegraded(was map[string]cti.LinkInfo) {
	for _, li := range a.s.svc.Links() {
		prev := was[li.PBX]
		was[li.PBX] = li
		al := Alert{PBX: li.PBX}
		switch {
		case prev.Degraded == "" && li.Degraded != "":
			al.Kind, al.Reason, al.Since = AlertLinkDegraded, li.Degraded, li.DegradedSince
			al.Summary = fmt.Sprintf("PBX %s: instance %s gave the link up, its store writes keep failing: %s",
				li.PBX, a.s.svc.InstanceID(), li.Degraded)
		case prev.Degraded != "" && li.Degraded == "":
			al.Kind, al.Reason, al.Since = AlertLinkRecovered, prev.Degraded, prev.DegradedSince
			owner := "this instance owns the link again"
			if !li.OwnedHere {
				owner = "link owner: " + li.Owner
				if li.Owner == "" {
					owner = "no owner yet"
				}
			}
			al.Summary = fmt.Sprintf("PBX %s: instance %s is no longer degraded (%s)", li.PBX, a.s.svc.InstanceID(), owner)
		default:
			continue
		}
		if h := a.s.hubs[li.PBX]; h != nil {
			h.mu.Lock()
			al.Epoch, al.Offset = h.pos.Epoch, h.pos.Offset
			h.mu.Unlock()
		}
		a.log.WithField("pbx", li.PBX).WithField("kind", al.Kind).Warn(al.Summary)
		a.send(al)
	}
}

// enqueue queues an alert raised by the log, which only the owner of the PBX's link sends.
func (a *alerter) enqueue(al Alert) {
	if !a.ownsPBX(al.PBX) {
		return
	}
	a.send(al)
}

// send queues an alert for delivery.
func (a *alerter) send(al Alert) {
	if len(a.s.cfg.AlertWebhooks) == 0 {
		return
	}
	al.Instance = a.s.svc.InstanceID()
	al.Time = time.Now().UTC()
	select {
	case a.queue <- al:
	default:
		a.log.WithField("pbx", al.PBX).WithField("kind", al.Kind).Error("alert queue full; alert dropped")
		a.s.metrics.alertsSent.WithLabelValues("dropped").Inc()
	}
}

// ownsPBX reports whether this instance holds the PBX's link (or nobody does).
func (a *alerter) ownsPBX(pbx string) bool {
	for _, li := range a.s.svc.Links() {
		if li.PBX == pbx {
			return li.OwnedHere || li.Owner == ""
		}
	}
	return true
}

// run delivers queued alerts until ctx ends.
func (a *alerter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case al := <-a.queue:
			body, err := json.Marshal(al)
			if err != nil {
				a.log.WithError(err).Error("alert not encodable")
				continue
			}
			for _, url := range a.s.cfg.AlertWebhooks {
				if err := a.deliver(ctx, url, body); err != nil {
					a.s.metrics.alertsSent.WithLabelValues("failed").Inc()
					a.log.WithError(err).WithField("webhook", url).WithField("kind", al.Kind).Error("alert not delivered")
				} else {
					a.s.metrics.alertsSent.WithLabelValues("delivered").Inc()
				}
			}
		}
	}
}

// deliver POSTs body, retrying on transport errors and non-2xx answers with doubling delays.
func (a *alerter) deliver(ctx context.Context, url string, body []byte) error {
	retry := backoff.Policy{Min: a.s.cfg.AlertBackoff, Jitter: backoff.None}
	var last error
	for attempt := 0; attempt <= a.s.cfg.AlertRetries; attempt++ {
		if attempt > 0 && !backoff.Sleep(ctx, retry.Wait(attempt)) {
			return ctx.Err()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := a.client.Do(req)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return nil
		}
		last = fmt.Errorf("webhook answered %s", resp.Status)
	}
	return fmt.Errorf("after %d attempts: %w", a.s.cfg.AlertRetries+1, last)
}

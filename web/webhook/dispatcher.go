package webhook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
)

// Dispatcher delivers the call webhooks of this instance's share of subscriptions and PBXs
// (those whose leases it holds) and serves the admin API's requests.
type Dispatcher struct {
	cfg     Config
	st      store.Store
	ws      store.WebhookStore
	log     *logrus.Entry
	metrics *metrics
	fromCfg map[string]store.WebhookSubscription

	nudge chan struct{} // asks Run to re-read the subscriptions now

	mu      sync.Mutex
	workers map[pairKey]*worker
}

type pairKey struct{ id, pbx string }

// worker delivers one subscription's events of one PBX while it holds their lease.
type worker struct {
	sub  store.WebhookSubscription
	stop context.CancelFunc
	done chan struct{}
}

// New checks cfg's subscriptions and returns a Dispatcher on st, which must also be a
// store.WebhookStore (both implementations are).
func New(st store.Store, cfg Config) (*Dispatcher, error) {
	ws, ok := st.(store.WebhookStore)
	if !ok {
		return nil, fmt.Errorf("webhook: store %T does not keep webhook state (store.WebhookStore)", st)
	}
	if cfg.Owner == "" {
		return nil, errors.New("webhook: Config.Owner (the instance ID) is empty")
	}
	cfg.applyDefaults()
	d := &Dispatcher{cfg: cfg, st: st, ws: ws, log: cfg.Logger, metrics: newMetrics(),
		fromCfg: map[string]store.WebhookSubscription{}, nudge: make(chan struct{}, 1), workers: map[pairKey]*worker{}}
	for i, w := range cfg.Subscriptions {
		if err := Validate(w); err != nil {
			return nil, fmt.Errorf("webhook subscription %d: %w", i, err)
		}
		if _, dup := d.fromCfg[w.ID]; dup {
			return nil, fmt.Errorf("webhook subscription %d: id %q used twice", i, w.ID)
		}
		d.fromCfg[w.ID] = w
	}
	return d, nil
}

// Run keeps one worker per subscription and PBX until ctx ends, re-reading the stored
// subscriptions every Refresh (and at once after a change through this instance's API).
// When ctx ends the workers stop and release their leases.
func (d *Dispatcher) Run(ctx context.Context) error {
	defer d.stopAll()
	t := time.NewTicker(d.cfg.Refresh)
	defer t.Stop()
	for {
		if err := d.reconcile(ctx); err != nil && ctx.Err() == nil {
			d.log.WithError(err).Warn("webhook: subscriptions not readable from the store; keeping the current ones")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.nudge:
		}
	}
}

// reconcile starts workers for new subscription/PBX pairs and stops those of removed ones.
func (d *Dispatcher) reconcile(ctx context.Context) error {
	subs, err := d.subscriptions(ctx)
	if err != nil {
		return err
	}
	want := map[pairKey]store.WebhookSubscription{}
	for _, w := range subs {
		for _, pbx := range d.cfg.PBXs {
			if wantsPBX(&w, pbx) {
				want[pairKey{w.ID, pbx}] = w
			}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, wk := range d.workers {
		if _, ok := want[k]; !ok || want[k].URL != wk.sub.URL || want[k].Secret != wk.sub.Secret {
			wk.stop()
			<-wk.done
			delete(d.workers, k)
		}
	}
	for k, w := range want {
		if _, ok := d.workers[k]; ok || ctx.Err() != nil {
			continue
		}
		wctx, stop := context.WithCancel(ctx)
		wk := &worker{sub: w, stop: stop, done: make(chan struct{})}
		d.workers[k] = wk
		go func() {
			defer close(wk.done)
			d.runPair(wctx, &wk.sub, k.pbx)
		}()
	}
	return nil
}

func (d *Dispatcher) stopAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, wk := range d.workers {
		wk.stop()
		<-wk.done
		delete(d.workers, k)
	}
}

func (d *Dispatcher) poke() {
	select {
	case d.nudge <- struct{}{}:
	default:
	}
}

// subscriptions returns the configuration's and the store's subscriptions, ordered by ID.
func (d *Dispatcher) subscriptions(ctx context.Context) ([]store.WebhookSubscription, error) {
	stored, err := d.ws.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.WebhookSubscription, 0, len(stored)+len(d.fromCfg))
	for _, w := range d.fromCfg {
		out = append(out, w)
	}
	for _, w := range stored {
		if _, shadowed := d.fromCfg[w.ID]; !shadowed {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b store.WebhookSubscription) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (d *Dispatcher) subscription(ctx context.Context, id string) (store.WebhookSubscription, error) {
	subs, err := d.subscriptions(ctx)
	if err != nil {
		return store.WebhookSubscription{}, err
	}
	for _, w := range subs {
		if w.ID == id {
			return w, nil
		}
	}
	return store.WebhookSubscription{}, fmt.Errorf("webhook %q: %w", id, store.ErrWebhookNotFound)
}

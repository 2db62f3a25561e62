package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ctibridge/ctibridge/store"
)

var _ store.WebhookStore = (*Store)(nil)

// webhookState is the call webhook state of a Store (store.WebhookStore).
type webhookState struct {
	mu      sync.Mutex
	subs    map[string]store.WebhookSubscription
	cursors map[string]store.Position         // by id + "\x00" + pbx
	tokens  map[string]uint64                 // the lease token of each cursor's last SaveWebhookCursor
	failed  map[string][]store.FailedDelivery // by subscription, oldest first
}

func (s *Store) webhooks() *webhookState {
	s.whOnce.Do(func() {
		s.wh = &webhookState{subs: map[string]store.WebhookSubscription{},
			cursors: map[string]store.Position{}, tokens: map[string]uint64{}, failed: map[string][]store.FailedDelivery{}}
	})
	return s.wh
}

func checkWebhookID(id string) error {
	if id == "" {
		return fmt.Errorf("memory store: empty webhook subscription ID")
	}
	return nil
}

// PutWebhook stores a subscription, replacing one with the same ID.
func (s *Store) PutWebhook(ctx context.Context, w store.WebhookSubscription) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkWebhookID(w.ID); err != nil {
		return err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	w.Lines, w.Kinds = slices.Clone(w.Lines), slices.Clone(w.Kinds)
	wh.subs[w.ID] = w
	return nil
}

// Webhooks returns the stored subscriptions ordered by ID.
func (s *Store) Webhooks(ctx context.Context) ([]store.WebhookSubscription, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	out := make([]store.WebhookSubscription, 0, len(wh.subs))
	for _, w := range wh.subs {
		w.Lines, w.Kinds = slices.Clone(w.Lines), slices.Clone(w.Kinds)
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b store.WebhookSubscription) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteWebhook removes a subscription, its cursors and its failed deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	if _, ok := wh.subs[id]; !ok {
		return fmt.Errorf("memory store: webhook %q: %w", id, store.ErrWebhookNotFound)
	}
	delete(wh.subs, id)
	delete(wh.failed, id)
	for k := range wh.cursors {
		if strings.HasPrefix(k, id+"\x00") {
			delete(wh.cursors, k)
			delete(wh.tokens, k)
		}
	}
	return nil
}

// WebhookCursor returns the saved cursor of a subscription and PBX.
func (s *Store) WebhookCursor(ctx context.Context, id, pbx string) (store.Position, bool, error) {
	if err := s.ready(ctx); err != nil {
		return store.Position{}, false, err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	p, ok := wh.cursors[id+"\x00"+pbx]
	return p, ok, nil
}

// cursorArgs checks the store and the names of a cursor to write.
func (s *Store) cursorArgs(ctx context.Context, id, pbx string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkWebhookID(id); err != nil {
		return err
	}
	return checkPBX(pbx)
}

// SetWebhookCursor saves the cursor of a subscription and PBX.
func (s *Store) SetWebhookCursor(ctx context.Context, id, pbx string, p store.Position) error {
	if err := s.cursorArgs(ctx, id, pbx); err != nil {
		return err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	wh.cursors[id+"\x00"+pbx] = p
	return nil
}

// SaveWebhookCursor saves a deliverer's cursor unless one was saved under a higher lease token.
func (s *Store) SaveWebhookCursor(ctx context.Context, id, pbx string, p store.Position, fence store.Fence) error {
	if err := s.cursorArgs(ctx, id, pbx); err != nil {
		return err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	k := id + "\x00" + pbx
	if t := wh.tokens[k]; fence.Token < t {
		return fmt.Errorf("memory store: webhook cursor of %s %s by %s (token %d; saved under %d): %w",
			id, pbx, fence.Owner, fence.Token, t, store.ErrFenced)
	}
	wh.cursors[k], wh.tokens[k] = p, fence.Token
	return nil
}

// AddFailedDelivery keeps a failed delivery, at most store.MaxFailedDeliveries per
// subscription.
func (s *Store) AddFailedDelivery(ctx context.Context, d store.FailedDelivery) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkWebhookID(d.Subscription); err != nil {
		return err
	}
	if d.ID == "" {
		return fmt.Errorf("memory store: failed delivery of %q without an ID", d.Subscription)
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	d.Body = slices.Clone(d.Body)
	l := slices.DeleteFunc(wh.failed[d.Subscription], func(x store.FailedDelivery) bool { return x.ID == d.ID })
	l = append(l, d)
	if n := len(l) - store.MaxFailedDeliveries; n > 0 {
		l = slices.Delete(l, 0, n)
	}
	wh.failed[d.Subscription] = l
	return nil
}

// FailedDeliveries returns a subscription's failed deliveries, newest first.
func (s *Store) FailedDeliveries(ctx context.Context, id string, limit int) ([]store.FailedDelivery, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, fmt.Errorf("memory store: failed deliveries of %q: negative limit %d", id, limit)
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	l := wh.failed[id]
	out := make([]store.FailedDelivery, 0, len(l))
	for i := len(l) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		d := l[i]
		d.Body = slices.Clone(d.Body)
		out = append(out, d)
	}
	return out, nil
}

// FailedDelivery returns one failed delivery.
func (s *Store) FailedDelivery(ctx context.Context, id, deliveryID string) (store.FailedDelivery, error) {
	if err := s.ready(ctx); err != nil {
		return store.FailedDelivery{}, err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	for _, d := range wh.failed[id] {
		if d.ID == deliveryID {
			d.Body = slices.Clone(d.Body)
			return d, nil
		}
	}
	return store.FailedDelivery{}, fmt.Errorf("memory store: failed delivery %q of %q: %w", deliveryID, id, store.ErrWebhookNotFound)
}

// RemoveFailedDelivery forgets a failed delivery.
func (s *Store) RemoveFailedDelivery(ctx context.Context, id, deliveryID string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	wh := s.webhooks()
	wh.mu.Lock()
	defer wh.mu.Unlock()
	wh.failed[id] = slices.DeleteFunc(wh.failed[id], func(x store.FailedDelivery) bool { return x.ID == deliveryID })
	return nil
}

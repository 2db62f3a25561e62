package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
)

var _ store.WebhookStore = (*Store)(nil)

// Call webhook keys carry the hash tag "{webhooks}": few and small, they share one slot so
// that a subscription's keys change together (DeleteWebhook, addFailedScript) on Cluster.
func (s *Store) whKey(parts ...string) string {
	return s.opts.KeyPrefix + ":{webhooks}:" + strings.Join(parts, ":")
}

func (s *Store) whSubs() string                { return s.whKey("subs") }
func (s *Store) whCursors(id string) string    { return s.whKey("cursor", id) }
func (s *Store) whTokens(id string) string     { return s.whKey("cursortoken", id) }
func (s *Store) whFailed(id string) string     { return s.whKey("failed", id) }
func (s *Store) whFailedTime(id string) string { return s.whKey("failedtime", id) }

func checkWebhookID(id string) error {
	if id == "" {
		return fmt.Errorf("redisstore: empty webhook subscription ID")
	}
	return nil
}

// PutWebhook stores a subscription, replacing one with the same ID.
func (s *Store) PutWebhook(ctx context.Context, w store.WebhookSubscription) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := checkWebhookID(w.ID); err != nil {
		return err
	}
	js, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("redisstore: encode webhook %q: %w", w.ID, err)
	}
	if err := s.client.HSet(ctx, s.whSubs(), w.ID, js).Err(); err != nil {
		return s.fail("put webhook", w.ID, err)
	}
	return nil
}

// Webhooks returns the stored subscriptions ordered by ID.
func (s *Store) Webhooks(ctx context.Context) ([]store.WebhookSubscription, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	m, err := s.client.HGetAll(ctx, s.whSubs()).Result()
	if err != nil {
		return nil, s.fail("list webhooks", "", err)
	}
	out := make([]store.WebhookSubscription, 0, len(m))
	for id, js := range m {
		var w store.WebhookSubscription
		if err := json.Unmarshal([]byte(js), &w); err != nil {
			return nil, fmt.Errorf("redisstore: webhook %q: decode stored subscription: %w", id, err)
		}
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b store.WebhookSubscription) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteWebhook removes a subscription, its cursors and its failed deliveries in one
// transaction.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	var removed *redis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.HDel(ctx, s.whSubs(), id)
		p.Del(ctx, s.whCursors(id), s.whTokens(id), s.whFailed(id), s.whFailedTime(id))
		return nil
	})
	if err != nil {
		return s.fail("delete webhook", id, err)
	}
	if removed.Val() == 0 {
		return fmt.Errorf("redisstore: webhook %q: %w", id, store.ErrWebhookNotFound)
	}
	return nil
}

// WebhookCursor returns the saved cursor of a subscription and PBX.
func (s *Store) WebhookCursor(ctx context.Context, id, pbx string) (store.Position, bool, error) {
	if err := s.begin(ctx); err != nil {
		return store.Position{}, false, err
	}
	js, err := s.client.HGet(ctx, s.whCursors(id), pbx).Result()
	if err == redis.Nil {
		return store.Position{}, false, nil
	}
	if err != nil {
		return store.Position{}, false, s.fail("webhook cursor of", id+" "+pbx, err)
	}
	var p store.Position
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return store.Position{}, false, fmt.Errorf("redisstore: webhook cursor of %s %s: decode: %w", id, pbx, err)
	}
	return p, true, nil
}

// cursorArgs checks the store and the names of a cursor to write and encodes it.
func (s *Store) cursorArgs(ctx context.Context, id, pbx string, p store.Position) ([]byte, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if err := checkWebhookID(id); err != nil {
		return nil, err
	}
	if err := checkPBX(pbx); err != nil {
		return nil, err
	}
	js, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("redisstore: encode webhook cursor: %w", err)
	}
	return js, nil
}

// SetWebhookCursor saves the cursor of a subscription and PBX.
func (s *Store) SetWebhookCursor(ctx context.Context, id, pbx string, p store.Position) error {
	js, err := s.cursorArgs(ctx, id, pbx, p)
	if err != nil {
		return err
	}
	if err := s.client.HSet(ctx, s.whCursors(id), pbx, js).Err(); err != nil {
		return s.fail("set webhook cursor of", id+" "+pbx, err)
	}
	return nil
}

// SaveWebhookCursor saves a deliverer's cursor unless one was saved under a higher lease token.
func (s *Store) SaveWebhookCursor(ctx context.Context, id, pbx string, p store.Position, fence store.Fence) error {
	js, err := s.cursorArgs(ctx, id, pbx, p)
	if err != nil {
		return err
	}
	token := strconv.FormatUint(fence.Token, 10)
	v, err := saveCursorScript.Run(ctx, s.client, []string{s.whCursors(id), s.whTokens(id)}, pbx, js, token).Result()
	if err != nil {
		return s.fail("save webhook cursor of", id+" "+pbx, err)
	}
	if saved, _ := replyString(v); saved != token {
		return fmt.Errorf("redisstore: webhook cursor of %s %s by %s (token %d; saved under %s): %w",
			id, pbx, fence.Owner, fence.Token, saved, store.ErrFenced)
	}
	return nil
}

// saveCursorScript writes a webhook cursor (KEYS[1] cursors, KEYS[2] their tokens, field
// ARGV[1]) as ARGV[2] under lease token ARGV[3], unless a higher token saved it; it returns
// the token the cursor is now saved under. Tokens are compared as numbers of equal length
// first (Lua's numbers lose precision above 2^53).
var saveCursorScript = redis.NewScript(`
local t = redis.call('HGET', KEYS[2], ARGV[1])
if t and (#t > #ARGV[3] or (#t == #ARGV[3] and t > ARGV[3])) then return t end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return ARGV[3]
`)

// addFailedScript stores a failed delivery (KEYS[1] hash by delivery ID, KEYS[2] sorted set
// by failure time) and drops the oldest beyond ARGV[4].
var addFailedScript = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local n = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if n > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, n - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
return 1`)

// AddFailedDelivery keeps a failed delivery, at most store.MaxFailedDeliveries per
// subscription.
func (s *Store) AddFailedDelivery(ctx context.Context, d store.FailedDelivery) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := checkWebhookID(d.Subscription); err != nil {
		return err
	}
	if d.ID == "" {
		return fmt.Errorf("redisstore: failed delivery of %q without an ID", d.Subscription)
	}
	js, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("redisstore: encode failed delivery: %w", err)
	}
	err = addFailedScript.Run(ctx, s.client, []string{s.whFailed(d.Subscription), s.whFailedTime(d.Subscription)},
		d.ID, js, d.FailedAt.UnixMicro(), store.MaxFailedDeliveries).Err()
	if err != nil {
		return s.fail("add failed delivery of", d.Subscription, err)
	}
	return nil
}

// FailedDeliveries returns a subscription's failed deliveries, newest first.
func (s *Store) FailedDeliveries(ctx context.Context, id string, limit int) ([]store.FailedDelivery, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, fmt.Errorf("redisstore: failed deliveries of %q: negative limit %d", id, limit)
	}
	ids, err := s.client.ZRevRange(ctx, s.whFailedTime(id), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, s.fail("failed deliveries of", id, err)
	}
	if len(ids) == 0 {
		return []store.FailedDelivery{}, nil
	}
	vals, err := s.client.HMGet(ctx, s.whFailed(id), ids...).Result()
	if err != nil {
		return nil, s.fail("failed deliveries of", id, err)
	}
	out := make([]store.FailedDelivery, 0, len(vals))
	for _, v := range vals {
		js, ok := v.(string)
		if !ok { // removed between the two reads
			continue
		}
		var d store.FailedDelivery
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return nil, fmt.Errorf("redisstore: failed delivery of %q: decode: %w", id, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// FailedDelivery returns one failed delivery.
func (s *Store) FailedDelivery(ctx context.Context, id, deliveryID string) (store.FailedDelivery, error) {
	if err := s.begin(ctx); err != nil {
		return store.FailedDelivery{}, err
	}
	js, err := s.client.HGet(ctx, s.whFailed(id), deliveryID).Result()
	if err == redis.Nil {
		return store.FailedDelivery{}, fmt.Errorf("redisstore: failed delivery %q of %q: %w", deliveryID, id, store.ErrWebhookNotFound)
	}
	if err != nil {
		return store.FailedDelivery{}, s.fail("failed delivery of", id, err)
	}
	var d store.FailedDelivery
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		return store.FailedDelivery{}, fmt.Errorf("redisstore: failed delivery %q of %q: decode: %w", deliveryID, id, err)
	}
	return d, nil
}

// RemoveFailedDelivery forgets a failed delivery.
func (s *Store) RemoveFailedDelivery(ctx context.Context, id, deliveryID string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, s.whFailed(id), deliveryID)
		p.ZRem(ctx, s.whFailedTime(id), deliveryID)
		return nil
	})
	if err != nil {
		return s.fail("remove failed delivery of", id, err)
	}
	return nil
}

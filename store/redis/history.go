package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// historyTrimAllowance is how many records one Apply may trim beyond the number it writes, so
// that a history over its bounds (lowered options, an idle PBX's aged records) shrinks a
// bounded step per write.
const historyTrimAllowance = 100

// registerHistory adds pbx to the set of PBXs with call records, once per epoch of this
// Store: a new epoch may mean Redis lost its data, the set included. A failure is retried
// with the next record written; History misses the PBX until then unless asked for it.
func (s *Store) registerHistory(ctx context.Context, pbx, epoch string) {
	s.seenMu.Lock()
	done := s.histPBX[pbx] == epoch
	s.seenMu.Unlock()
	if done {
		return
	}
	if err := s.client.SAdd(ctx, historyPBXs(s.opts.KeyPrefix), pbx).Err(); err != nil {
		return
	}
	s.seenMu.Lock()
	s.histPBX[pbx] = epoch
	s.seenMu.Unlock()
}

// Journal returns a line's finished calls, newest first: History with a line filter.
func (s *Store) Journal(ctx context.Context, line string, skip, limit int) ([]store.JournalEntry, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if _, err := linePBX(line); err != nil {
		return nil, err
	}
	return store.JournalFromHistory(ctx, s.History, line, skip, limit)
}

// History answers q (store.RunHistory), reading at most Options.HistoryScan index members
// per PBX.
func (s *Store) History(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error) {
	if err := s.begin(ctx); err != nil {
		return store.HistoryPage{}, err
	}
	for _, p := range q.PBXs {
		if err := checkPBX(p); err != nil {
			return store.HistoryPage{}, fmt.Errorf("%w: %v", store.ErrBadQuery, err)
		}
	}
	return store.RunHistory(ctx, backend{s}, q, time.Now(), s.opts.HistoryMaxAge, s.opts.HistoryScan)
}

// CallRecord returns the newest record of a call.
func (s *Store) CallRecord(ctx context.Context, pbx string, handle tapi.CallHandle) (store.JournalEntry, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return store.JournalEntry{}, err
	}
	m, err := s.client.HGet(ctx, k.histCalls(), string(handle)).Result()
	if errors.Is(err, redis.Nil) {
		return store.JournalEntry{}, store.ErrNoRecord
	}
	if err != nil {
		return store.JournalEntry{}, s.fail("call record", pbx, err)
	}
	recs, err := backend{s}.FetchHistory(ctx, pbx, []string{m})
	if err != nil {
		return store.JournalEntry{}, err
	}
	if recs[0].ID == "" { // trimmed since
		return store.JournalEntry{}, store.ErrNoRecord
	}
	return recs[0], nil
}

// backend is the Redis store's store.HistoryBackend.
type backend struct{ s *Store }

func (b backend) HistoryPBXs(ctx context.Context) ([]string, error) {
	ps, err := b.s.client.SMembers(ctx, historyPBXs(b.s.opts.KeyPrefix)).Result()
	if err != nil {
		return nil, b.s.fail("history", "", err)
	}
	// A PBX name that could not be written is dropped, never queried.
	return slices.DeleteFunc(ps, func(p string) bool { return checkPBX(p) != nil }), nil
}

func (b backend) ScanHistory(ctx context.Context, pbx, upper, lower string, n int) ([]string, error) {
	max, min := "+", "-"
	if upper != "" {
		max = "(" + upper
	}
	if lower != "" {
		min = "[" + lower
	}
	k := newKeys(b.s.opts.KeyPrefix, pbx)
	ms, err := b.s.client.ZRevRangeByLex(ctx, k.histIndex(), &redis.ZRangeBy{Max: max, Min: min, Count: int64(n)}).Result()
	if err != nil {
		return nil, b.s.fail("history", pbx, err)
	}
	return ms, nil
}

func (b backend) FetchHistory(ctx context.Context, pbx string, members []string) ([]store.JournalEntry, error) {
	out := make([]store.JournalEntry, len(members))
	if len(members) == 0 {
		return out, nil
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = store.IndexID(m)
	}
	k := newKeys(b.s.opts.KeyPrefix, pbx)
	vals, err := b.s.client.HMGet(ctx, k.histRecords(), ids...).Result()
	if err != nil {
		return nil, b.s.fail("history", pbx, err)
	}
	for i, v := range vals {
		js, ok := v.(string)
		if !ok {
			continue // trimmed since the scan
		}
		if err := unmarshalStored([]byte(js), &out[i]); err != nil {
			return nil, fmt.Errorf("redisstore: history %s: decode stored record %s: %w", pbx, ids[i], err)
		}
	}
	return out, nil
}

package memory

import (
	"context"
	"slices"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// subscription is one live feed. Its channel is closed exactly once, by pbx.end, under the
// PBX's mutex; err is written there too and read under the same mutex.
type subscription struct {
	p     *pbx
	ch    chan store.Entry
	err   error
	ended bool
	stop  func() bool // stops the context watcher
}

// Subscribe delivers copies of the entries appended after it returns (one copy of each entry
// for all subscriptions: see fanOut). The subscription ends when ctx ends (Err: the context's
// error), when it falls SubscriberBuffer entries behind (store.ErrSlowSubscriber), when the
// store closes (store.ErrClosed) or by Close (Err: nil).
func (s *Store) Subscribe(ctx context.Context, pbxName string) (store.Subscription, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return nil, err
	}
	sub := &subscription{p: p, ch: make(chan store.Entry, s.opts.SubscriberBuffer)}
	p.mu.Lock()
	if s.closed.Load() { // Close has ended, or will end, only the subscriptions it can see
		p.mu.Unlock()
		return nil, store.ErrClosed
	}
	p.subs = append(p.subs, sub)
	// No goroutine per subscription: the watcher runs (in its own goroutine, so after we
	// unlock) only if ctx ends first.
	sub.stop = context.AfterFunc(ctx, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.end(sub, ctx.Err())
	})
	p.mu.Unlock()
	return sub, nil
}

// end closes sub's channel with err; p.mu must be held.
func (p *pbx) end(sub *subscription, err error) {
	if sub.ended {
		return
	}
	sub.ended, sub.err = true, err
	if i := slices.Index(p.subs, sub); i >= 0 {
		p.subs = slices.Delete(p.subs, i, i+1)
	}
	close(sub.ch)
	if sub.stop != nil {
		sub.stop()
	}
}

// fanOut offers copies of the batch's events, the first at offset first, to every subscriber
// as entries, without blocking; p.mu must be held. A subscriber without room is dropped: it
// resumes by Replay from its last offset.
//
// Each entry's event is copied once, for all subscribers: none of the store's readers changes
// an event it receives (the web hub and alerts, the engine's follower view and its watcher
// only read them), and the store's own copy is the encoded one, which no subscriber can reach.
func (p *pbx) fanOut(evs []tapi.Event, first uint64) {
	subs := p.subs
	if len(subs) == 0 {
		return
	}
	if len(subs) > 64 { // beyond what dropped can mark
		fanOutEach(p, evs, first)
		return
	}
	// The copies' call payloads come from p.slabs: blocks shared by small batches, one array
	// per kind for a large one (tapi.Slabs.Reserve; a small batch's values fit a block, where
	// the slabs put them without it). A subscriber that keeps an event keeps the array it is in.
	if len(evs) > smallFanOut {
		var sizes tapi.SlabSizes
		for k := range evs {
			sizes.Count(&evs[k])
		}
		p.slabs.Reserve(sizes)
	}
	// Subscribers without room are marked in dropped and ended after the batch (end changes
	// p.subs): a copy of the slice per batch cost more than the rare drop.
	var dropped uint64
	e := store.Entry{PBX: p.name, Epoch: p.epoch}
	for k := range evs {
		// Into one entry, field by field: a composite literal per entry was zeroed (296
		// bytes) before the clone was copied into it.
		e.Offset = first + uint64(k)
		p.slabs.CloneEventInto(&e.Event, &evs[k])
		for i, sub := range subs {
			if dropped&(1<<i) != 0 {
				continue
			}
			select {
			case sub.ch <- e:
			default:
				dropped |= 1 << i
			}
		}
		if dropped == 1<<len(subs)-1 { // all dropped: no one to copy the rest for
			break
		}
	}
	for i := len(subs) - 1; dropped != 0 && i >= 0; i-- { // from the end: end deletes from p.subs
		if dropped&(1<<i) != 0 {
			p.end(subs[i], store.ErrSlowSubscriber)
		}
	}
}

// smallFanOut is the largest batch that fanOut copies without tapi.Slabs.Reserve: most batches
// at saturation have one to three events.
const smallFanOut = 8

// fanOutEach is fanOut for more subscribers than it can mark, each dropped as it is found.
func fanOutEach(p *pbx, evs []tapi.Event, first uint64) {
	subs := slices.Clone(p.subs) // end changes p.subs
	live := len(subs)
	for k := range evs {
		e := store.Entry{PBX: p.name, Epoch: p.epoch, Offset: first + uint64(k), Event: p.slabs.CloneEvent(&evs[k])}
		for i, sub := range subs {
			if sub == nil {
				continue
			}
			select {
			case sub.ch <- e:
			default:
				p.end(sub, store.ErrSlowSubscriber)
				subs[i] = nil
				live--
			}
		}
		if live == 0 {
			return
		}
	}
}

func (sub *subscription) C() <-chan store.Entry { return sub.ch }

func (sub *subscription) Err() error {
	sub.p.mu.Lock()
	defer sub.p.mu.Unlock()
	return sub.err
}

func (sub *subscription) Close() error {
	sub.p.mu.Lock()
	defer sub.p.mu.Unlock()
	sub.p.end(sub, nil)
	return nil
}

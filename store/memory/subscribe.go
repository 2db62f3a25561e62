package memory

import (
	"context"

	"github.com/ctibridge/ctibridge/store"
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

// Subscribe delivers copies of the entries appended after it returns. The subscription ends
// when ctx ends (Err: the context's error), when it falls SubscriberBuffer entries behind
// (store.ErrSlowSubscriber), when the store closes (store.ErrClosed) or by Close (Err: nil).
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
	p.subs[sub] = struct{}{}
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
	delete(p.subs, sub)
	close(sub.ch)
	if sub.stop != nil {
		sub.stop()
	}
}

// fanOut offers entries to every subscriber without blocking; p.mu must be held. A subscriber
// without room is dropped: it resumes by Replay from its last offset.
func (p *pbx) fanOut(entries []store.Entry) {
	for sub := range p.subs {
		for _, e := range entries {
			select {
			case sub.ch <- cloneEntry(e):
				continue
			default:
				p.end(sub, store.ErrSlowSubscriber)
			}
			break
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

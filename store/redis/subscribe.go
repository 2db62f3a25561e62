package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// fillChunk is how many entries one gap-filling Replay fetches.
const fillChunk = 1000

// subscription follows a PBX's log: live entries arrive by PUB/SUB (one message per Apply,
// through the PBX's feed, which the Store's subscriptions share: feed.go), gaps are filled
// from the stream, and a periodic probe compares the last delivered offset with the stored
// one to recover what a silently dead PUB/SUB connection missed.
type subscription struct {
	s     *Store
	pbx   string
	feed  *feed
	inbox chan *published // from the feed; closed when its connection ends
	ch    chan store.Entry
	ctx   context.Context
	stop  context.CancelCauseFunc
	done  chan struct{}
	epoch string
	last  uint64 // offset of the last entry delivered (or skipped as older than Subscribe)
	// probed is the stored offset the previous probe saw: what PUB/SUB has had a whole
	// interval to deliver.
	probed uint64

	// own is where deliverOwn takes this Store's own events from the local ring, a chunk
	// at a time (the subscription's goroutine's alone).
	own [ownChunk]store.Entry

	mu  sync.Mutex
	err error
}

// ownChunk is how many of its own events a subscription takes from the local ring under one
// lock: the ring's writer waits no longer than that, and the chunk is 19 KB.
const ownChunk = 64

// Subscribe delivers entries appended after the call, in offset order, until ctx ends or the
// subscription fails. A change of the log's epoch ends it with store.ErrEpochChanged.
func (s *Store) Subscribe(ctx context.Context, pbx string) (store.Subscription, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return nil, err
	}
	sub := &subscription{s: s, pbx: pbx, ch: make(chan store.Entry, s.opts.SubscriberBuffer),
		done: make(chan struct{})}
	// Joining waits for Redis's confirmation, so that every entry after the Position below
	// is published to us.
	if err := s.joinFeed(ctx, pbx, k.events(), sub); err != nil {
		return nil, err
	}
	pos, err := s.Position(ctx, pbx)
	if err != nil {
		sub.feed.leave(sub)
		return nil, err
	}
	subCtx, stop := context.WithCancelCause(ctx)
	sub.ctx, sub.stop, sub.epoch, sub.last = subCtx, stop, pos.Epoch, pos.Offset

	s.mu.Lock()
	if s.life.Err() != nil {
		s.mu.Unlock()
		stop(store.ErrClosed)
		sub.feed.leave(sub)
		return nil, store.ErrClosed
	}
	s.workers.Add(1)
	s.mu.Unlock()
	unhook := context.AfterFunc(s.life, func() { stop(store.ErrClosed) })
	go func() { // owned by the subscription: ends with its context (Close, ctx, store Close)
		defer s.workers.Done()
		defer unhook()
		sub.run()
	}()
	return sub, nil
}

func (sub *subscription) C() <-chan store.Entry { return sub.ch }

func (sub *subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

// Close ends the subscription and waits until C is closed.
func (sub *subscription) Close() error {
	sub.stop(store.ErrClosed)
	<-sub.done
	return nil
}

func (sub *subscription) run() {
	defer close(sub.done)
	defer close(sub.ch)
	defer sub.feed.leave(sub)
	probe := time.NewTicker(sub.s.opts.ProbeInterval)
	defer probe.Stop()
	var err error
	for err == nil {
		select {
		case <-sub.ctx.Done():
			err = context.Cause(sub.ctx)
		case p, ok := <-sub.inbox:
			switch {
			case ok:
				err = sub.onMessage(p)
			case sub.s.life.Err() != nil:
				err = store.ErrClosed // Close shut the connection before our context ended
			case sub.ctx.Err() != nil:
				err = context.Cause(sub.ctx)
			default:
				err = fmt.Errorf("redisstore: subscription to %s: PUB/SUB channel closed", sub.pbx)
			}
		case <-probe.C:
			err = sub.probe()
		}
	}
	sub.mu.Lock()
	sub.err = err
	sub.mu.Unlock()
}

// onMessage delivers the entries of one published batch, filling a gap before it first.
func (sub *subscription) onMessage(p *published) error {
	if p.epoch != sub.epoch {
		return fmt.Errorf("redisstore: subscription to %s: log epoch changed from %q to %q: %w",
			sub.pbx, sub.epoch, p.epoch, store.ErrEpochChanged)
	}
	first := p.first
	if first+uint64(p.n)-1 <= sub.last {
		return nil // already delivered by a gap fill
	}
	if first > sub.last+1 {
		if err := sub.fill(first - 1); err != nil {
			if transient(err) {
				return nil // the probe fills this batch from the stream later, in order
			}
			return err
		}
		if sub.last+1 < first {
			return nil // the gap is not readable yet; the probe delivers all of it in order
		}
	}
	from := 0
	if sub.last >= first {
		from = int(sub.last + 1 - first)
	}
	if p.entries != nil {
		return sub.deliverDecoded(p, from)
	}
	return sub.deliverOwn(p, from)
}

// deliverDecoded delivers p's events from index from on, decoded by the feed (resolve).
func (sub *subscription) deliverDecoded(p *published, from int) error {
	for i := from; i < len(p.entries); i++ {
		if err := sub.deliver(&p.entries[i]); err != nil {
			return err
		}
	}
	if len(p.entries) < p.n {
		return fmt.Errorf("redisstore: subscription to %s: %w", sub.pbx, p.err)
	}
	return nil
}

// deliverOwn delivers p's events from index from on, a batch of this Store's: from the local
// ring, a chunk at a time, or, should the ring no longer hold one as published, decoded (the
// text split here if the feed did not).
func (sub *subscription) deliverOwn(p *published, from int) error {
	lines := p.events
	for from < p.n {
		n := sub.s.local.take(sub.pbx, sub.epoch, p, lines, from, sub.own[:])
		for k := range n {
			e := &sub.own[k]
			if e.JSON == nil {
				if lines == nil {
					lines = p.lines()
				}
				d, err := decodeEntry(sub.pbx, sub.epoch, e.Offset, lines[from+k])
				if err != nil {
					return fmt.Errorf("redisstore: subscription to %s: %w", sub.pbx, err)
				}
				*e = d
			}
			if err := sub.deliver(e); err != nil {
				return err
			}
		}
		from += n
	}
	return nil
}

// probe compares the stored position with the last delivered offset and fills what PUB/SUB
// should have delivered by now: the entries stored before the previous probe. Those stored
// since may still be on their way (at thousands of events a second some always are), and
// reading them from the stream as well cost more than the subscription's whole live path.
func (sub *subscription) probe() error {
	pos, err := sub.s.Position(sub.ctx, sub.pbx)
	if err != nil {
		if transient(err) || sub.ctx.Err() != nil {
			return nil // Redis unreachable for now, or ending: the loop sees ctx next
		}
		return err
	}
	switch {
	case pos.Epoch != sub.epoch:
		return fmt.Errorf("redisstore: subscription to %s: log epoch changed from %q to %q: %w",
			sub.pbx, sub.epoch, pos.Epoch, store.ErrEpochChanged)
	case pos.Offset < sub.last:
		// Redis lost writes (e.g. a failover to a lagging replica): offsets will be reused.
		return fmt.Errorf("redisstore: subscription to %s: log went back from offset %d to %d: %w",
			sub.pbx, sub.last, pos.Offset, store.ErrEpochChanged)
	}
	due := min(sub.probed, pos.Offset)
	sub.probed = pos.Offset
	if due > sub.last {
		if err := sub.fill(due); err != nil && !transient(err) {
			return err
		}
	}
	return nil
}

// fill delivers entries from the stream up to offset upto.
func (sub *subscription) fill(upto uint64) error {
	for sub.last < upto {
		n := min(upto-sub.last, fillChunk)
		entries, err := sub.s.Replay(sub.ctx, sub.pbx, sub.epoch, sub.last, int(n))
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil // nothing stored beyond last (yet); the probe looks again
		}
		for i := range entries {
			if entries[i].Offset > upto {
				return nil
			}
			if err := sub.deliver(&entries[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliver hands e to the consumer without ever waiting: a full buffer drops the subscriber.
func (sub *subscription) deliver(e *store.Entry) error {
	select {
	case sub.ch <- *e:
		sub.last = e.Offset
		return nil
	default:
		return fmt.Errorf("redisstore: subscription to %s: %d entries buffered, entry %d: %w",
			sub.pbx, cap(sub.ch), e.Offset, store.ErrSlowSubscriber)
	}
}

// transient reports whether err is worth retrying: a Redis or network failure rather than a
// verdict about the log or the end of the subscription.
func transient(err error) bool {
	for _, final := range []error{store.ErrEpochChanged, store.ErrCursorTooOld, store.ErrClosed,
		store.ErrSlowSubscriber, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, final) {
			return false
		}
	}
	return true
}

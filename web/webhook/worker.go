package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// replayPage is how many log entries one Replay fetches.
const replayPage = 1000

// cursorSaveEvery is how often the cursor is saved while it moves (and when the stream
// stops). Saving after every delivery would cost a store round trip each; this way a
// deliverer killed without warning leaves at most this long of deliveries to be sent again
// by the next one (at least once: receivers deduplicate by id).
const cursorSaveEvery = 100 * time.Millisecond

// runPair delivers subscription w's events of pbx whenever this instance holds their lease,
// until ctx ends.
func (d *Dispatcher) runPair(ctx context.Context, w *store.WebhookSubscription, pbx string) {
	name := store.WebhookLeaseName(w.ID, pbx)
	log := d.log.WithFields(map[string]any{"webhook": w.ID, "pbx": pbx})
	defer d.metrics.queue.DeleteLabelValues(w.ID, pbx)
	for ctx.Err() == nil {
		l, err := d.st.AcquireLease(ctx, name, d.cfg.Owner, d.cfg.LeaseTTL)
		if err != nil {
			if !errors.Is(err, store.ErrLeaseHeld) && ctx.Err() == nil {
				log.WithError(err).Warn("webhook: delivery lease not acquired")
			}
			d.metrics.queue.DeleteLabelValues(w.ID, pbx)
			sleep(ctx, d.cfg.LeaseTTL/3+rand.N(d.cfg.LeaseTTL/6+1))
			continue
		}
		log.WithField("token", l.Token).Debug("webhook: delivering")
		d.whileHeld(ctx, l, func(hctx context.Context) {
			backoff := 50 * time.Millisecond
			for hctx.Err() == nil {
				err := d.follow(hctx, w, pbx, l.Fence())
				if hctx.Err() != nil {
					return
				}
				if errors.Is(err, store.ErrFenced) {
					log.WithError(err).Warn("webhook: another instance took over the deliveries; stopping")
					return
				}
				log.WithError(err).Warn("webhook: event feed interrupted; resuming from the cursor")
				sleep(hctx, backoff)
				backoff = min(2*backoff, 5*time.Second)
			}
		})
	}
}

// whileHeld runs fn with a context that ends when the lease is lost or ctx ends, renewing the
// lease every third of its TTL, and releases the lease afterwards.
func (d *Dispatcher) whileHeld(ctx context.Context, l store.Lease, fn func(context.Context)) {
	hctx, lost := context.WithCancel(ctx)
	defer lost()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		defer lost()
		t := time.NewTicker(d.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
			}
			rctx, cancel := context.WithTimeout(hctx, d.cfg.LeaseTTL/3)
			nl, err := d.st.RenewLease(rctx, l, d.cfg.LeaseTTL)
			cancel()
			if err != nil {
				if hctx.Err() == nil {
					d.log.WithError(err).WithField("lease", l.PBX).Warn("webhook: delivery lease lost; stopping")
				}
				return
			}
			l = nl
		}
	}()
	fn(hctx)
	lost()
	<-renewed
	// Hand over at once on a graceful stop (the lease is only released if still ours).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = d.st.ReleaseLease(rctx, l)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// stream is the state of one follow: where delivery stands and what it knows of the calls.
type stream struct {
	w      *store.WebhookSubscription
	pbx    string
	fence  store.Fence // the delivery lease: cursor saves are fenced by its token
	cur    store.Position
	head   uint64 // newest offset known to be in the log
	calls  calls
	agents agents
	saved  store.Position
	savedT time.Time
}

// follow delivers from the stored cursor on: it subscribes first (so nothing appended
// meanwhile is missed), replays the log after the cursor, then handles live entries. It
// returns when the subscription ends or a delivery could not be finished.
func (d *Dispatcher) follow(ctx context.Context, w *store.WebhookSubscription, pbx string, fence store.Fence) error {
	sub, err := d.st.Subscribe(ctx, pbx)
	if err != nil {
		return err
	}
	defer sub.Close()
	s := &stream{w: w, pbx: pbx, fence: fence, calls: calls{}, agents: agents{}}
	if err := d.start(ctx, s); err != nil {
		return err
	}
	defer func() {
		if s.cur != s.saved { // best effort: a moved cursor saves some repeats after a takeover
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = d.ws.SaveWebhookCursor(sctx, w.ID, pbx, s.cur, fence)
		}
	}()
	if err := d.catchUp(ctx, s); err != nil {
		return err
	}
	return d.live(ctx, s, sub)
}

// live handles the subscription's entries as they come, saving the cursor cursorSaveEvery
// after it moved.
func (d *Dispatcher) live(ctx context.Context, s *stream, sub store.Subscription) error {
	var flush <-chan time.Time // armed while the cursor has moved past the saved one
	for {
		if flush == nil && s.cur != s.saved {
			flush = time.After(cursorSaveEvery)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-flush:
			flush = nil
			if s.cur != s.saved {
				if err := d.saveCursor(ctx, s); err != nil {
					return err
				}
			}
		case e, ok := <-sub.C():
			if !ok {
				return subEnded(sub)
			}
			s.head = max(s.head, e.Offset+uint64(len(sub.C())))
			if err := d.next(ctx, s, &e); err != nil {
				return err
			}
		}
	}
}

// next handles a live entry: the next one in the log, or a sign of a gap or a new log, which
// is then read from the store. Entries already handled (by a replay) are skipped.
func (d *Dispatcher) next(ctx context.Context, s *stream, e *store.Entry) error {
	switch {
	case e.Epoch != s.cur.Epoch || e.Offset > s.cur.Offset+1:
		return d.catchUp(ctx, s)
	case e.Offset == s.cur.Offset+1:
		return d.handle(ctx, s, e)
	}
	return nil
}

func subEnded(sub store.Subscription) error {
	if err := sub.Err(); err != nil {
		return err
	}
	return errors.New("subscription closed")
}

// start loads the cursor (or makes one at the log's end, saved at once so that a takeover
// before the first delivery does not skip events) and the calls' state.
func (d *Dispatcher) start(ctx context.Context, s *stream) error {
	cur, ok, err := d.ws.WebhookCursor(ctx, s.w.ID, s.pbx)
	if err != nil {
		return err
	}
	if !ok {
		if cur, err = d.st.Position(ctx, s.pbx); err != nil {
			return err
		}
		if err := d.ws.SaveWebhookCursor(ctx, s.w.ID, s.pbx, cur, s.fence); err != nil {
			return err
		}
	}
	s.cur, s.saved, s.savedT = cur, cur, time.Now()
	snap, err := d.st.Load(ctx, s.pbx)
	if err != nil {
		return err
	}
	s.calls.seed(snap)
	if snap.Position == cur { // the stored lines are the agents' states at the cursor
		s.agents.seed(snap)
	}
	s.head = snap.Position.Offset
	return nil
}

// catchUp handles the log's entries after the cursor until it has read all there are.
func (d *Dispatcher) catchUp(ctx context.Context, s *stream) error {
	for {
		es, err := d.st.Replay(ctx, s.pbx, s.cur.Epoch, s.cur.Offset, replayPage)
		if errors.Is(err, store.ErrEpochChanged) || errors.Is(err, store.ErrCursorTooOld) {
			if err := d.relocate(ctx, s, err); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		for i := range es {
			if err := d.handle(ctx, s, &es[i]); err != nil {
				return err
			}
		}
		if len(es) < replayPage {
			return nil
		}
	}
}

// relocate moves a cursor the log no longer holds: to the start of a new epoch's log (all of
// it is new), or, when that too is trimmed or the old epoch's entries were trimmed, to the
// log's end; the events skipped are logged.
func (d *Dispatcher) relocate(ctx context.Context, s *stream, why error) error {
	pos, err := d.st.Position(ctx, s.pbx)
	if err != nil {
		return err
	}
	next := store.Position{Epoch: pos.Epoch}
	if errors.Is(why, store.ErrCursorTooOld) || s.cur.Epoch == pos.Epoch {
		next = pos
	} else if _, err := d.st.Replay(ctx, s.pbx, pos.Epoch, 0, 1); errors.Is(err, store.ErrCursorTooOld) {
		next = pos
	}
	d.log.WithFields(map[string]any{"webhook": s.w.ID, "pbx": s.pbx, "from": s.cur, "to": next}).WithError(why).
		Warn("webhook: cursor no longer in the event log; events in between are not delivered")
	s.cur = next
	s.head = max(s.head, pos.Offset)
	clear(s.agents) // the states before the gap are no previous states of what follows it
	return d.saveCursor(ctx, s)
}

// handle delivers one entry if the subscription wants it and moves the cursor past it.
func (d *Dispatcher) handle(ctx context.Context, s *stream, e *store.Entry) error {
	s.calls.track(&e.Event)
	k := KindOf(&e.Event)
	if k != "" && wantsKind(s.w, k) && wantsLine(s.w, e.Event.Line) {
		p := d.payload(ctx, s.w.ID, e, k, s)
		body, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode delivery %s: %w", p.ID, err)
		}
		if err := d.deliver(ctx, s.w, s.pbx, &p, body); err != nil {
			return err
		}
	}
	s.cur = store.Position{Epoch: e.Epoch, Offset: e.Offset}
	if time.Since(s.savedT) >= cursorSaveEvery {
		if err := d.saveCursor(ctx, s); err != nil {
			return err
		}
	}
	if k == KindEnded {
		s.calls.forget(e.Event.Handle)
	}
	s.agents.track(&e.Event)
	s.head = max(s.head, e.Offset)
	d.metrics.queue.WithLabelValues(s.w.ID, s.pbx).Set(float64(s.head - s.cur.Offset))
	return nil
}

func (d *Dispatcher) saveCursor(ctx context.Context, s *stream) error {
	if err := d.ws.SaveWebhookCursor(ctx, s.w.ID, s.pbx, s.cur, s.fence); err != nil {
		return fmt.Errorf("save webhook cursor: %w", err)
	}
	s.saved, s.savedT = s.cur, time.Now()
	return nil
}

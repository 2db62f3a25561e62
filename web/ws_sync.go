package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// subscribe adds lines to the session and brings each affected PBX's feed up to date: a replay
// from the client's cursor when it has a usable one, otherwise a resync with the current state
// of the added lines, then live events. Live entries arriving meanwhile are buffered and
// de-duplicated by offset, so there is no gap and no duplicate.
func (c *wsConn) subscribe(m subscribeMsg) {
	byPBX, names, ok := c.resolveLines(m)
	if !ok {
		return
	}
	for pbx, cur := range m.Cursors {
		if _, ok := byPBX[pbx]; !ok {
			c.sendError("bad_field", "cursors."+pbx, fmt.Sprintf("cursor for PBX %q, which none of the subscribed lines belongs to", pbx), 0)
			return
		}
		if cur.Epoch == "" {
			c.sendError("bad_field", "cursors."+pbx+".epoch", "a cursor needs the epoch its offset belongs to", 0)
			return
		}
	}
	c.send(subscribedMsg{Type: msgSubscribed, Lines: names})
	pbxs := keys(byPBX)
	sort.Strings(pbxs)
	for _, pbx := range pbxs {
		cur, hasCursor := m.Cursors[pbx]
		if err := c.syncPBX(pbx, byPBX[pbx], cur, hasCursor); err != nil {
			if c.ctx.Err() == nil {
				c.logger().WithError(err).WithField("pbx", pbx).Warn("subscribe failed")
				c.sendError("unavailable", "", fmt.Sprintf("PBX %s: %v", pbx, err), 0)
			}
			return
		}
	}
}

// resolveLines checks the requested lines against the ACL and groups the new ones by PBX.
func (c *wsConn) resolveLines(m subscribeMsg) (map[string][]string, []string, bool) {
	if !m.All && len(m.Lines) == 0 {
		c.sendError("bad_field", "lines", "give the lines to subscribe to, or \"all\": true", 0)
		return nil, nil, false
	}
	want := m.Lines
	if m.All {
		if len(m.Lines) > 0 {
			c.sendError("bad_field", "lines", "give either lines or \"all\": true, not both", 0)
			return nil, nil, false
		}
		for _, l := range c.p.seeLines(c.s.svc) {
			want = append(want, l.Name)
		}
	}
	byPBX := map[string][]string{}
	var names []string
	seen := map[string]bool{}
	for i, name := range want {
		// A line the token may not see gets the answer of a missing one: a token cannot probe
		// which lines exist.
		l, ok := c.s.svc.Line(name)
		if !ok || !c.p.canSee(name) {
			c.sendError("unknown_line", fmt.Sprintf("lines[%d]", i), fmt.Sprintf("line %q does not exist (lines are named \"pbx/extension\")", name), 0)
			return nil, nil, false
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, name)
		if c.hasLine(l.PBX, name) {
			continue // already subscribed
		}
		byPBX[l.PBX] = append(byPBX[l.PBX], name)
	}
	return byPBX, names, true
}

// hasLine reports whether the session is subscribed to line of pbx.
func (c *wsConn) hasLine(pbx, line string) bool {
	f, h := c.feeds[pbx], c.s.hubs[pbx]
	if f == nil || h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return f.has(line)
}

// syncPBX adds lines of one PBX and replays or resyncs them.
func (c *wsConn) syncPBX(pbx string, lines []string, cur store.Position, hasCursor bool) error {
	h := c.s.hubs[pbx]
	if h == nil {
		return fmt.Errorf("no event feed for PBX %q", pbx)
	}
	select {
	case <-h.ready:
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
	f := c.feeds[pbx]
	fresh := f == nil
	if fresh {
		f = newFeed(c)
		c.feedsMu.Lock()
		c.feeds[pbx] = f
		c.feedsMu.Unlock()
	}
	// A catch-up of the feed (it fell behind) finishes first: the two would each deliver
	// only what the other has not, out of order.
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	h.addLines(f, lines) // from here live entries are buffered

	start := cur
	replay := hasCursor && fresh
	if replay {
		h.setMarks(f, lines, cur, true)
	} else {
		reason := "initial"
		if !fresh {
			reason = "lines_added"
		}
		pos, err := c.resync(c.ctx, h, f, lines, reason, fresh)
		if err != nil {
			return err
		}
		start = pos
	}
	n, last, err := c.replay(c.ctx, h, f, start)
	if errors.Is(err, store.ErrCursorTooOld) || errors.Is(err, store.ErrEpochChanged) {
		// The cursor cannot be continued: start over from the current state.
		pos, rerr := c.resync(c.ctx, h, f, h.feedLines(f), reasonOf(err), true)
		if rerr != nil {
			return rerr
		}
		n, last, err = c.replay(c.ctx, h, f, pos)
	}
	if err != nil {
		return err
	}
	h.raiseSyncFloor(f, last)
	h.finishSync(f, n)
	return nil
}

// resync sends the current state of lines and sets their delivered marks to the snapshot's
// position; the caller then replays from there.
//
// Lines added to a feed (bridge false) whose snapshot is ahead of the hub get every line of
// the feed resynced instead: the hub has not yet fanned out the entries up to the snapshot,
// and those of the feed's other lines would reach the client after a resync whose offset is
// above theirs, where clients drop them as already seen.
func (c *wsConn) resync(ctx context.Context, h *hub, f *feed, lines []string, reason string, bridge bool) (store.Position, error) {
	snap, err := c.s.svc.SnapshotLines(ctx, h.pbx, lines)
	if err != nil {
		return store.Position{}, err
	}
	if !bridge && h.behind(snap.Position) {
		lines, bridge = h.feedLines(f), true
		if snap, err = c.s.svc.SnapshotLines(ctx, h.pbx, lines); err != nil {
			return store.Position{}, err
		}
	}
	// SnapshotLines holds only these lines and their calls.
	msg := resyncMsg{Type: msgResync, PBX: h.pbx, Epoch: snap.Position.Epoch,
		Offset: snap.Position.Offset, Reason: reason, Lines: []tapi.Line{}, Calls: []tapi.Call{}}
	for _, l := range snap.Lines {
		if h.num != nil {
			l = l.WithNumbers(h.num)
		}
		msg.Lines = append(msg.Lines, l)
	}
	for _, cl := range snap.Calls {
		if h.num != nil {
			cl = cl.WithNumbers(h.num)
		}
		msg.Calls = append(msg.Calls, cl)
	}
	h.setMarks(f, lines, snap.Position, bridge)
	h.raiseSyncFloor(f, snap.Position.Offset)
	b, err := json.Marshal(msg)
	if err != nil {
		return store.Position{}, err
	}
	return snap.Position, c.enqueueWaitCtx(ctx, b)
}

// replay delivers the log after start, page by page, through the feed's delivered marks:
// from the hub's recent entries while they reach back far enough, else from the store. It
// returns how many entries it queued and the offset of the last entry it covered.
func (c *wsConn) replay(ctx context.Context, h *hub, f *feed, start store.Position) (int, uint64, error) {
	after, n := start.Offset, 0
	var msgs msgWriter // the messages the fan-out did not encode, written in blocks of the replay's
	for {
		es, last, done, ok := h.recentAfter(f, start.Epoch, after)
		if !ok {
			break
		}
		for _, re := range es {
			if !h.markDelivered(f, re.e) {
				continue
			}
			msg := re.msg
			if msg == nil {
				msg = msgs.write(&re.e, h.num)
			}
			if err := c.enqueueWaitCtx(ctx, msg); err != nil {
				return n, after, err
			}
			n++
		}
		after = last
		if done {
			return n, after, nil
		}
	}
	for {
		es, err := c.s.svc.Events(ctx, h.pbx, start.Epoch, after, replayPage)
		if err != nil {
			return n, after, err
		}
		for _, e := range es {
			after = e.Offset
			if e.Event.Type == tapi.LineReply || !h.markDelivered(f, e) {
				continue
			}
			if err := c.enqueueWaitCtx(ctx, msgs.write(&e, h.num)); err != nil {
				return n, after, err
			}
			n++
		}
		if len(es) < replayPage {
			return n, after, nil
		}
	}
}

// catchUpFeed brings a feed that fell behind (hub.fallBehind) back to live delivery: it
// replays the log after the last entry the feed was given, as a resume does, queueing as the
// writer drains, until it reaches the hub's position. When the log no longer reaches back
// that far (trimmed, or a new epoch) the feed's lines get a resync instead. A feed still
// behind after BehindLimit ends the session: 4008 when the client does not read fast enough,
// 4009 when the log could not be read (the client resumes elsewhere).
func (c *wsConn) catchUpFeed(h *hub, f *feed) {
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	from, since, deadline := h.behindFrom(f)
	ctx, cancel := context.WithDeadline(c.ctx, deadline)
	defer cancel()
	replayed := 0
	var storeErr error
	for {
		n, last, err := c.replay(ctx, h, f, from)
		if errors.Is(err, store.ErrCursorTooOld) || errors.Is(err, store.ErrEpochChanged) {
			var pos store.Position
			if pos, err = c.resync(ctx, h, f, h.feedLines(f), reasonOf(err), true); err == nil {
				h.oweSynced(f)
				from, replayed = pos, 0
				continue
			}
		}
		replayed += n
		switch {
		case err == nil:
			storeErr = nil
			if h.resumeLive(f, store.Position{Epoch: from.Epoch, Offset: last}, replayed) {
				c.caughtUp(since)
				return
			}
			if last == from.Offset {
				// Nothing new: the writer has yet to drain the queue.
				select {
				case <-ctx.Done():
				case <-time.After(2 * time.Millisecond):
				}
			}
			from.Offset = last
		case errors.Is(err, errSessionClosing):
			return
		case ctx.Err() != nil:
		default:
			// The store did not answer: try again until the bound.
			storeErr = err
			from.Offset = last
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	if c.ctx.Err() != nil || c.closing.Load() {
		return
	}
	if storeErr != nil {
		c.logger().WithError(storeErr).WithField("pbx", h.pbx).Warn("client could not catch up from the event log")
		c.fail(CloseResyncRequired, "resync required: event log unavailable")
		return
	}
	c.slow(fmt.Sprintf("slow consumer: behind for more than %s in %s", c.s.cfg.BehindLimit, behindWindow))
}

// unsubscribe removes lines from the session.
func (c *wsConn) unsubscribe(m unsubscribeMsg) {
	if len(m.Lines) == 0 {
		c.sendError("bad_field", "lines", "give the lines to unsubscribe from", 0)
		return
	}
	var done []string
	for _, name := range m.Lines {
		pbx := tapi.LinePBX(name)
		if !c.hasLine(pbx, name) {
			continue
		}
		c.s.hubs[pbx].removeLines(c.feeds[pbx], []string{name})
		done = append(done, name)
	}
	if done == nil {
		done = []string{}
	}
	c.send(subscribedMsg{Type: msgUnsubscribed, Lines: done})
}

package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

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
				c.log.WithError(err).WithField("pbx", pbx).Warn("subscribe failed")
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
	known := map[string]tapi.Line{}
	for _, l := range c.s.svc.Lines("") {
		known[l.Name] = l
	}
	want := m.Lines
	if m.All {
		if len(m.Lines) > 0 {
			c.sendError("bad_field", "lines", "give either lines or \"all\": true, not both", 0)
			return nil, nil, false
		}
		for _, l := range c.p.visibleLines(c.s.svc.Lines("")) {
			want = append(want, l.Name)
		}
	}
	byPBX := map[string][]string{}
	var names []string
	seen := map[string]bool{}
	for i, name := range want {
		// A line the token may not see gets the answer of a missing one: a token cannot probe
		// which lines exist.
		l, ok := known[name]
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
	return f.lines[line]
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
		f = &feed{c: c, lines: map[string]bool{}, lineLast: map[string]uint64{}}
		c.feedsMu.Lock()
		c.feeds[pbx] = f
		c.feedsMu.Unlock()
	}
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
		pos, err := c.resync(h, f, lines, reason, fresh)
		if err != nil {
			return err
		}
		start = pos
	}
	n, err := c.replay(h, f, start)
	if errors.Is(err, store.ErrCursorTooOld) || errors.Is(err, store.ErrEpochChanged) {
		// The cursor cannot be continued: start over from the current state.
		pos, rerr := c.resync(h, f, keys(f.lines), reasonOf(err), true)
		if rerr != nil {
			return rerr
		}
		n, err = c.replay(h, f, pos)
	}
	if err != nil {
		return err
	}
	h.finishSync(f, n)
	return nil
}

// resync sends the current state of lines and sets their delivered marks to the snapshot's
// position; the caller then replays from there.
func (c *wsConn) resync(h *hub, f *feed, lines []string, reason string, bridge bool) (store.Position, error) {
	snap, err := c.s.svc.Snapshot(c.ctx, h.pbx)
	if err != nil {
		return store.Position{}, err
	}
	want := map[string]bool{}
	for _, l := range lines {
		want[l] = true
	}
	msg := resyncMsg{Type: msgResync, PBX: h.pbx, Epoch: snap.Position.Epoch,
		Offset: snap.Position.Offset, Reason: reason, Lines: []tapi.Line{}, Calls: []tapi.Call{}}
	for _, l := range snap.Lines {
		if want[l.Name] {
			msg.Lines = append(msg.Lines, l)
		}
	}
	for _, cl := range snap.Calls {
		if want[cl.Line] {
			msg.Calls = append(msg.Calls, cl)
		}
	}
	h.setMarks(f, lines, snap.Position, bridge)
	b, err := json.Marshal(msg)
	if err != nil {
		return store.Position{}, err
	}
	return snap.Position, c.enqueueWait(b)
}

// replay delivers the log after start, page by page, through the feed's delivered marks:
// from the hub's recent entries while they reach back far enough, else from the store.
func (c *wsConn) replay(h *hub, f *feed, start store.Position) (int, error) {
	after, n := start.Offset, 0
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
				msg = encodeEntry(re.e)
			}
			if err := c.enqueueWait(msg); err != nil {
				return n, err
			}
			n++
		}
		after = last
		if done {
			return n, nil
		}
	}
	for {
		es, err := c.s.svc.Events(c.ctx, h.pbx, start.Epoch, after, replayPage)
		if err != nil {
			return n, err
		}
		for _, e := range es {
			after = e.Offset
			if e.Event.Type == tapi.LineReply || !h.markDelivered(f, e) {
				continue
			}
			if err := c.enqueueWait(encodeEntry(e)); err != nil {
				return n, err
			}
			n++
		}
		if len(es) < replayPage {
			return n, nil
		}
	}
}

// unsubscribe removes lines from the session.
func (c *wsConn) unsubscribe(m unsubscribeMsg) {
	if len(m.Lines) == 0 {
		c.sendError("bad_field", "lines", "give the lines to unsubscribe from", 0)
		return
	}
	var done []string
	for _, name := range m.Lines {
		pbx, _, _ := strings.Cut(name, "/")
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

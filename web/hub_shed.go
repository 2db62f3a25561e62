package web

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Shedding the slowest clients under overload. While a PBX's pipeline is overloaded (the
// engine's cti.LinkInfo.Overload, which the owner sets and the web layer reads through
// Service.Links), or its events reach this instance's clients late (hub_late.go: also on
// instances that only follow the log), every shedInterval the sessions that follow the PBX are probed for how far
// behind they read (hub_probe.go), and the slowest are ended with 4008 and the reason "slow
// consumer: shed under overload, N events behind" (N: the events of its lines it has not
// read, as far as the hub can tell: written after its probe, queued, or in the recent
// entries after its catch-up's position): only sessions whose probe has waited
// shedBehind or more, worst first, at most one in shedShare of the PBX's sessions (at least
// one) per interval. A client that keeps up answers its probe within a round trip and is never
// shed, however far behind the bridge itself is. The other bounds (web.behind_limit, the
// episodes per minute) apply with or without overload. Shed sessions are counted in
// ctibridge_ws_queue_drops_total{reason="overload"}.
const (
	shedInterval = time.Second
	shedBehind   = 2 * time.Second
	shedShare    = 10
)

// shedLoop sheds the slowest sessions while a PBX is overloaded, until ctx ends.
func (s *Server) shedLoop(ctx context.Context) {
	t := time.NewTicker(shedInterval)
	defer t.Stop()
	probing := map[*wsConn]struct{}{} // sessions asked for probes in the current episode
	late := map[string]bool{}         // PBXs whose events reach this instance late
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.shedTick(now, s.overloadedHubs(now, late), probing)
		}
	}
}

// overloadedHubs returns the hubs of the PBXs that are overloaded: by the owner's pipeline,
// or by their events reaching this instance's clients late. The latter is logged once when it
// starts and once when it ends (the owner's pipeline logs its own episodes).
func (s *Server) overloadedHubs(now time.Time, late map[string]bool) []*hub {
	var hubs []*hub
	for _, li := range s.svc.Links() {
		h := s.hubs[li.PBX]
		if h == nil {
			continue
		}
		age, isLate := h.late.recently(now)
		switch {
		case isLate && !late[li.PBX]:
			late[li.PBX] = true
			h.log.WithField("late", age.Round(time.Millisecond)).
				Warn("overload: events reach this instance's clients late; probing them to shed the slowest")
		case !isLate && late[li.PBX]:
			delete(late, li.PBX)
			h.log.Info("events reach this instance's clients in time again")
		}
		if li.Overload != "" || isLate {
			hubs = append(hubs, h)
		}
	}
	return hubs
}

// shedCandidate is how far behind one session is.
type shedCandidate struct {
	c *wsConn
	// rank is the longest of its probe's wait and the time its feeds have been catching up
	// from the log; probe is the probe's wait alone, which decides whether it may be shed.
	rank, probe time.Duration
	// unread: messages it has surely not read (written after its probe, or still queued);
	// logLag: the log entries (of every line of the PBX) its catching-up feeds have yet to go
	// through; behind lists those feeds, whose own entries are counted when it is shed.
	unread, logLag uint64
	behind         []behindFeed
}

type behindFeed struct {
	h *hub
	f *feed
}

// eventsBehind counts the events the session has not read: unread, plus the entries of
// its catching-up feeds' lines after their position that the hubs' recent entries hold
// (a lower bound when a feed is further behind than they reach).
func (sc *shedCandidate) eventsBehind() uint64 {
	n := sc.unread
	for _, b := range sc.behind {
		n += b.h.entriesBehind(b.f)
	}
	return n
}

// shedTick is one interval of shedLoop, over the hubs of the overloaded PBXs.
func (s *Server) shedTick(now time.Time, hubs []*hub, probing map[*wsConn]struct{}) {
	sessions := map[*wsConn]*shedCandidate{}
	for _, h := range hubs {
		h.howFarBehind(now, sessions)
	}
	for c := range probing {
		if _, ok := sessions[c]; !ok {
			c.endProbe() // the overload is over, or the session left the overloaded PBXs
			delete(probing, c)
		}
	}
	if len(sessions) == 0 {
		return
	}
	var slow []*shedCandidate
	for c, sc := range sessions {
		lag, unread := c.readLag(now)
		sc.probe, sc.rank, sc.unread = lag, max(sc.rank, lag), unread
		if lag >= shedBehind {
			slow = append(slow, sc)
		}
		c.askProbe(now)
		probing[c] = struct{}{}
	}
	sort.Slice(slow, func(i, j int) bool {
		if slow[i].rank != slow[j].rank {
			return slow[i].rank > slow[j].rank
		}
		return slow[i].unread+slow[i].logLag > slow[j].unread+slow[j].logLag
	})
	for _, sc := range slow[:min(len(slow), max(1, len(sessions)/shedShare))] {
		delete(probing, sc.c)
		sc.c.logger().WithField("reading_late", sc.probe.Round(time.Millisecond)).
			WithField("behind_for", sc.rank.Round(time.Millisecond)).Info("shedding a slow client under overload")
		sc.c.slowAs("overload", fmt.Sprintf("slow consumer: shed under overload, %d events behind", sc.eventsBehind()))
	}
}

// howFarBehind adds the sessions of h's feeds to sessions, with how long and how far their
// feeds that catch up from the log are behind.
func (h *hub) howFarBehind(now time.Time, sessions map[*wsConn]*shedCandidate) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for f := range h.feeds {
		if f.c.closing.Load() {
			continue
		}
		sc := sessions[f.c]
		if sc == nil {
			sc = &shedCandidate{c: f.c}
			sessions[f.c] = sc
		}
		if f.behind && f.from.Epoch == h.pos.Epoch {
			sc.rank = max(sc.rank, now.Sub(f.since))
			sc.logLag += h.pos.Offset - min(h.pos.Offset, max(f.from.Offset, f.caught))
			sc.behind = append(sc.behind, behindFeed{h, f})
		}
	}
}

// entriesBehind counts the entries of the recent log after f's catch-up position that f
// wants (its lines and the line-less events).
func (h *hub) entriesBehind(f *feed) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := &h.recent
	if !f.behind || r.n == 0 || r.epoch != f.from.Epoch {
		return 0
	}
	after := max(f.from.Offset, f.caught)
	var n uint64
	for i := r.n - 1; i >= 0; i-- {
		e := &r.at(i).e
		if e.Offset <= after {
			break
		}
		if e.Event.Type != tapi.LineReply && (e.Event.Line == "" || f.has(e.Event.Line)) {
			n++
		}
	}
	return n
}

package cti

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// adminRequest asks the supervisor to move the link: to the other node (switchover) or to
// the primary (failback).
type adminRequest struct {
	failback bool
	reason   string
	reply    chan error
}

// outcome is why watching a link ended.
type outcome struct {
	reason    string
	err       error
	detection time.Duration // first sign of failure -> declared down
	next      *linkConn     // already connected node to continue on (planned move)
	forced    bool
}

// supervision is supervise's state from one link to the next.
type supervision struct {
	preferred int // node to return to (failback), as the failback policy says
	target    int // node to connect to next
	last      int // node the previous link ran on; -1 before the first
	rounds    int // failed connects since the last link came up
	lostAt    time.Time
	first     bool // no link came up yet in this term: resync hot from the stored state
	// Why the previous link ended, for the switchover event of the next one.
	reason    string
	forced    bool
	detection time.Duration
	next      *linkConn // already connected node to continue on (planned move)
}

// supervise keeps the PBX link up on one of its nodes until the term ends.
func (o *link) supervise() {
	s := &supervision{last: -1, lostAt: time.Now(), first: true, reason: "link start"}
	if wait := time.Until(o.quietUntil); wait > 0 {
		o.p.log.WithField("wait", wait).Warn("the store holds no record of an earlier lease of this PBX " +
			"(first start, or the store lost its data): waiting until a former owner's lease has surely lapsed")
		backoff.Sleep(o.ctx, wait)
	}
	for o.ctx.Err() == nil {
		lc := s.next
		s.next = nil
		if lc == nil {
			if lc = o.connectNext(s); lc == nil {
				continue
			}
		}
		o.runLink(s, lc)
	}
}

// connectNext connects to s.target; on failure it moves on to the next node, waits (with
// backoff once every node failed), puts the lines out of service once no node answered for
// OutOfServiceGrace, and returns nil.
func (o *link) connectNext(s *supervision) *linkConn {
	p, cfg := o.p, o.p.cfg
	p.status.setNode(s.target, nodeConnecting, "")
	o.linkEvent(s.target, nodeConnecting, "")
	lc, err := o.connect(o.ctx, s.target)
	if err == nil {
		return lc
	}
	if o.ctx.Err() != nil {
		return nil
	}
	p.status.setNode(s.target, nodeDown, err.Error())
	o.linkEvent(s.target, nodeDown, err.Error())
	p.log.WithField("node", p.nodes[s.target].role).WithError(err).Warn("cannot connect")
	s.rounds++
	s.target = (s.target + 1) % len(p.nodes)
	var wait time.Duration
	if s.rounds%len(p.nodes) == 0 {
		wait = backoff.Policy{Min: cfg.BackoffMin, Max: cfg.BackoffMax, Jitter: backoff.Equal}.Wait(s.rounds / len(p.nodes))
	}
	if !o.unreachable.Load() {
		left := time.Until(s.lostAt.Add(cfg.OutOfServiceGrace))
		if left <= 0 {
			o.setUnreachable(true)
			o.pl.post(o.ctx, func(st *reducer.State, now time.Time) reducer.Result {
				return withDetail(st.SetInService(false, now), "no PBX node reachable")
			})
		} else if wait > left {
			wait = left
		}
	}
	backoff.Sleep(o.ctx, wait)
	return nil
}

// runLink runs one link: announces it, resyncs, watches it until it fails or moves, and
// records why it ended in s.
func (o *link) runLink(s *supervision, lc *linkConn) {
	p, cfg := o.p, o.p.cfg
	s.rounds = 0
	o.setConn(lc)
	p.status.setNode(lc.node, nodeUp, "")
	p.e.metrics.LinkState(cfg.Name, p.nodes[lc.node].role, true)
	o.linkEvent(lc.node, nodeUp, "")
	if s.last >= 0 && s.last != lc.node {
		o.switchoverEvent(s.last, lc.node, s.reason, s.forced, s.detection)
	}
	s.preferred = p.fb.preferredAfter(lc.node, s.preferred)
	mode := cfg.Resync
	if s.first {
		mode = ResyncHot // a new owner continues from the stored state
	}
	s.first = false
	err := o.resync(lc, mode, s.reason, o.unreachable.Load())
	if err == nil {
		s.last = lc.node
		o.setUnreachable(false)
		out := o.watch(lc, s.preferred)
		s.reason, s.forced, s.detection, s.next, err = out.reason, out.forced, out.detection, out.next, out.err
		if s.next != nil {
			s.target = s.next.node
		}
	} else {
		s.reason, s.detection = "resync failed: "+err.Error(), 0
	}
	o.setConn(nil)
	lc.close()
	if o.ctx.Err() != nil {
		return
	}
	if s.next != nil {
		p.status.setNode(lc.node, nodeStandby, "")
		o.linkEvent(lc.node, nodeStandby, s.reason)
		return
	}
	if err == nil {
		err = errors.New(s.reason)
	}
	p.status.setNode(lc.node, nodeDown, err.Error())
	p.e.metrics.LinkState(cfg.Name, p.nodes[lc.node].role, false)
	o.linkEvent(lc.node, nodeDown, s.reason)
	p.log.WithField("node", p.nodes[lc.node].role).WithField("reason", s.reason).Warn("node down")
	s.last = lc.node
	s.lostAt = time.Now().Add(-s.detection)
	s.target = (lc.node + 1) % len(p.nodes)
}

// watch sends heartbeats on the link and serves admin moves and automatic failback until the
// link fails or moves.
func (o *link) watch(lc *linkConn, preferred int) outcome {
	p := o.p
	hb := time.NewTicker(p.cfg.Heartbeat)
	defer hb.Stop()
	var probe <-chan time.Time
	if len(p.nodes) > 1 {
		pt := time.NewTicker(p.cfg.ProbeInterval)
		defer pt.Stop()
		probe = pt.C
	}
	w := &watchState{o: o, lc: lc}
	retry := &monitorRetry{}
	defer retry.stop()
	retry.next(len(lc.unmonitored()))
	for {
		var (
			out  outcome
			done bool
		)
		select {
		case <-o.ctx.Done():
			return outcome{reason: "ownership ended"}
		case <-retry.c():
			n, err := o.retryMonitors(lc)
			if err != nil {
				return outcome{reason: "monitor retry: " + err.Error(), err: err}
			}
			retry.next(n)
		case <-lc.conn.Done():
			return outcome{reason: "link lost: " + errText(lc.conn.Err()), err: lc.conn.Err()}
		case st := <-lc.status:
			if st == csta.SystemDisabled {
				return outcome{reason: "PBX reported SystemStatus disabled"}
			}
		case <-o.pl.lost:
			if err := o.resnapshot(lc, "store lost writes"); err != nil {
				return outcome{reason: "resync after store loss failed: " + err.Error(), err: err}
			}
		case req := <-o.admin:
			out, done = w.move(req)
		case <-hb.C:
			out, done = w.heartbeat()
		case <-probe:
			out, done = w.probe(preferred)
		}
		if done {
			return out
		}
	}
}

// watchState is what watch remembers between its events: heartbeat misses and how long the
// primary has looked healthy while the link is on the standby.
type watchState struct {
	o            *link
	lc           *linkConn
	misses       int
	firstMiss    time.Time
	healthySince time.Time
}

// move serves an admin switchover or failback; done when the link moves.
func (w *watchState) move(req adminRequest) (outcome, bool) {
	p, lc := w.o.p, w.lc
	if len(p.nodes) < 2 {
		req.reply <- errors.New("cti: the PBX has no standby node")
		return outcome{}, false
	}
	to := (lc.node + 1) % len(p.nodes)
	if req.failback {
		to = 0
	}
	if to == lc.node {
		req.reply <- fmt.Errorf("cti: already on the %s node", p.nodes[to].role)
		return outcome{}, false
	}
	nlc, err := w.o.connect(w.o.ctx, to)
	if err != nil {
		req.reply <- fmt.Errorf("cti: %s node unreachable, staying on %s: %w", p.nodes[to].role, p.nodes[lc.node].role, err)
		return outcome{}, false
	}
	req.reply <- nil
	return outcome{reason: req.reason, next: nlc, forced: true}, true
}

// heartbeat sends one keep-alive; done when the link is to be given up.
func (w *watchState) heartbeat() (outcome, bool) {
	o, cfg := w.o, w.o.p.cfg
	if o.mayRequest() != nil {
		return outcome{reason: "ownership ended"}, true
	}
	start := time.Now()
	hctx, cancel := context.WithTimeout(o.ctx, cfg.Heartbeat)
	rtt, err := w.lc.conn.KeepAlive(hctx)
	cancel()
	switch {
	case err == nil:
		w.misses = 0
		o.p.status.heartbeat(w.lc.node, rtt, 0)
	case o.ctx.Err() != nil:
		return outcome{reason: "ownership ended"}, true
	case errors.Is(err, context.DeadlineExceeded):
		if w.misses == 0 {
			w.firstMiss = start
		}
		w.misses++
		o.p.status.heartbeat(w.lc.node, 0, w.misses)
		if w.misses >= cfg.Misses {
			return outcome{reason: fmt.Sprintf("%d heartbeats unanswered", w.misses),
				err: errors.New("heartbeats unanswered"), detection: time.Since(w.firstMiss)}, true
		}
	default:
		return outcome{reason: "heartbeat failed: " + err.Error(), err: err}, true
	}
	return outcome{}, false
}

// probe checks the primary while the link is on the standby under automatic failback; done
// when the primary has been reachable for FailbackAfter and a link to it is up.
func (w *watchState) probe(preferred int) (outcome, bool) {
	o, p := w.o, w.o.p
	if w.lc.node == preferred || preferred != 0 || !p.fb.automatic() ||
		!reachable(o.ctx, p.nodes[0].addr, p.cfg.ConnectTimeout) {
		w.healthySince = time.Time{}
		return outcome{}, false
	}
	if w.healthySince.IsZero() {
		w.healthySince = time.Now()
	}
	healthy := time.Since(w.healthySince)
	if healthy < p.cfg.FailbackAfter {
		return outcome{}, false
	}
	nlc, err := o.connect(o.ctx, 0)
	if err != nil {
		w.healthySince = time.Time{}
		return outcome{}, false
	}
	return outcome{reason: fmt.Sprintf("failback: primary healthy for %v", healthy.Round(time.Millisecond)), next: nlc}, true
}

// reachable probes a node's TCP port.
func reachable(ctx context.Context, addr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func errText(err error) string {
	if err == nil {
		return "closed"
	}
	return err.Error()
}

// linkEvent appends BRIDGE_LINKSTATUS.
func (o *link) linkEvent(n int, status, reason string) {
	nd := o.p.nodes[n]
	active := status == nodeUp
	o.pl.post(o.ctx, func(st *reducer.State, now time.Time) reducer.Result {
		return reducer.Result{Events: []tapi.Event{o.bridgeEvent(now, tapi.Event{Type: tapi.BridgeLinkStatus,
			Link: &tapi.LinkStatus{Node: nd.role, Status: status, Address: nd.addr, Active: active, Reason: reason}})}}
	})
}

// switchoverEvent appends BRIDGE_SWITCHOVER and records it for LinkInfo.
func (o *link) switchoverEvent(from, to int, reason string, forced bool, detection time.Duration) {
	p := o.p
	f, t := p.nodes[from].role, p.nodes[to].role
	p.status.switched(SwitchoverInfo{From: f, To: t, Reason: reason, At: time.Now(), Detection: detection})
	p.e.metrics.Switchover(p.cfg.Name, f, t, reason)
	p.log.WithField("from", f).WithField("to", t).WithField("reason", reason).Warn("switchover")
	o.pl.post(o.ctx, func(st *reducer.State, now time.Time) reducer.Result {
		return reducer.Result{Events: []tapi.Event{o.bridgeEvent(now, tapi.Event{Type: tapi.BridgeSwitchover,
			Switch: &tapi.Switchover{From: f, To: t, Reason: reason, Forced: forced}})}}
	})
}

// withDetail sets the reason on every event of r.
func withDetail(r reducer.Result, detail string) reducer.Result {
	for i := range r.Events {
		r.Events[i].Detail = detail
	}
	return r
}

// move asks the supervisor of an owned link for a switchover or failback.
func (o *link) move(ctx context.Context, failback bool, reason string) error {
	if o.conn.Load() == nil {
		return errors.New("cti: no PBX node is up to move from; the link is reconnecting")
	}
	req := adminRequest{failback: failback, reason: reason, reply: make(chan error, 1)}
	select {
	case o.admin <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-o.ctx.Done():
		return errors.New("cti: ownership of the PBX ended")
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/web/internal/wsout"
)

// wsConn is one WebSocket session: its reader goroutine reads, messages wait in a bounded
// queue, and the hub's flushers (without blocking) or the connection's writer goroutine
// write them (see package wsout); commands run in goroutines the connection owns. Producers never
// block on a connection: a full queue disconnects the client with CloseSlowConsumer. The
// writer goroutine runs only while it has something to do (ws_writer.go): an idle session
// holds the reader's stack and no other.
type wsConn struct {
	s *Server
	// closing is set when the session fails: nothing queued after that is sent, so that a
	// client told to resync never gets events after the reason for the close.
	closing atomic.Bool
	// The fan-out's offer reads s, closing, qmu and queue: they come first, in one cache line.
	qmu   sync.Mutex
	queue [][]byte // outbound messages, at most s.cfg.SendQueue

	ws     *websocket.Conn
	sock   *wsout.Conn // what ws writes to; data messages are written to it directly
	remote string
	since  time.Time
	ctx    context.Context
	cancel context.CancelFunc

	// Set once after hello; read by diagnostics under s.connsMu.
	p       *principal
	client  string
	counted bool // p's session is counted in s.sessions

	// spareQ is an empty array for the queue after the one being written (recycleQueue).
	spareQ [][]byte
	// burstPeak is the most messages the writer took at once lately (takeQueue): the largest
	// burst, less a quarter at each take that was smaller. offer grows a full queue to it at
	// once, and recycleQueue keeps arrays it would fill a quarter of. Guarded by qmu.
	burstPeak int
	// taken is closed (and cleared) when the writer takes the queue: a replay waiting for
	// room in a full queue sleeps on it (enqueueWaitCtx). Guarded by qmu.
	taken chan struct{}

	// The writer (ws_writer.go): work says it has something to do, writing that one runs (and,
	// once the close frame is written, stays set so that none starts again); writers is what
	// run waits for after wclosed, which the writer of the close frame closes. pingDue is set by
	// pinger, the keep-alive timer.
	work, writing, pingDue atomic.Bool
	writers                sync.WaitGroup
	wclosed                chan struct{}
	pinger                 atomic.Pointer[time.Timer]

	closeOnce sync.Once
	closeCode int
	closeText string

	feedsMu sync.Mutex // guards feeds (reader goroutine writes, diagnostics read)
	feeds   map[string]*feed

	cmds    sync.WaitGroup
	cmdSem  chan struct{}
	in, out atomic.Uint64

	// Catch-up goroutines of feeds that fell behind (hub.fallBehind). bgMu orders starting
	// one against the session's end (bgClosed), so that run waits for every one.
	bgMu     sync.Mutex
	bgClosed bool
	bg       sync.WaitGroup
	// behind lists the session's recent times behind (feeds of several PBXs share it), for
	// the bound on the time behind per behindWindow; guarded by bgMu.
	behind []behindEpisode
	// behindGen is the PBX resync (hub.resyncGen) the session last fell behind in; guarded
	// by bgMu.
	behindGen uint64

	// probe measures how far behind the client reads while a PBX it follows is overloaded
	// (hub_probe.go, hub_shed.go).
	probe readProbe
}

// logger is the session's log entry, made when something is logged: a session logs rarely,
// and an entry kept per session cost more memory than the rest of its bookkeeping.
func (c *wsConn) logger() *logrus.Entry {
	l := c.s.log.WithField("remote", c.remote)
	c.s.connsMu.Lock()
	p := c.p
	c.s.connsMu.Unlock()
	if p != nil {
		l = l.WithField("user", p.Name)
	}
	return l
}

// errSessionClosing: the session failed, so a replay stops queueing.
var errSessionClosing = errors.New("session closing")

// maxCommandsInFlight bounds concurrent requests per connection.
const maxCommandsInFlight = 16

func (c *wsConn) pendingLimit() int { return 4*c.s.cfg.SendQueue + replayPage }

// controlSlack is how far control messages (replies, errors, pongs, synced, resync) may go
// beyond SendQueue: events fill the queue up to SendQueue, and a feed whose events do not fit
// falls behind instead of failing the session (hub.fallBehind), so a queue full of events
// must still take the answer to a command.
const controlSlack = 2 * maxCommandsInFlight

// enqueue queues a control message without blocking; a queue full beyond its slack fails the
// connection as slow.
func (c *wsConn) enqueue(b []byte) {
	if c.closing.Load() {
		return
	}
	c.qmu.Lock()
	if len(c.queue) >= c.s.cfg.SendQueue+controlSlack {
		c.qmu.Unlock()
		c.slow("slow consumer: send queue full")
		return
	}
	c.queue = append(c.queue, b)
	c.qmu.Unlock()
	c.wake()
}

// slow fails the session as a slow consumer, counted and logged with reason.
func (c *wsConn) slow(reason string) { c.slowAs("slow_consumer", reason) }

// slowAs is slow counted under label (ctibridge_ws_queue_drops_total's reason).
func (c *wsConn) slowAs(label, reason string) {
	if c.closing.Load() {
		return
	}
	c.s.metrics.queueDrops.WithLabelValues(label).Inc()
	c.fail(CloseSlowConsumer, reason)
}

// offerResult says what became of an event offered to the queue.
type offerResult int

const (
	offerQueued offerResult = iota
	offerFull               // SendQueue messages wait: the feed falls behind
	offerClosed             // the session failed: nothing more is sent
)

// offer queues an event without blocking and without failing the session, leaving waking the
// writer to the caller, who may queue more first (the hub wakes each writer once per burst of
// entries, so that the writer sends the burst in one write).
func (c *wsConn) offer(b []byte) offerResult {
	if c.closing.Load() {
		return offerClosed
	}
	c.qmu.Lock() // unlocked without a defer: offer runs for every event and feed
	if len(c.queue) >= c.s.cfg.SendQueue {
		c.qmu.Unlock()
		return offerFull
	}
	if n := len(c.queue); n == cap(c.queue) {
		// Full (or none kept, or a small one kept: recycleQueue): grow it at once to hold
		// as many as the recent bursts did, rather than at every doubling from there. A queue
		// past maxBusyQueue (a writer behind its socket) doubles: append's steps of a quarter
		// copied a queue of 100,000 messages some twenty times on its way there.
		want := max(min(c.burstPeak, maxBusyQueue), maxSpareQueue)
		if n >= maxBusyQueue {
			want = min(2*n, c.s.cfg.SendQueue)
		}
		c.queue = slices.Grow(c.queue, max(want-n, 1)) // beyond want, as append grows it
	}
	c.queue = append(c.queue, b)
	c.qmu.Unlock()
	return offerQueued
}

// goBackground runs fn on a goroutine the session waits for before it ends; false when the
// session has ended already.
func (c *wsConn) goBackground(fn func()) bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.bgClosed {
		return false
	}
	c.bg.Add(1)
	go func() { defer c.bg.Done(); fn() }()
	return true
}

// waitBackground stops new background goroutines and waits for those running.
func (c *wsConn) waitBackground() {
	c.bgMu.Lock()
	c.bgClosed = true
	c.bgMu.Unlock()
	c.bg.Wait()
}

// Falling behind again and again is a slow consumer too: a session may spend BehindLimit
// behind within any behindWindow, in one stretch or several, and fall behind at most
// maxBehindEpisodes times in it.
const (
	behindWindow      = time.Minute
	maxBehindEpisodes = 30
	quickCatchUp      = 500 * time.Millisecond
)

// behindEpisode is one time a feed of the session was behind: when it fell behind, and for
// how long (0 while it still is).
type behindEpisode struct {
	since time.Time
	d     time.Duration
	// again: a further time behind in the same resync burst of a PBX, which the bridge caused
	// and not the client: it counts towards the time behind but not the episodes.
	again bool
}

// noteBehind records that one of the session's feeds fell behind now; resync is the PBX
// resync under way (hub.resyncGen), 0 when none is. It returns how long the feed may stay
// behind, and "" or why the session must end now instead. All the times a session falls
// behind during one resync count as one episode: a resync of 100,000 lines sends a burst that
// a client keeping up with normal traffic may take in several gulps.
func (c *wsConn) noteBehind(now time.Time, resync uint64) (time.Duration, string) {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	keep := c.behind[:0]
	var used time.Duration
	episodes := 0
	for _, ep := range c.behind {
		if now.Sub(ep.since) < behindWindow {
			keep = append(keep, ep)
			used += ep.d
			// A client back within quickCatchUp keeps up; bursts of an overloaded bridge
			// make it fall behind often, and it must not be shed before the slow ones.
			if !ep.again && (ep.d == 0 || ep.d >= quickCatchUp) {
				episodes++
			}
		}
	}
	again := resync != 0 && resync == c.behindGen
	c.behindGen = resync
	c.behind = append(keep, behindEpisode{since: now, again: again})
	if !again {
		episodes++
	}
	limit := c.s.cfg.BehindLimit
	switch {
	case episodes > maxBehindEpisodes:
		return 0, fmt.Sprintf("slow consumer: fell behind more than %d times in %s", maxBehindEpisodes, behindWindow)
	case used >= limit:
		return 0, fmt.Sprintf("slow consumer: behind for more than %s in %s", limit, behindWindow)
	}
	return limit - used, ""
}

// caughtUp records that the feed that fell behind at since is live again.
func (c *wsConn) caughtUp(since time.Time) {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	for i := range c.behind {
		if c.behind[i].since.Equal(since) && c.behind[i].d == 0 {
			c.behind[i].d = max(time.Since(since), time.Nanosecond)
			return
		}
	}
}

// enqueueWait queues a message, waiting for room (used by replays, which the connection's own
// goroutine produces and which may exceed the queue).
func (c *wsConn) enqueueWait(b []byte) error { return c.enqueueWaitCtx(c.ctx, b) }

// enqueueWaitCtx is enqueueWait that also gives up when ctx ends (a catch-up's bound). A full
// queue is waited on until the writer takes it (taken), not polled.
func (c *wsConn) enqueueWaitCtx(ctx context.Context, b []byte) error {
	var ended <-chan struct{} // a session that fails sets closing before its context ends
	if c.ctx != nil {
		ended = c.ctx.Done()
	}
	for {
		if c.closing.Load() {
			return errSessionClosing
		}
		c.qmu.Lock()
		if len(c.queue) < c.s.cfg.SendQueue {
			c.queue = append(c.queue, b)
			c.qmu.Unlock()
			c.wake()
			return nil
		}
		if c.taken == nil {
			c.taken = make(chan struct{})
		}
		taken := c.taken
		c.qmu.Unlock()
		select {
		case <-ctx.Done():
			if c.closing.Load() {
				return errSessionClosing
			}
			return ctx.Err()
		case <-taken:
		case <-ended:
			// closing is checked above; a server shutdown (no closing) still lets the
			// writer's last flush make room, as before.
			ended = nil
		}
	}
}

func (c *wsConn) queueLen() int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queue)
}

// send encodes v and queues it.
func (c *wsConn) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.logger().WithError(err).Error("message not encodable")
		return
	}
	c.enqueue(b)
}

func (c *wsConn) sendError(code, field, msg string, id uint32) {
	c.send(errorMsg{Type: msgError, Code: code, Field: field, Message: msg, ID: id})
}

// fail ends the session with a close code; the writer sends the close frame. Safe from any
// goroutine, never blocks.
func (c *wsConn) fail(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		c.closing.Store(true)
		c.cancel()
		if code == CloseSlowConsumer {
			// The writer may sit in a write to a full socket: make it give up now.
			c.sock.Abort()
			c.logClose(text, code)
		}
		c.wake() // the writer sends the close frame
	})
}

// logClose logs a disconnect the client caused, with who and where it is (rate-limited:
// a client can cause many).
func (c *wsConn) logClose(reason string, code int) {
	f := logrus.Fields{"remote": c.remote, "reason": reason, "close_code": code}
	c.s.connsMu.Lock()
	if c.p != nil {
		f["user"] = c.p.Name
	}
	if c.client != "" {
		f["client"] = c.client
	}
	c.s.connsMu.Unlock()
	c.s.rateLog.warn(f, "websocket client disconnected")
}

// runCommand executes fn in a goroutine owned by the connection, at most
// maxCommandsInFlight at once; when that many run, it waits (back-pressure on the reader).
func (c *wsConn) runCommand(fn func()) {
	select {
	case c.cmdSem <- struct{}{}:
	case <-c.ctx.Done():
		return
	}
	c.cmds.Add(1)
	go func() {
		defer func() { <-c.cmdSem; c.cmds.Done() }()
		fn()
	}()
}

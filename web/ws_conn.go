package web

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"
)

// wsConn is one WebSocket session: its reader goroutine reads, messages wait in a bounded
// queue, and the hub's flushers (without blocking) or the connection's writer goroutine
// write them (see wsOut); commands run in goroutines the connection owns. Producers never
// block on a connection: a full queue disconnects the client with CloseSlowConsumer.
type wsConn struct {
	s      *Server
	ws     *websocket.Conn
	sock   *wsOut // what ws writes to; data messages are written to it directly
	log    *logrus.Entry
	remote string
	since  time.Time
	ctx    context.Context
	cancel context.CancelFunc

	// Set once after hello; read by diagnostics under s.connsMu.
	p       *principal
	client  string
	counted bool // p's session is counted in s.sessions

	qmu    sync.Mutex
	queue  [][]byte      // outbound messages, at most s.cfg.SendQueue
	notify chan struct{} // capacity 1: the writer has work

	closeOnce sync.Once
	closeCode int
	closeText string
	// closing is set when the session fails: nothing queued after that is sent, so that a
	// client told to resync never gets events after the reason for the close.
	closing atomic.Bool

	feedsMu sync.Mutex // guards feeds (reader goroutine writes, diagnostics read)
	feeds   map[string]*feed

	cmds    sync.WaitGroup
	cmdSem  chan struct{}
	in, out atomic.Uint64
}

// errSessionClosing: the session failed, so a replay stops queueing.
var errSessionClosing = errors.New("session closing")

// maxCommandsInFlight bounds concurrent requests per connection.
const maxCommandsInFlight = 16

func (c *wsConn) pendingLimit() int { return 4*c.s.cfg.SendQueue + replayPage }

// enqueue queues a message without blocking; a full queue fails the connection as slow.
func (c *wsConn) enqueue(b []byte) {
	if c.enqueueQuiet(b) {
		c.wake()
	}
}

// enqueueQuiet queues a message like enqueue but leaves waking the writer to the caller, who
// may queue more first (the hub wakes each writer once per burst of entries, so that the
// writer sends the burst in one write). false: the message was not queued.
func (c *wsConn) enqueueQuiet(b []byte) bool {
	if c.closing.Load() {
		return false
	}
	c.qmu.Lock()
	if len(c.queue) >= c.s.cfg.SendQueue {
		c.qmu.Unlock()
		c.s.metrics.queueDrops.WithLabelValues("slow_consumer").Inc()
		c.fail(CloseSlowConsumer, "slow consumer: send queue full")
		return false
	}
	c.queue = append(c.queue, b)
	c.qmu.Unlock()
	return true
}

// wake tells the writer there is work.
func (c *wsConn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// enqueueWait queues a message, waiting for room (used by replays, which the connection's own
// goroutine produces and which may exceed the queue).
func (c *wsConn) enqueueWait(b []byte) error {
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
		c.qmu.Unlock()
		select {
		case <-c.ctx.Done():
			return c.ctx.Err()
		case <-time.After(2 * time.Millisecond):
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
		c.log.WithError(err).Error("message not encodable")
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
			c.sock.abort()
			c.logClose("slow consumer: send queue full", code)
		}
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

// writeLoop is the only writer of the socket. It exits when the connection's context ends,
// after sending what is queued (for a normal close) and the close frame.
func (c *wsConn) writeLoop() {
	ping := time.NewTicker(c.s.cfg.PongTimeout / 2)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			code, text := c.finalClose()
			if code != CloseSlowConsumer && code != websocket.CloseAbnormalClosure {
				// Best effort: an error message explaining the close goes out first.
				c.flush(time.Now().Add(time.Second))
			}
			c.sock.resume() // the close frame may still get through
			_ = c.ws.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(code, text),
				time.Now().Add(time.Second))
			_ = c.ws.Close()
			return
		case <-c.notify:
			if !c.flush(time.Time{}) {
				c.fail(websocket.CloseAbnormalClosure, "write failed")
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil,
				time.Now().Add(c.s.cfg.WriteTimeout)); err != nil {
				c.fail(websocket.CloseAbnormalClosure, "ping failed")
			}
		}
	}
}

// finalClose returns the close code and text. A context ended without fail means the server
// is shutting down.
func (c *wsConn) finalClose() (int, string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = websocket.CloseGoingAway, "server shutting down"
	})
	return c.closeCode, c.closeText
}

// takeQueue empties the queue and returns what it held.
func (c *wsConn) takeQueue() [][]byte {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	q := c.queue
	c.queue = nil
	return q
}

// flush writes every queued message; false when the socket failed. Each batch goes out in
// one write. A zero deadline means WriteTimeout for each batch.
func (c *wsConn) flush(deadline time.Time) bool {
	for {
		d := deadline
		if d.IsZero() {
			d = time.Now().Add(c.s.cfg.WriteTimeout)
		}
		n, err := c.sock.writeFrames(c.takeQueue, d)
		c.countOut(n)
		if err != nil {
			return false
		}
		if n == 0 {
			return true
		}
	}
}

// flushNow writes the queue without blocking, on the caller's goroutine (the hub's, after a
// fan-out); what the socket does not take at once is left to the writer goroutine.
func (c *wsConn) flushNow(scratch *[]byte) {
	n, done, err := c.sock.tryWriteFrames(c.takeQueue, scratch)
	c.countOut(n)
	switch {
	case err != nil:
		c.fail(websocket.CloseAbnormalClosure, "write failed")
	case !done:
		c.wake()
	}
}

func (c *wsConn) countOut(n int) {
	if n > 0 {
		c.out.Add(uint64(n))
		c.s.metrics.eventsOut.Add(float64(n))
	}
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

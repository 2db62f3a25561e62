package web

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// The writer goroutine of a session exists only while it has something to do: a write the
// hub's flushers left unfinished (the socket did not take everything), a control message
// queued by the session itself, a probe or keep-alive ping, the close. wake starts it when
// none runs, and it exits once nothing is left, so that an idle session holds no goroutine
// but its reader. At most one writer runs at a time (writing), and none starts after the one
// that wrote the close frame, which the session's cleanup waits for (wclosed, writers).

// wake tells the writer there is work, starting one when none runs. Safe from any goroutine,
// never blocks.
func (c *wsConn) wake() {
	c.work.Store(true)
	if c.writing.CompareAndSwap(false, true) {
		c.writers.Add(1)
		go c.writer()
	}
}

// writer does the work asked for until none is left, then exits; when the connection's
// context has ended, it sends what is queued (for a normal close) and the close frame, and
// leaves writing set so that no writer runs after it.
func (c *wsConn) writer() {
	defer c.writers.Done()
	for {
		c.work.Store(false)
		if c.ctx.Err() != nil {
			c.writeClose()
			return
		}
		c.writeWork()
		if c.work.Load() || c.ctx.Err() != nil {
			continue
		}
		c.writing.Store(false)
		// A wake between the check above and the store found writing set and started no
		// writer: this one goes on, unless a writer started since.
		if !c.work.Load() || !c.writing.CompareAndSwap(false, true) {
			return
		}
	}
}

// writeWork writes the queue (and bytes the flushers left pending), then the probe asked for
// and the keep-alive ping when it is due. A failed write fails the session.
func (c *wsConn) writeWork() {
	if err := c.flush(time.Time{}); err != nil {
		c.writeFailed("write", err)
		return
	}
	if err := c.writeProbe(); err != nil {
		c.writeFailed("ping", err)
		return
	}
	if !c.pingDue.Swap(false) {
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, c.keepalivePayload(),
		time.Now().Add(c.s.cfg.WriteTimeout)); err != nil {
		c.writeFailed("ping", err)
		return
	}
	if t := c.pinger.Load(); t != nil {
		t.Reset(c.s.cfg.PongTimeout / 2)
	}
}

// startPinger arms the keep-alive: a ping every PongTimeout/2, each written by a writer the
// timer wakes and re-armed once written.
func (c *wsConn) startPinger() {
	c.pinger.Store(time.AfterFunc(c.s.cfg.PongTimeout/2, func() {
		c.pingDue.Store(true)
		c.wake()
	}))
}

// writeClose ends the connection: the queue (unless the peer is the reason for the close),
// the close frame, and the socket's close.
func (c *wsConn) writeClose() {
	defer close(c.wclosed)
	if t := c.pinger.Load(); t != nil {
		t.Stop()
	}
	code, text := c.finalClose()
	if code != CloseSlowConsumer && code != websocket.CloseAbnormalClosure {
		// Best effort: an error message explaining the close goes out first.
		_ = c.flush(time.Now().Add(time.Second))
	}
	c.sock.Resume() // the close frame may still get through
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(code, text),
		time.Now().Add(time.Second))
	_ = c.ws.Close()
}

// finalClose returns the close code and text. A context ended without fail means the server
// is shutting down.
func (c *wsConn) finalClose() (int, string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = websocket.CloseGoingAway, "server shutting down"
	})
	return c.closeCode, c.closeText
}

// takeQueue empties the queue and returns what it held. The queue goes on in the array
// recycleQueue kept, if any.
func (c *wsConn) takeQueue() [][]byte {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	q := c.queue
	c.queue, c.spareQ = c.spareQ, nil
	c.burstPeak = max(len(q), c.burstPeak-c.burstPeak/4)
	if c.taken != nil {
		close(c.taken)
		c.taken = nil
	}
	return q
}

// flush writes every queued message and returns the socket's error. Each batch goes out in
// one write. A zero deadline means WriteTimeout for each batch.
func (c *wsConn) flush(deadline time.Time) error {
	for {
		d := deadline
		if d.IsZero() {
			d = time.Now().Add(c.s.cfg.WriteTimeout)
		}
		var q [][]byte
		n, err := c.sock.WriteFrames(func() [][]byte { q = c.takeQueue(); return q }, d)
		c.recycleQueue(q)
		c.countOut(n)
		if err != nil || n == 0 {
			return err
		}
	}
}

// writeFailed ends the session after a failed write. A write that ran into its deadline
// means the peer does not read what it is sent: a slow consumer, counted and logged as such.
func (c *wsConn) writeFailed(what string, err error) {
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		c.slow(fmt.Sprintf("slow consumer: a %s took longer than %s", what, c.s.cfg.WriteTimeout))
		return
	}
	c.fail(websocket.CloseAbnormalClosure, what+" failed")
}

// recycleQueue keeps q, a queue taken and written (framed, or copied to the socket's pending
// bytes), for the queue after next, when it has none yet: a fresh array for each burst was an
// allocation or more per burst, and growing it again for each burst of a busy session copied
// it at every doubling. Small arrays are kept, and larger ones while the recent bursts
// (burstPeak) fill a quarter of them: bursts of a busy session vary by more than that from one
// to the next, and an array dropped for one small burst was allocated again for the next. A
// session gone quiet drops its large array after a few small bursts.
func (c *wsConn) recycleQueue(q [][]byte) {
	if cap(q) == 0 || cap(q) > maxBusyQueue {
		return
	}
	clear(q) // the messages go to the collector once every queue is done with them
	c.qmu.Lock()
	if c.spareQ == nil && (cap(q) <= maxSpareQueue || 4*max(len(q), c.burstPeak) >= cap(q)) {
		c.spareQ = q[:0]
	}
	c.qmu.Unlock()
}

// maxSpareQueue is the largest queue array recycleQueue keeps whatever its use, maxBusyQueue
// (24 KiB) the largest it keeps at all.
const (
	maxSpareQueue = 8
	maxBusyQueue  = 1024
)

// flushNow writes the queue without blocking, on the caller's goroutine (a flusher's, after a
// fan-out); what the socket does not take at once is left to a writer goroutine, started for it.
// It returns how many messages it took, which the caller adds to the server's count of events
// out (once for all the connections it flushes).
func (c *wsConn) flushNow(scratch *[]byte) int {
	var q [][]byte
	n, done, err := c.sock.TryWriteFrames(func() [][]byte { q = c.takeQueue(); return q }, scratch)
	c.recycleQueue(q)
	if n > 0 {
		c.out.Add(uint64(n))
	}
	switch {
	case err != nil:
		c.fail(websocket.CloseAbnormalClosure, "write failed")
	case !done:
		c.wake()
	}
	return n
}

func (c *wsConn) countOut(n int) {
	if n > 0 {
		c.out.Add(uint64(n))
		c.s.metrics.eventsOut.Add(float64(n))
	}
}

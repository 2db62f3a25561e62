package web

import (
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// readProbe measures how far behind a session reads (hub_shed.go). A probe is a ping written
// after the messages sent so far: a WebSocket peer answers control frames in stream order, so
// its pong comes back only once the client has read everything written before it, including
// what waits in the sockets' buffers, which the send queue does not see. A client that keeps
// up answers within a round trip; one that reads slower than its events come answers later
// and later. One probe is out at a time; the shedder asks for one each interval while a PBX
// the session follows is overloaded, and the writer goroutine sends it (writeProbe).
type readProbe struct {
	mu      sync.Mutex
	asked   time.Time // when the outstanding probe was asked for; zero: none is out
	sent    bool      // the writer has written it
	token   string    // its payload, which the pong echoes
	sentOut uint64    // messages written to the socket before it
	seq     uint64
}

// askProbe asks the writer for a probe, unless one is out already.
func (c *wsConn) askProbe(now time.Time) {
	p := &c.probe
	p.mu.Lock()
	if !p.asked.IsZero() {
		p.mu.Unlock()
		return
	}
	p.seq++
	p.asked, p.sent, p.token = now, false, "probe-"+strconv.FormatUint(p.seq, 10)
	p.mu.Unlock()
	c.wake()
}

// endProbe forgets the outstanding probe (the overload is over): its pong, if it ever comes,
// is ignored, and the next episode starts measuring afresh.
func (c *wsConn) endProbe() {
	p := &c.probe
	p.mu.Lock()
	p.asked, p.sent, p.token = time.Time{}, false, ""
	p.mu.Unlock()
}

// writeProbe writes the probe asked for, if it is not written yet, after the messages the
// writer has just flushed. Only the writer goroutine calls it.
func (c *wsConn) writeProbe() error {
	p := &c.probe
	p.mu.Lock()
	if p.asked.IsZero() || p.sent {
		p.mu.Unlock()
		return nil
	}
	p.sent, p.sentOut = true, c.out.Load()
	token := p.token
	p.mu.Unlock()
	return c.ws.WriteControl(websocket.PingMessage, []byte(token), time.Now().Add(c.s.cfg.WriteTimeout))
}

// keepalivePayload is the payload of the writer's keep-alive ping: the outstanding probe's
// token once the probe is written, so that a client that answers only the most recent of
// several pings (RFC 6455 allows it) still answers the probe.
func (c *wsConn) keepalivePayload() []byte {
	p := &c.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.sent {
		return nil
	}
	return []byte(p.token)
}

// pong takes the answer to a ping (the reader goroutine's pong handler).
func (c *wsConn) pong(data string) {
	p := &c.probe
	p.mu.Lock()
	if p.sent && data == p.token {
		p.asked, p.sent, p.token = time.Time{}, false, ""
	}
	p.mu.Unlock()
}

// readLag returns how long the outstanding probe has waited for its answer (0 when none is
// out), and how many messages the client has surely not read yet: those written after the
// probe, plus those still queued.
func (c *wsConn) readLag(now time.Time) (lag time.Duration, unread uint64) {
	p := &c.probe
	p.mu.Lock()
	asked, sent, sentOut := p.asked, p.sent, p.sentOut
	p.mu.Unlock()
	if asked.IsZero() {
		return 0, 0
	}
	if sent {
		unread = c.out.Load() - min(sentOut, c.out.Load())
	}
	return now.Sub(asked), unread + uint64(c.queueLen())
}

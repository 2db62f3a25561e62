package wsout

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Conn is the outbound side of one WebSocket connection, and the connection the WebSocket
// library writes to. Data messages do not go through the library: they are framed here and
// written in batches, either by the connection's writer goroutine (blocking, with a
// deadline) or, without blocking, by the hub's goroutine right after a fan-out, so that an
// event reaches most clients without waking their writers. The library still writes control
// frames (ping, pong, close) through Write. Every write happens under mu, messages are taken
// from the queue under mu too, and bytes a non-blocking write could not send (pending) go
// out before anything else: frames stay whole and in order.
type Conn struct {
	net.Conn
	raw syscall.RawConn // nil when the connection offers none (TLS): no non-blocking writes

	aborted  atomic.Bool  // writes fail at once (a slow consumer is being dropped)
	deadline atomic.Int64 // for the library's next Write, Unix nanoseconds; 0: none

	mu      sync.Mutex
	pending []byte
	broken  error // a write failed, perhaps part-way through a frame: nothing more can follow
}

func New(c net.Conn) *Conn {
	o := &Conn{Conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			o.raw = raw
		}
	}
	return o
}

// ErrAborted is what writes return after Abort.
var ErrAborted = errors.New("wsout: writes to the WebSocket aborted")

// Abort makes the write in progress, if any, and every later one fail at once, until resume.
// It takes no lock, so it never waits for a writer.
func (o *Conn) Abort() {
	o.aborted.Store(true)
	_ = o.Conn.SetWriteDeadline(time.Now())
}

// Resume allows writes again after Abort (for the close frame, once the writer has stopped).
func (o *Conn) Resume() { o.aborted.Store(false) }

// SetWriteDeadline records the library's deadline for its next Write. Applying it at once
// could cut short a batch the writer goroutine is writing.
func (o *Conn) SetWriteDeadline(t time.Time) error {
	if t.IsZero() {
		o.deadline.Store(0)
	} else {
		o.deadline.Store(t.UnixNano())
	}
	return nil
}

// Write writes one frame of the WebSocket library, after any pending bytes.
func (o *Conn) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var dl time.Time
	if ns := o.deadline.Load(); ns != 0 {
		dl = time.Unix(0, ns)
	}
	if err := o.writeLocked(p, dl); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeLocked writes pending bytes and then b, blocking until deadline (zero: no limit).
func (o *Conn) writeLocked(b []byte, deadline time.Time) error {
	if o.broken != nil {
		return o.broken
	}
	if len(o.pending) == 0 && len(b) == 0 {
		return nil
	}
	if err := o.setDeadline(deadline); err != nil {
		return err
	}
	var err error
	if len(o.pending) > 0 {
		_, err = o.Conn.Write(o.pending)
		o.pending = o.pending[:0]
		if cap(o.pending) > MaxIdleBuffer {
			o.pending = nil
		}
	}
	if err == nil && len(b) > 0 {
		_, err = o.Conn.Write(b)
	}
	if err != nil {
		o.broken = err
		return err
	}
	// No deadline between writes, so that a non-blocking write does not find a stale one.
	return o.setDeadline(time.Time{})
}

// setDeadline sets the raw deadline unless writes were aborted. The check follows the set, so
// that it cannot undo an abort running at the same time.
func (o *Conn) setDeadline(t time.Time) error {
	err := o.Conn.SetWriteDeadline(t)
	if o.aborted.Load() {
		_ = o.Conn.SetWriteDeadline(time.Now())
		return ErrAborted
	}
	return err
}

// MaxIdleBuffer is the largest buffer kept for reuse.
const MaxIdleBuffer = 64 << 10

// frameChunk is how many bytes of frames are gathered before they are written: a batch of
// any size is framed and written through one buffer of about this size, which is reused,
// rather than through a buffer of the whole batch, which would be garbage after every large
// batch.
const frameChunk = 32 << 10

// framePool holds buffers for framing a batch of messages.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// WriteFrames takes messages with take (under the write lock, so that batches go out in the
// order they were taken) and writes pending bytes and the messages, framed, blocking until
// deadline. It returns how many messages it took.
func (o *Conn) WriteFrames(take func() [][]byte, deadline time.Time) (int, error) {
	bp := framePool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= MaxIdleBuffer {
			*bp = (*bp)[:0]
			framePool.Put(bp)
		}
	}()
	o.mu.Lock()
	defer o.mu.Unlock()
	msgs := take()
	if len(msgs) == 0 {
		return 0, o.writeLocked(nil, deadline) // pending bytes, if any
	}
	buf := (*bp)[:0]
	var err error
	for i, m := range msgs {
		buf = appendTextFrame(buf, m)
		if len(buf) >= frameChunk || i == len(msgs)-1 {
			if err = o.writeLocked(buf, deadline); err != nil {
				break
			}
			buf = buf[:0]
		}
	}
	*bp = buf
	return len(msgs), err
}

// TryWriteFrames is WriteFrames without blocking: it writes as much as the socket takes at
// once and keeps the rest as pending. done false asks the caller to wake the writer
// goroutine, which also happens when another writer holds the connection (then nothing is
// taken). scratch is the caller's framing buffer.
func (o *Conn) TryWriteFrames(take func() [][]byte, scratch *[]byte) (n int, done bool, err error) {
	if o.raw == nil || !o.mu.TryLock() {
		return 0, false, nil
	}
	defer o.mu.Unlock()
	msgs := take()
	if o.broken != nil {
		return len(msgs), false, o.broken
	}
	if len(o.pending) > 0 || o.aborted.Load() {
		// Bytes are already waiting for the writer goroutine: these go after them.
		for _, m := range msgs {
			o.pending = appendTextFrame(o.pending, m)
		}
		return len(msgs), false, nil
	}
	buf := (*scratch)[:0]
	defer func() { *scratch = buf }()
	for i, m := range msgs {
		buf = appendTextFrame(buf, m)
		if len(buf) < frameChunk && i < len(msgs)-1 {
			continue
		}
		k, err := o.writeNonBlocking(buf)
		if err != nil {
			o.broken = err
			return len(msgs), false, err
		}
		if k < len(buf) {
			// The socket is full: the rest waits for the writer goroutine.
			o.pending = append(o.pending, buf[k:]...)
			for _, m := range msgs[i+1:] {
				o.pending = appendTextFrame(o.pending, m)
			}
			return len(msgs), false, nil
		}
		buf = buf[:0]
	}
	return len(msgs), true, nil
}

// appendTextFrame appends one unfragmented, unmasked text frame (RFC 6455 section 5.2; a
// server never masks) carrying p.
func appendTextFrame(dst, p []byte) []byte {
	const finText = 0x80 | 0x1
	switch n := len(p); {
	case n <= 125:
		dst = append(dst, finText, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, finText, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finText, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, p...)
}

// Hijacker hands the WebSocket upgrader a Conn in place of the raw connection.
type Hijacker struct {
	http.ResponseWriter
	// Out is the connection handed out by Hijack.
	Out *Conn
}

func (h *Hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("wsout: the HTTP server's response writer cannot be hijacked")
	}
	raw, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.Out = New(raw)
	return h.Out, brw, nil
}

package csta

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the queues and timeouts of a session.
const (
	DefaultSendQueue    = 256              // frames waiting for the writer
	DefaultEventQueue   = 4096             // events waiting for the handler
	DefaultWriteTimeout = 30 * time.Second // a write that takes longer fails the link
	controlQueue        = 64               // automatic answers produced by the reader
	maxWriteBatch       = 64 << 10         // frames coalesced into one write
)

// outFrame is one framed message waiting for the writer.
type outFrame struct {
	data    []byte
	call    *call // FIFO framings: joins the match queue when written
	id      int   // for the trace; -1 when the framing has no invoke ID
	name    string
	body    []byte       // for the trace
	written *writeNotice // optional: told when the frame is on the wire (or not)
	pooled  *[]byte      // data's buffer, from framePool: back to the pool once copied
}

// framePool holds the buffers frames are encoded into: the writer copies a frame into its
// batch and puts the buffer back, so a request costs no buffer allocation of its own.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledFrame is the largest buffer put back into framePool.
const maxPooledFrame = 16 << 10

// writeNotice tells a waiting writer of raw bytes how its write went. Once the writer has
// taken the frame it always reports, so a waiter that sees the session end checks taken
// before giving up.
type writeNotice struct {
	taken atomic.Bool
	err   chan error // buffered, 1
}

// link is what the client Conn and the ServerConn share: one reader goroutine, one writer
// goroutine fed by a bounded queue, the pending table, the trace, and closing.
type link struct {
	nc           net.Conn
	framing      Framing
	edition      atomic.Int32 // Edition; set again when a session negotiates another one
	maxFrame     int
	writeTimeout time.Duration
	pending      *pendingTable
	trace        *tracer
	traceFn      atomic.Pointer[TraceFunc] // full-body trace; nil when off
	out          chan outFrame             // bounded; senders wait with their context
	ctrl         chan outFrame             // answers from the reader; served first, never waited on
	ctx          context.Context           // cancelled when the session ends
	cancel       context.CancelFunc
	closing      <-chan struct{} // ctx.Done()
	done         chan struct{}   // closed when every goroutine has returned
	closeOnce    sync.Once
	errMu        sync.Mutex
	err          error
	wg           sync.WaitGroup
	// handle is called on the reader goroutine for every frame read; it must not block.
	handle func(f Frame, m Message, err error)
}

func newLink(nc net.Conn, framing Framing, ed Edition, maxFrame, sendQueue int, writeTimeout time.Duration, trace *tracer) *link {
	if sendQueue <= 0 {
		sendQueue = DefaultSendQueue
	}
	if writeTimeout <= 0 {
		writeTimeout = DefaultWriteTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &link{
		ctx: ctx, cancel: cancel, closing: ctx.Done(),
		nc: nc, framing: framing, maxFrame: effectiveMax(maxFrame),
		writeTimeout: writeTimeout,
		pending:      newPendingTable(!framing.HasInvokeID()),
		trace:        trace,
		out:          make(chan outFrame, sendQueue),
		ctrl:         make(chan outFrame, controlQueue),
		done:         make(chan struct{}),
	}
	l.edition.Store(int32(ed))
	return l
}

// start runs the reader, the writer and the extra goroutines; all are stopped by close.
func (l *link) start(extra ...func()) {
	for _, fn := range append([]func(){l.readLoop, l.writeLoop}, extra...) {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			fn()
		}()
	}
	go func() {
		l.wg.Wait()
		close(l.done)
	}()
}

// close ends the session with err (the first error wins), closes the socket so that the
// reader and the writer return, and fails every pending request at once.
func (l *link) close(err error) {
	l.closeOnce.Do(func() {
		l.errMu.Lock()
		l.err = err
		l.errMu.Unlock()
		l.cancel()
		_ = l.nc.Close()
		l.pending.failAll(err)
	})
}

// Err returns why the session ended, or nil while it is open.
func (l *link) Err() error {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return l.err
}

func (l *link) readLoop() {
	fr := l.framing.NewReader(l.nc, l.maxFrame)
	if b, ok := fr.(interface{ borrowBodies() }); ok {
		b.borrowBodies() // nothing below keeps a body past the next read
	}
	// The reader's own decoder state: the IDs of one link's calls and devices repeat from
	// event to event, and its recent values (xdoc.values) then cost no copy.
	// Its events of one kind repeat their shape too (event templates).
	doc := newLinkDoc()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			l.close(&TransportError{Op: "read", Err: err})
			return
		}
		m, derr := doc.decode(f.Body)
		if cap(doc.nodes) > maxKeptNodes {
			doc.nodes = nil // one huge document does not pin its tree for the link's life
		}
		name := "undecodable"
		if m != nil {
			name = m.MessageName()
		}
		l.trace.log("recv", l.traceID(f.InvokeID), name, f.Body)
		l.traceFull("recv", l.traceID(f.InvokeID), name, f.Body)
		l.handle(f, m, derr)
	}
}

func (l *link) traceID(id int) int {
	if !l.framing.HasInvokeID() {
		return -1
	}
	return id
}

// writeLoop writes queued frames, answers from the reader first, coalescing whatever is
// queued into one write.
func (l *link) writeLoop() {
	var buf []byte
	var notify []*writeNotice
	for {
		var o outFrame
		select {
		case o = <-l.ctrl:
		default:
			select {
			case o = <-l.ctrl:
			case o = <-l.out:
			case <-l.closing:
				return
			}
		}
		buf, notify = l.appendOut(buf[:0], notify[:0], o)
		buf, notify = l.gather(buf, notify)
		err := l.write(buf)
		for _, n := range notify {
			n.err <- err
		}
		if err != nil {
			l.close(&TransportError{Op: "write", Err: err})
			return
		}
		if cap(buf) > 4*maxWriteBatch {
			buf = nil // do not keep a huge buffer after one large frame
		}
	}
}

// gather appends whatever else is queued, up to maxWriteBatch bytes. When the queue runs
// dry it yields the processor once and looks again: requesters that the reader has just woken
// with their responses (a resync keeps a window of them in flight) queue their next request
// meanwhile, and it goes out in the same write instead of a system call of its own. With
// nothing else runnable the yield returns at once.
func (l *link) gather(buf []byte, notify []*writeNotice) ([]byte, []*writeNotice) {
	yielded := false
	for len(buf) < maxWriteBatch {
		var o outFrame
		select {
		case o = <-l.ctrl:
		case o = <-l.out:
		default:
			if yielded {
				return buf, notify
			}
			yielded = true
			runtime.Gosched()
			continue
		}
		buf, notify = l.appendOut(buf, notify, o)
	}
	return buf, notify
}

func (l *link) appendOut(buf []byte, notify []*writeNotice, o outFrame) ([]byte, []*writeNotice) {
	if o.written != nil {
		o.written.taken.Store(true)
	}
	if o.call != nil && !l.pending.written(o.call) {
		if o.written != nil {
			o.written.err <- context.Canceled
		}
		return buf, notify // abandoned before it was written
	}
	l.trace.log("send", o.id, o.name, o.body)
	l.traceFull("send", o.id, o.name, o.body)
	if o.written != nil {
		notify = append(notify, o.written)
	}
	buf = append(buf, o.data...)
	if o.pooled != nil && cap(o.data) <= maxPooledFrame {
		*o.pooled = o.data[:0]
		framePool.Put(o.pooled)
	}
	return buf, notify
}

func (l *link) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if err := l.nc.SetWriteDeadline(time.Now().Add(l.writeTimeout)); err != nil {
		return err
	}
	_, err := l.nc.Write(b)
	return err
}

// enqueue puts a frame on the writer queue, waiting while the queue is full.
func (l *link) enqueue(ctx context.Context, o outFrame) error {
	if err := ctx.Err(); err != nil {
		return err // do not send what the caller has already given up on
	}
	select {
	case <-l.closing:
		return l.Err()
	default:
	}
	select {
	case l.out <- o: // the queue has room: no select over the context (the usual case)
		return nil
	default:
	}
	select {
	case l.out <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-l.closing:
		return l.Err()
	}
}

// answer queues a frame produced by the reader; it never blocks the reader. A peer that
// outruns the writer with such requests gets its session closed.
func (l *link) answer(o outFrame) {
	select {
	case l.ctrl <- o:
	default:
		l.close(&SessionError{Reason: fmt.Sprintf("%d automatic answers waiting to be written", controlQueue), Err: ErrControlQueueOverflow})
	}
}

// frame encodes m in the link's edition and frames it with invoke ID id.
func (l *link) frame(id int, m Message) (outFrame, error) {
	o := outFrame{id: l.traceID(id), name: m.MessageName()}
	var err error
	if _, ok := l.framing.(HeaderFraming); ok {
		// Encode straight after a reserved header instead of copying the body, into a pooled
		// buffer (a frame that never reaches the writer leaves its buffer to the collector).
		o.pooled = framePool.Get().(*[]byte)
		o.data, err = Encode(append((*o.pooled)[:0], make([]byte, headerLen)...), m, Edition(l.edition.Load()))
		if err != nil {
			return o, err
		}
		total := len(o.data)
		if total > maxHeaderFrame {
			return o, &FrameError{Framing: "header", Kind: FrameTooLarge,
				Detail: fmt.Sprintf("%s encodes to %d bytes, more than the 16-bit length field allows", m.MessageName(), total)}
		}
		if id < 0 || id > EventInvokeID {
			return o, &FrameError{Framing: "header", Kind: FrameBadInvokeID, Detail: fmt.Sprintf("invoke ID %d outside 0-9999", id)}
		}
		o.data[2], o.data[3] = byte(total>>8), byte(total)
		o.data[4], o.data[5], o.data[6], o.data[7] = byte('0'+id/1000), byte('0'+id/100%10), byte('0'+id/10%10), byte('0'+id%10)
		o.body = o.data[headerLen:]
		return o, nil
	}
	body, err := Encode(nil, m, Edition(l.edition.Load()))
	if err != nil {
		return o, err
	}
	o.body = body
	o.data, err = l.framing.AppendFrame(nil, Frame{InvokeID: id, Body: body})
	return o, err
}

// request sends req and waits for its response. A CSTAErrorCode response is returned as
// the *Error; when ctx ends first the slot is freed and a late response is dropped.
//
// With timeout > 0 it also gives up after timeout with context.DeadlineExceeded; the link's
// sweep times it, which costs no context or timer per request.
func (l *link) request(ctx context.Context, req Message, timeout time.Duration) (Message, error) {
	if req == nil {
		return nil, errors.New("csta: nil request")
	}
	c, err := l.pending.add(req.MessageName(), timeout)
	if err != nil {
		return nil, err
	}
	o, err := l.frame(c.id, req)
	if err != nil {
		l.pending.abandon(c)
		return nil, fmt.Errorf("csta: encoding %s: %w", req.MessageName(), err)
	}
	if l.pending.fifo {
		o.call = c
	}
	if err := l.enqueue(ctx, o); err != nil {
		l.pending.abandon(c)
		return nil, err
	}
	select {
	case r := <-c.done:
		l.pending.recycle(c)
		return unwrapResult(r)
	case <-ctx.Done():
		l.pending.abandon(c)
		return nil, ctx.Err()
	}
}

func unwrapResult(r result) (Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	if e, ok := r.msg.(*Error); ok {
		return nil, e
	}
	return r.msg, nil
}

// writeRaw puts b on the wire as it is and waits until it has been written.
func (l *link) writeRaw(ctx context.Context, b []byte) error {
	written := &writeNotice{err: make(chan error, 1)}
	data := append([]byte(nil), b...)
	o := outFrame{data: data, id: -1, name: "raw", body: data, written: written}
	if err := l.enqueue(ctx, o); err != nil {
		return err
	}
	select {
	case err := <-written.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-l.closing:
		if written.taken.Load() {
			return <-written.err // the writer has it and will report
		}
		return l.Err()
	}
}

// isResponse reports whether m answers a request: a CSTAErrorCode or any *Response
// (including responses the codec does not know).
func isResponse(m Message) bool {
	if _, ok := m.(*Error); ok {
		return true
	}
	return strings.HasSuffix(m.MessageName(), "Response")
}

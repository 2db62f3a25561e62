package csta

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// DefaultTraceBody is how many bytes of a message body a trace line shows by default.
const DefaultTraceBody = 160

// tracer writes one readable line per message:
//
//	15:04:05.000000 send 0001 MakeCall 312B <?xml version="1.0"...
//
// Direction is "send" or "recv"; the invoke ID is "----" on framings without one. Whitespace
// in the body is folded so that each message stays on one line. Write errors are ignored:
// the trace is a diagnostic aid and must never affect the session.
type tracer struct {
	mu      sync.Mutex
	w       io.Writer
	bodyMax int
	buf     []byte
}

func newTracer(w io.Writer, bodyMax int) *tracer {
	if w == nil {
		return nil
	}
	if bodyMax <= 0 {
		bodyMax = DefaultTraceBody
	}
	return &tracer{w: w, bodyMax: bodyMax}
}

// log writes a line; invokeID < 0 means the framing carries none.
func (t *tracer) log(dir string, invokeID int, name string, body []byte) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := time.Now().AppendFormat(t.buf[:0], "15:04:05.000000")
	b = append(b, ' ')
	b = append(b, dir...)
	b = append(b, ' ')
	if invokeID < 0 {
		b = append(b, "----"...)
	} else {
		s := strconv.Itoa(invokeID)
		for i := len(s); i < 4; i++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "B "...)
	b = appendFolded(b, body, t.bodyMax)
	b = append(b, '\n')
	t.buf = b
	_, _ = t.w.Write(b)
}

// appendFolded appends up to max bytes of body with runs of whitespace and control bytes
// folded to one space, and "..." when cut.
func appendFolded(b, body []byte, max int) []byte {
	space := false
	for i, c := range body {
		if i >= max {
			return append(b, "..."...)
		}
		if c <= ' ' || c == 0x7f {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return b
}

// TraceRecord is one message as it crossed the wire, for a full-body trace (see TraceFunc).
type TraceRecord struct {
	Time time.Time
	// Dir is "send" (this side to the peer) or "recv" (peer to this side).
	Dir string
	// InvokeID is the frame's invoke ID, or -1 on framings without one.
	InvokeID int
	// Name is the message name ("DeliveredEvent", "MonitorStart"), or "undecodable".
	Name string
	// Body is the complete XML body. It is valid only during the call: copy it to keep it.
	Body []byte
}

// TraceFunc receives every message a session sends and receives, with the whole body. It
// runs on the session's reader and writer goroutines, so it must be quick and must not
// block; it cannot fail the session.
type TraceFunc func(TraceRecord)

// SetTrace sets (nil: clears) the full-body trace of the live session; it takes effect with
// the next message and is safe at any time from any goroutine.
func (c *Conn) SetTrace(fn TraceFunc) { c.link.setTraceFunc(fn) }

// SetTrace sets (nil: clears) the full-body trace of the live session, as Conn.SetTrace.
func (s *ServerConn) SetTrace(fn TraceFunc) { s.link.setTraceFunc(fn) }

func (l *link) setTraceFunc(fn TraceFunc) {
	if fn == nil {
		l.traceFn.Store(nil)
		return
	}
	l.traceFn.Store(&fn)
}

// traceFull hands one message to the full-body trace, if one is set.
func (l *link) traceFull(dir string, invokeID int, name string, body []byte) {
	if fn := l.traceFn.Load(); fn != nil {
		(*fn)(TraceRecord{Time: time.Now(), Dir: dir, InvokeID: invokeID, Name: name, Body: body})
	}
}

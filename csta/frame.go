package csta

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Invoke IDs on header-framed links (ECMA-323 over TCP as most switches implement it).
const (
	MinInvokeID   = 1    // first invoke ID a request may carry
	MaxInvokeID   = 9998 // last invoke ID a request may carry
	EventInvokeID = 9999 // marks unsolicited events
)

// DefaultMaxFrame is the largest frame a reader accepts unless configured otherwise.
const DefaultMaxFrame = 1 << 20

// headerLen is the size of the binary frame header: 2 zero bytes, 2 bytes length, 4 digits.
const headerLen = 8

// maxHeaderFrame is the most a 16-bit length field can announce (header included).
const maxHeaderFrame = 0xFFFF

// Frame is one message on the wire: the XML document and, where the framing has one, its
// invoke ID (0 on framings without invoke IDs).
type Frame struct {
	InvokeID int
	Body     []byte
}

// FrameReader reads one frame at a time from a byte stream.
type FrameReader interface {
	// ReadFrame returns the next frame. A clean end of stream between frames is io.EOF;
	// anything else that stops the stream is a *FrameError. The returned Body is owned
	// by the caller.
	ReadFrame() (Frame, error)
}

// Framing is how XML documents are delimited on a byte stream. Switches differ, so the
// session takes it as a parameter.
type Framing interface {
	// Name identifies the framing in errors and traces.
	Name() string
	// HasInvokeID reports whether frames carry an invoke ID. Without one, responses match
	// requests in the order the requests were sent.
	HasInvokeID() bool
	// NewReader returns a reader of frames of at most maxFrame bytes (DefaultMaxFrame when
	// maxFrame <= 0).
	NewReader(r io.Reader, maxFrame int) FrameReader
	// AppendFrame appends f, framed, to dst.
	AppendFrame(dst []byte, f Frame) ([]byte, error)
}

// FrameErrorKind says what was wrong with a frame.
type FrameErrorKind int

// The ways a frame can be wrong.
const (
	FrameBadPrefix   FrameErrorKind = iota + 1 // header does not start with 0x0000
	FrameBadLength                             // length field smaller than the header
	FrameBadInvokeID                           // invoke ID not four ASCII digits or out of range
	FrameTooLarge                              // frame exceeds the maximum (or, NUL framing, no terminator before it)
	FrameTruncated                             // stream ended inside a frame
	FrameBadBody                               // body cannot be carried by the framing
)

func (k FrameErrorKind) String() string {
	switch k {
	case FrameBadPrefix:
		return "bad prefix"
	case FrameBadLength:
		return "bad length"
	case FrameBadInvokeID:
		return "bad invoke ID"
	case FrameTooLarge:
		return "too large"
	case FrameTruncated:
		return "truncated"
	case FrameBadBody:
		return "bad body"
	}
	return fmt.Sprintf("FrameErrorKind(%d)", int(k))
}

// FrameError reports a frame that could not be read or written. errors.Is(err, target)
// holds for a target *FrameError of the same Kind with no Detail, so the Err* sentinels
// below can be used to test the kind.
type FrameError struct {
	Framing string
	Kind    FrameErrorKind
	Detail  string
	Err     error // underlying cause, e.g. io.ErrUnexpectedEOF for FrameTruncated
}

// Sentinels for errors.Is: errors.Is(err, csta.ErrFrameTooLarge).
var (
	ErrFrameBadPrefix   = &FrameError{Kind: FrameBadPrefix}
	ErrFrameBadLength   = &FrameError{Kind: FrameBadLength}
	ErrFrameBadInvokeID = &FrameError{Kind: FrameBadInvokeID}
	ErrFrameTooLarge    = &FrameError{Kind: FrameTooLarge}
	ErrFrameTruncated   = &FrameError{Kind: FrameTruncated}
	ErrFrameBadBody     = &FrameError{Kind: FrameBadBody}
)

func (e *FrameError) Error() string {
	s := "csta: "
	if e.Framing != "" {
		s += e.Framing + " "
	}
	s += "frame " + e.Kind.String()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *FrameError) Unwrap() error { return e.Err }

// Is matches a sentinel *FrameError of the same kind.
func (e *FrameError) Is(target error) bool {
	t, ok := target.(*FrameError)
	return ok && t.Detail == "" && t.Framing == "" && t.Kind == e.Kind
}

// HeaderFraming is the 8-byte header framing: 0x0000, the big-endian total length including
// the header, four ASCII digits of invoke ID (0001-9998 for requests and responses, 9999
// for events), then the XML body.
type HeaderFraming struct{}

// Name implements Framing.
func (HeaderFraming) Name() string { return "header" }

// HasInvokeID implements Framing.
func (HeaderFraming) HasInvokeID() bool { return true }

// NewReader implements Framing.
func (HeaderFraming) NewReader(r io.Reader, maxFrame int) FrameReader {
	return &headerReader{br: newBufReader(r), max: effectiveMax(maxFrame)}
}

// AppendFrame implements Framing. The invoke ID must be 0-9999 and the whole frame must fit
// the 16-bit length field.
func (HeaderFraming) AppendFrame(dst []byte, f Frame) ([]byte, error) {
	if f.InvokeID < 0 || f.InvokeID > EventInvokeID {
		return dst, &FrameError{Framing: "header", Kind: FrameBadInvokeID,
			Detail: fmt.Sprintf("invoke ID %d outside 0-9999", f.InvokeID)}
	}
	total := headerLen + len(f.Body)
	if total > maxHeaderFrame {
		return dst, &FrameError{Framing: "header", Kind: FrameTooLarge,
			Detail: fmt.Sprintf("%d bytes do not fit the 16-bit length field (max %d)", total, maxHeaderFrame)}
	}
	id := f.InvokeID
	dst = append(dst, 0, 0, byte(total>>8), byte(total),
		byte('0'+id/1000), byte('0'+id/100%10), byte('0'+id/10%10), byte('0'+id%10))
	return append(dst, f.Body...), nil
}

type headerReader struct {
	br    *bufio.Reader
	max   int
	hdr   [headerLen]byte
	block []byte // bodies are cut from it (bodyBuf)
	// borrow: a body that fits the read buffer is returned in place, valid until the next
	// ReadFrame (borrowBodies).
	borrow bool
}

// borrowBodies makes ReadFrame return bodies that are valid only until the next ReadFrame,
// read in place from the read buffer: no copy and no allocation per frame. The link's reader
// sets it: it decodes each frame before reading the next, the decoder copies what it keeps,
// and a TraceFunc's body is valid only during the call.
func (h *headerReader) borrowBodies() { h.borrow = true }

// bodyBlock is the size of the blocks frame bodies are cut from: one allocation serves
// many small frames instead of one each.
const bodyBlock = 16 << 10

// bodyBuf returns n bytes for a frame body. Bodies of small frames are cut from a shared
// block whose bytes are never reused (the next body takes the bytes after it; a full block is
// left to the bodies that point into it), so each body stays the caller's; the capacity is cut
// to n so that an append cannot reach the next body.
func (h *headerReader) bodyBuf(n int) []byte {
	if n > bodyBlock/4 {
		return make([]byte, n)
	}
	if n > cap(h.block)-len(h.block) {
		h.block = make([]byte, 0, bodyBlock)
	}
	k := len(h.block)
	h.block = h.block[:k+n]
	return h.block[k : k+n : k+n]
}

func (h *headerReader) ReadFrame() (Frame, error) {
	n, err := io.ReadFull(h.br, h.hdr[:])
	if err != nil {
		if n == 0 {
			return Frame{}, err // between frames: io.EOF, or the transport's own error
		}
		return Frame{}, truncated("header", fmt.Sprintf("stream ended after %d of %d header bytes", n, headerLen), err)
	}
	if h.hdr[0] != 0 || h.hdr[1] != 0 {
		return Frame{}, &FrameError{Framing: "header", Kind: FrameBadPrefix,
			Detail: fmt.Sprintf("first bytes %#02x %#02x, want 0x00 0x00", h.hdr[0], h.hdr[1])}
	}
	total := int(h.hdr[2])<<8 | int(h.hdr[3])
	if total < headerLen {
		return Frame{}, &FrameError{Framing: "header", Kind: FrameBadLength,
			Detail: fmt.Sprintf("length %d is less than the %d-byte header", total, headerLen)}
	}
	id := 0
	for _, c := range h.hdr[4:] {
		if c < '0' || c > '9' {
			return Frame{}, &FrameError{Framing: "header", Kind: FrameBadInvokeID,
				Detail: fmt.Sprintf("invoke ID %q is not four ASCII digits", h.hdr[4:])}
		}
		id = id*10 + int(c-'0')
	}
	if total > h.max {
		return Frame{}, &FrameError{Framing: "header", Kind: FrameTooLarge,
			Detail: fmt.Sprintf("length %d exceeds the maximum of %d", total, h.max)}
	}
	if n := total - headerLen; h.borrow && n <= h.br.Size() {
		body, err := h.br.Peek(n)
		if err != nil {
			return Frame{}, truncated("header", fmt.Sprintf("stream ended after %d of %d body bytes", len(body), n), err)
		}
		_, _ = h.br.Discard(n)
		return Frame{InvokeID: id, Body: body}, nil
	}
	body := h.bodyBuf(total - headerLen)
	if n, err := io.ReadFull(h.br, body); err != nil {
		return Frame{}, truncated("header", fmt.Sprintf("stream ended after %d of %d body bytes", n, len(body)), err)
	}
	return Frame{InvokeID: id, Body: body}, nil
}

// truncated builds the error for a stream that ended inside a frame; a bare EOF becomes
// io.ErrUnexpectedEOF, other read errors are kept as the cause.
func truncated(framing, detail string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &FrameError{Framing: framing, Kind: FrameTruncated, Detail: detail, Err: err}
}

func effectiveMax(maxFrame int) int {
	if maxFrame <= 0 {
		return DefaultMaxFrame
	}
	return maxFrame
}

func newBufReader(r io.Reader) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return br
	}
	return bufio.NewReaderSize(r, 32<<10)
}

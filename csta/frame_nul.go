package csta

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// NULFraming delimits XML documents with a NUL byte. There is no invoke ID on the wire, so
// responses match requests in the order the requests were sent. Whitespace between a NUL
// and the next document is skipped, and so are empty documents (a lone NUL).
type NULFraming struct{}

// Name implements Framing.
func (NULFraming) Name() string { return "nul" }

// HasInvokeID implements Framing.
func (NULFraming) HasInvokeID() bool { return false }

// NewReader implements Framing.
func (NULFraming) NewReader(r io.Reader, maxFrame int) FrameReader {
	return &nulReader{br: newBufReader(r), max: effectiveMax(maxFrame)}
}

// AppendFrame implements Framing; f.InvokeID is not carried. The body must be non-empty and
// must not contain a NUL byte.
func (NULFraming) AppendFrame(dst []byte, f Frame) ([]byte, error) {
	if len(bytes.TrimLeft(f.Body, xmlSpace)) == 0 {
		return dst, &FrameError{Framing: "nul", Kind: FrameBadBody, Detail: "empty body cannot be framed"}
	}
	if i := bytes.IndexByte(f.Body, 0); i >= 0 {
		return dst, &FrameError{Framing: "nul", Kind: FrameBadBody,
			Detail: fmt.Sprintf("body contains a NUL byte at offset %d", i)}
	}
	dst = append(dst, f.Body...)
	return append(dst, 0), nil
}

// xmlSpace is the whitespace XML allows between documents.
const xmlSpace = " \t\r\n"

type nulReader struct {
	br  *bufio.Reader
	max int
	// borrow: bodies are built in buf, valid until the next ReadFrame (borrowBodies).
	borrow bool
	buf    []byte
}

// borrowBodies makes ReadFrame build every body in one buffer, valid only until the next
// ReadFrame, as headerReader's.
func (n *nulReader) borrowBodies() { n.borrow = true }

// maxBorrowBuf is the largest body buffer a borrowing reader keeps for the next frame.
const maxBorrowBuf = 64 << 10

func (n *nulReader) ReadFrame() (Frame, error) {
	var body []byte
	if n.borrow {
		body = n.buf[:0]
	}
	for {
		chunk, err := n.br.ReadSlice(0)
		terminated := err == nil
		if terminated {
			chunk = chunk[:len(chunk)-1]
		}
		if len(body) == 0 {
			chunk = bytes.TrimLeft(chunk, xmlSpace)
		}
		body = append(body, chunk...)
		if len(body) > n.max {
			return Frame{}, &FrameError{Framing: "nul", Kind: FrameTooLarge,
				Detail: fmt.Sprintf("no NUL terminator within the maximum of %d bytes", n.max)}
		}
		switch {
		case terminated:
			if len(body) == 0 {
				continue // lone NUL or whitespace between documents
			}
			if n.borrow && cap(body) <= maxBorrowBuf {
				n.buf = body
			}
			return Frame{Body: body}, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case len(body) == 0:
			return Frame{}, err // between frames: io.EOF, or the transport's own error
		default:
			return Frame{}, truncated("nul", fmt.Sprintf("stream ended after %d bytes without a NUL terminator", len(body)), err)
		}
	}
}

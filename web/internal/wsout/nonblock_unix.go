//go:build unix

package wsout

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// nbWrite is the state of one non-blocking write, reused through nbPool: a closure over a
// write's locals escapes (RawConn.Write takes it through an interface), which cost three
// allocations per write, and the hub makes one write per client and burst.
type nbWrite struct {
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool // w.write, made once per nbWrite
}

var nbPool = sync.Pool{New: func() any { w := &nbWrite{}; w.fn = w.write; return w }}

// write makes write calls while the socket accepts bytes. It always returns true: waiting for
// the poller is the writer goroutine's job.
func (w *nbWrite) write(fd uintptr) bool {
	for w.n < len(w.b) {
		k, err := syscall.Write(int(fd), w.b[w.n:])
		if k > 0 {
			w.n += k
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true
		case err != nil:
			w.err = err
			return true
		case k == 0:
			return true
		}
	}
	return true
}

// writeNonBlocking makes write calls while the socket accepts bytes and returns how many it
// took. A full socket, or a deadline that has passed, is not an error: the writer goroutine
// goes on from there.
func (o *Conn) writeNonBlocking(b []byte) (int, error) {
	w := nbPool.Get().(*nbWrite)
	w.b, w.n, w.err = b, 0, nil
	err := o.raw.Write(w.fn)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
	nbPool.Put(w)
	if werr != nil {
		return n, werr
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return n, err
	}
	return n, nil
}

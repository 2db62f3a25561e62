//go:build unix

package wsout

import (
	"errors"
	"os"
	"syscall"
)

// writeNonBlocking makes write calls while the socket accepts bytes and returns how many it
// took. A full socket, or a deadline that has passed, is not an error: the writer goroutine
// goes on from there.
func (o *Conn) writeNonBlocking(b []byte) (int, error) {
	n := 0
	var werr error
	err := o.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			k, err := syscall.Write(int(fd), b[n:])
			if k > 0 {
				n += k
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return true
			case err != nil:
				werr = err
				return true
			case k == 0:
				return true
			}
		}
		return true // never wait for the poller: that is the writer goroutine's job
	})
	if werr != nil {
		return n, werr
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return n, err
	}
	return n, nil
}

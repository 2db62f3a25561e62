//go:build !unix

package wsout

// writeNonBlocking writes nothing where the socket offers no non-blocking write call the
// writer can use: every byte goes through the writer goroutine.
func (o *Conn) writeNonBlocking(b []byte) (int, error) { return 0, nil }

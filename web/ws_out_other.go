//go:build !unix

package web

// writeNonBlocking writes nothing where the socket offers no non-blocking write call the
// writer can use: every byte goes through the writer goroutine.
func (o *wsOut) writeNonBlocking(b []byte) (int, error) { return 0, nil }

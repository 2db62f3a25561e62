//go:build !unix

package redistest

import "syscall"

// Without job-control signals Pause and Resume cannot freeze the server; redis-server, which
// these helpers start, runs on Unix systems only anyway.
const (
	sigStop = syscall.Signal(0)
	sigCont = syscall.Signal(0)
)

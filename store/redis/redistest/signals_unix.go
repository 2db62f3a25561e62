//go:build unix

package redistest

import "syscall"

// The signals that freeze and continue a redis-server (Pause, Resume).
const (
	sigStop = syscall.SIGSTOP
	sigCont = syscall.SIGCONT
)

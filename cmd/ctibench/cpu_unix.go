//go:build unix

package main

import (
	"syscall"
	"time"
)

// selfCPU is the CPU time (user and system) the bench process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

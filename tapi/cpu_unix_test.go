//go:build unix

package tapi

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used: on a shared host the
// CPU per operation is steadier than the wall time, and it counts the collector's share.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

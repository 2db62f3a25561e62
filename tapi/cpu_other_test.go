//go:build !unix

package tapi

import "time"

// processCPU is not measured where getrusage is missing: benchmarks report 0 cpu-ns/op.
func processCPU() time.Duration { return 0 }

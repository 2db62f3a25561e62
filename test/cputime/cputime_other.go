//go:build !unix

package cputime

import "time"

// Process is not measured where getrusage is missing: callers report 0.
func Process() time.Duration { return 0 }

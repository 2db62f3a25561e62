//go:build !unix

package main

import "time"

// selfCPU is not measured where getrusage is missing: the report shows 0 for the bench.
func selfCPU() time.Duration { return 0 }

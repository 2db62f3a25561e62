//go:build unix

package cputime

import "testing"

// Work done by the process shows as CPU time, and the figure never goes back.
func TestProcessGrowsWithWork(t *testing.T) {
	before := Process()
	if before <= 0 {
		t.Fatalf("Process() = %v before any work, want the CPU time used to start the test", before)
	}
	x := 0
	for after := Process(); after <= before; after = Process() {
		for i := range 1_000_000 {
			x += i % 7
		}
	}
	if x < 0 {
		t.Fatal(x)
	}
}

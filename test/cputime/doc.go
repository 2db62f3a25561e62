// Package cputime reads the CPU time (user and system) the process has used, from
// getrusage(2). Benchmarks and ctibench report CPU per operation with it: on a shared host it
// is steadier than the wall time, and it counts the collector's share.
package cputime

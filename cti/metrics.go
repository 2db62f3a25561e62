package cti

import (
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Metrics receives what the engine does, for Prometheus or tests. Calls come from the
// engine's goroutines concurrently and must not block.
type Metrics interface {
	// Batch: one fenced store write of a PBX with events CSTA events reduced into written
	// client events, taking took.
	Batch(pbx string, cstaEvents, events int, took time.Duration)
	// LinkState: a PBX node went up or down.
	LinkState(pbx, node string, up bool)
	// Switchover: a PBX moved from one node to another (from is "" when none was up).
	Switchover(pbx, from, to, reason string)
	// Resync: a resync finished.
	Resync(pbx string, mode ResyncMode, took time.Duration)
	// Command: a client request finished with result (0 for success).
	Command(pbx string, op Op, result tapi.LineErr, took time.Duration)
	// Owner: this instance gained or lost a PBX's lease.
	Owner(pbx string, owned bool)
}

type noMetrics struct{}

func (noMetrics) Batch(string, int, int, time.Duration)           {}
func (noMetrics) LinkState(string, string, bool)                  {}
func (noMetrics) Switchover(string, string, string, string)       {}
func (noMetrics) Resync(string, ResyncMode, time.Duration)        {}
func (noMetrics) Command(string, Op, tapi.LineErr, time.Duration) {}
func (noMetrics) Owner(string, bool)                              {}

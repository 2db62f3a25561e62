package storetest

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// Options are the settings an implementation must apply to the backends it makes for the
// suite. They are small so that trimming, capping and slow-subscriber drops happen quickly.
type Options struct {
	// MaxLogLen is the number of newest log entries a PBX's log keeps at least.
	MaxLogLen int
	// HistoryMaxRecords is the exact number of newest call records kept per PBX.
	HistoryMaxRecords int
	// HistoryScan is the most records one History call examines per PBX; small, so that
	// pages end early and the merge of PBXs is exercised.
	HistoryScan int
	// SubscriberBuffer is the number of entries a subscription buffers before it is dropped.
	SubscriberBuffer int
}

// SuiteOptions are the Options the suite passes to NewBackend.
var SuiteOptions = Options{MaxLogLen: 100, HistoryMaxRecords: 20, HistoryScan: 7, SubscriberBuffer: 64}

// LeaseTTL is the short TTL of leases the suite waits to expire.
const LeaseTTL = 200 * time.Millisecond

// longTTL is the TTL of leases that must stay held while a test runs, however loaded the box.
const longTTL = 10 * time.Minute

// waitLimit bounds every wait of the suite; it only matters when an implementation hangs.
const waitLimit = 30 * time.Second

// Opener opens a handle on one backend, as one bridge instance would. The implementation
// closes it in t.Cleanup.
type Opener func(t *testing.T) store.Store

// NewBackend makes a fresh, empty backend configured with opts.
type NewBackend func(t *testing.T, opts Options) Opener

type contractTest struct {
	name string
	run  func(t *testing.T, nb NewBackend)
}

// Run runs the whole contract suite against the backends newBackend makes.
func Run(t *testing.T, newBackend NewBackend) {
	t.Helper()
	groups := [][]contractTest{stateTests, journalTests, historyTests, fenceTests, leaseTests, logTests,
		subscribeTests, concurrencyTests, commandTests, lifecycleTests, webhookTests, repeatTests}
	for _, g := range groups {
		for _, ct := range g {
			t.Run(ct.name, func(t *testing.T) { ct.run(t, newBackend) })
		}
	}
}

// open makes a fresh backend with SuiteOptions and returns a first instance and the opener
// for more.
func open(t *testing.T, nb NewBackend) (store.Store, Opener) {
	t.Helper()
	o := nb(t, SuiteOptions)
	return o(t), o
}

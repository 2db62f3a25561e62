package memory

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts storetest.Options) storetest.Opener {
		s := New(Options{MaxLogLen: opts.MaxLogLen, HistoryMaxRecords: opts.HistoryMaxRecords,
			HistoryScan: opts.HistoryScan, SubscriberBuffer: opts.SubscriberBuffer})
		t.Cleanup(func() { s.Close() })
		// One process, one store: every "instance" shares it.
		return func(*testing.T) store.Store { return s }
	})
}

package memory

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// BenchmarkApply measures fenced Apply throughput with 1 and 16 events per batch, alone and
// with 4 subscribers draining the feed; events/s is the figure the engine needs (50,000).
func BenchmarkApply(b *testing.B) {
	for _, subs := range []int{0, 4} {
		for _, per := range []int{1, 16} {
			b.Run(fmt.Sprintf("events=%d/subscribers=%d", per, subs), func(b *testing.B) {
				benchApply(b, per, subs)
			})
		}
	}
}

func benchApply(b *testing.B, per, subs int) {
	ctx := context.Background()
	s := New(Options{})
	defer s.Close()
	l, err := s.AcquireLease(ctx, "hq", "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	for range subs {
		sub, err := s.Subscribe(ctx, "hq")
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			for range sub.C() {
			}
		})
	}
	evs := storetest.Events("hq", "bench", per)
	// Each batch also stores the call it concerns, as the engine's batches do.
	batch := store.Batch{Events: evs, Calls: []tapi.Call{storetest.Call("hq", "201", 1)}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Apply(ctx, "hq", l.Fence(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "events/s")
	s.Close() // ends the subscriptions, so the drainers return
	wg.Wait()
}

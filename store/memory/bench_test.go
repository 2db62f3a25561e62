package memory

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
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
	a := newApplyBench(b, subs)
	evs := storetest.Events("hq", "bench", per)
	// Each batch also stores the call it concerns, as the engine's batches do.
	batch := store.Batch{Events: evs, Calls: []tapi.Call{storetest.Call("hq", "201", 1)}}
	b.ReportAllocs()
	b.ResetTimer()
	var sent int64
	for b.Loop() {
		if _, err := a.s.Apply(ctx, "hq", a.fence, batch); err != nil {
			b.Fatal(err)
		}
		sent += int64(per)
		a.pace(sent)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "events/s")
	a.finish(b)
}

// applyBench is a store with hq's lease taken and subs subscribers that drain their
// subscriptions, counting what they received.
type applyBench struct {
	s        *Store
	fence    store.Fence
	subs     []store.Subscription
	received []atomic.Int64
	wg       sync.WaitGroup
}

func newApplyBench(b *testing.B, subs int) *applyBench {
	ctx := context.Background()
	a := &applyBench{s: New(Options{}), received: make([]atomic.Int64, subs)}
	b.Cleanup(func() { a.s.Close() })
	l, err := a.s.AcquireLease(ctx, "hq", "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	a.fence = l.Fence()
	for i := range subs {
		sub, err := a.s.Subscribe(ctx, "hq")
		if err != nil {
			b.Fatal(err)
		}
		a.subs = append(a.subs, sub)
		a.wg.Go(func() {
			for range sub.C() {
				a.received[i].Add(1)
			}
		})
	}
	return a
}

// pace keeps the subscribers within their buffers: one that fell behind would be dropped
// and cost nothing from then on. The figure is the pace they sustain.
func (a *applyBench) pace(sent int64) {
	for i := range a.received {
		for sent-a.received[i].Load() > DefaultSubscriberBuffer/2 {
			runtime.Gosched()
		}
	}
}

// finish fails the benchmark if a subscriber was dropped, then ends the subscriptions.
func (a *applyBench) finish(b *testing.B) {
	for _, sub := range a.subs {
		if errors.Is(sub.Err(), store.ErrSlowSubscriber) {
			b.Fatal("a subscriber was dropped")
		}
	}
	a.s.Close() // ends the subscriptions, so the drainers return
	a.wg.Wait()
}

// fullStore returns a store whose hq log holds DefaultMaxLogLen entries (realistic call events)
// and whose 1,000 lines hold 50 finished calls each: what a busy bridge retains.
func fullStore(b *testing.B) (*Store, store.Position) {
	ctx := context.Background()
	s := New(Options{})
	l, err := s.AcquireLease(ctx, "hq", "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	evs := storetest.Events("hq", "full", 16)
	for n := 0; n < DefaultMaxLogLen; n += len(evs) {
		// Distinct strings per batch, as the engine's events have.
		for i := range evs {
			evs[i].Detail = fmt.Sprintf("full#%d", n+i)
		}
		if _, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: evs}); err != nil {
			b.Fatal(err)
		}
	}
	for n := 0; n < 1000*50; n++ {
		j := []store.JournalEntry{storetest.JournalEntry(fmt.Sprintf("hq/%d", 1000+n%1000), n)}
		if _, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Journal: j}); err != nil {
			b.Fatal(err)
		}
	}
	p, _ := s.Position(ctx, "hq")
	return s, p
}

// BenchmarkGCFullStore measures a full garbage collection with a full store: the collector's
// work per cycle for what the store retains (the log's 100,000 entries and the journals).
func BenchmarkGCFullStore(b *testing.B) {
	s, _ := fullStore(b)
	defer s.Close()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for b.Loop() {
		runtime.GC()
	}
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MiB")
	runtime.KeepAlive(s)
}

// BenchmarkReplay measures a replay page of 1,000 entries from a full log (a resuming client
// or the hub catching up).
func BenchmarkReplay(b *testing.B) {
	s, p := fullStore(b)
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		es, err := s.Replay(ctx, "hq", p.Epoch, p.Offset-5000, 1000)
		if err != nil || len(es) != 1000 {
			b.Fatal(len(es), err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkHistory measures history queries on a full store (50,000 records of 1,000 lines):
// the newest page, and one line's 50 records, which needs a scan of the whole history in
// steps of Options.HistoryScan.
func BenchmarkHistory(b *testing.B) {
	s, _ := fullStore(b)
	defer s.Close()
	ctx := context.Background()
	b.Run("NewestPage", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := s.History(ctx, store.HistoryQuery{Limit: 50})
			if err != nil || len(page.Records) != 50 {
				b.Fatal(len(page.Records), err)
			}
		}
	})
	b.Run("OneLine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			j, err := s.Journal(ctx, "hq/1500", 0, 50)
			if err != nil || len(j) != 50 {
				b.Fatal(len(j), err)
			}
		}
	})
}

//go:build unix

package memory

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctibridge/ctibridge/store"
)

// BenchmarkApplySaturation measures Apply as the engine calls it at saturation: batches of
// about 800 events from 1,000 calls under way at once on 2,000 lines (new calls, state
// changes, removals and call records, as callGen makes them), with the log and the history
// full and one subscriber draining the feed. Between batches a walk over 16 MiB evicts the
// caches, as the bridge's other work does: the store's maps and values are cold, as they are
// in the bridge. apply-ns/event is Apply's own wall time, apply-cpu-ns/event its thread's CPU
// time (on a loaded host the steadier figure).
func BenchmarkApplySaturation(b *testing.B) { benchApplySaturation(b, 1) }

// BenchmarkApplySaturationWrite is BenchmarkApplySaturation without a subscriber: the write
// path alone (encoding, the call table, the history, the log), without the delivery's share.
func BenchmarkApplySaturationWrite(b *testing.B) { benchApplySaturation(b, 0) }

func benchApplySaturation(b *testing.B, subs int) {
	runtime.LockOSThread() // for the thread's CPU time
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	a := newApplyBench(b, subs)
	m := newMergedCalls(1000)
	evict := make([]byte, 16<<20)
	var cpu time.Duration
	apply := func() (time.Duration, int) {
		batch := m.next(800)
		start, cpu0 := time.Now(), threadCPU()
		if _, err := a.s.Apply(ctx, "hq", a.fence, batch); err != nil {
			b.Fatal(err)
		}
		cpu += threadCPU() - cpu0
		return time.Since(start), len(batch.Events)
	}
	var sent int64
	for p := a.s.existing("hq"); p == nil || len(p.hist.live()) < store.DefaultHistoryMaxRecords; p = a.s.existing("hq") {
		_, n := apply()
		sent += int64(n)
		a.pace(sent)
	}
	var took time.Duration
	var events int64
	cpu = 0
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(evict); i += 64 {
			evict[i]++
		}
		d, n := apply()
		took += d
		events += int64(n)
		sent += int64(n)
		a.pace(sent)
	}
	b.StopTimer()
	b.ReportMetric(float64(took.Nanoseconds())/float64(events), "apply-ns/event")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(events), "apply-cpu-ns/event")
	a.finish(b)
}

// threadCPU is the calling thread's CPU time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// mergedCalls merges the batches of many callGens into the engine's large batches: each call
// gives its next batch in turn.
type mergedCalls struct {
	gens    []*callGen
	pending [][]store.Batch // each generator's batches not merged yet
	k       int             // the generator whose batch comes next
	batches int
	start   time.Time
	out     store.Batch
}

func newMergedCalls(calls int) *mergedCalls {
	m := &mergedCalls{start: time.Now()}
	for i := range calls {
		ext := strconv.Itoa(10000 + 2*i)
		m.gens = append(m.gens, newCallGenOn("hq", ext, strconv.Itoa(10001+2*i), ext+"-"))
		m.pending = append(m.pending, nil)
	}
	return m
}

// next returns a batch of at least n events, valid until the following call.
func (m *mergedCalls) next(n int) store.Batch {
	m.out = store.Batch{Events: m.out.Events[:0], Calls: m.out.Calls[:0], RemovedCalls: m.out.RemovedCalls[:0],
		Journal: m.out.Journal[:0]}
	for len(m.out.Events) < n {
		if len(m.pending[m.k]) == 0 {
			m.pending[m.k] = m.gens[m.k].next()
		}
		b := m.pending[m.k][0]
		m.pending[m.k] = m.pending[m.k][1:]
		m.out.Events = append(m.out.Events, b.Events...)
		m.out.Calls = append(m.out.Calls, b.Calls...)
		m.out.RemovedCalls = append(m.out.RemovedCalls, b.RemovedCalls...)
		m.out.Journal = append(m.out.Journal, b.Journal...)
		m.out.NextHandle = max(m.out.NextHandle, b.NextHandle)
		m.k = (m.k + 1) % len(m.gens)
	}
	// The calls end as the batch is made, in the order of the batches, as the engine's do.
	m.batches++
	for i := range m.out.Journal {
		m.out.Journal[i].Ended = m.start.Add(time.Duration(m.batches) * time.Millisecond)
	}
	return m.out
}

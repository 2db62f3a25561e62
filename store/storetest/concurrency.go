package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

var concurrencyTests = []contractTest{
	{"Concurrency/ApplyTotalOrder", testConcurrentApply},
}

// testConcurrentApply has many goroutines, on two instances, apply under one lease at once.
// Every event must get a unique offset, each batch a contiguous run, and the log must hold
// each event at the offset its Apply reported.
func testConcurrentApply(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	stores := []store.Store{s, open2(t)}
	f := acquire(t, s, "hq", "a", longTTL).Fence()
	epoch := position(t, s, "hq").Epoch
	const workers, rounds = 8, 25

	var mu sync.Mutex
	byOffset := map[uint64]tapi.Event{}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			st := stores[w%2]
			for r := range rounds {
				evs := Events("hq", fmt.Sprintf("w%d.r%d", w, r), 1+(w+r)%3)
				line := Line("hq", fmt.Sprintf("%d", 500+w))
				a, err := st.Apply(testCtx(t), "hq", f, store.Batch{Lines: []tapi.Line{line}, Events: evs})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
				if a.Len() != len(evs) {
					errs <- fmt.Errorf("worker %d round %d: appended %+v for %d events", w, r, a, len(evs))
					return
				}
				mu.Lock()
				for i := range evs {
					if _, dup := byOffset[a.Offset(i)]; dup {
						mu.Unlock()
						errs <- fmt.Errorf("offset %d given twice", a.Offset(i))
						return
					}
					byOffset[a.Offset(i)] = evs[i]
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	n := uint64(len(byOffset))
	if p := position(t, s, "hq"); p.Offset != n {
		t.Fatalf("position %d after %d concurrent events", p.Offset, n)
	}
	want := make([]tapi.Event, n)
	for off, ev := range byOffset {
		if off < 1 || off > n {
			t.Fatalf("offset %d outside 1..%d", off, n)
		}
		want[off-1] = ev
	}
	// The suite's log keeps MaxLogLen entries; the newest of them must be what Apply reported.
	from := n - uint64(min(SuiteOptions.MaxLogLen, int(n)))
	checkEntries(t, "log after concurrent applies", replay(t, s, "hq", epoch, from, 0), "hq", epoch, from+1, want[from:])
	if got := len(load(t, s, "hq").Lines); got != workers {
		t.Fatalf("%d lines stored by %d workers", got, workers)
	}
}

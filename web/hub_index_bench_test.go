package web

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// BenchmarkHubLineIndex fans out entries that every feed has already (their marks are
// ahead), as BenchmarkHubFanOut's sessions follow ctibench's lines: what is left is the
// fan-out's own work per entry, the look-up of the line's feeds and the check of their marks,
// without the encoding and queueing of the messages. cold evicts the caches between runs
// (as the engine's and the store's work between two runs of the hub do at saturation).
// cpu-ns/op is the CPU time of the fan-out's calls alone, without the eviction.
//
//	go test ./web -run '^$' -bench HubLineIndex -benchmem -count 6
func BenchmarkHubLineIndex(b *testing.B) {
	evs := benchEvents(4096, 5000)
	for _, cold := range []bool{false, true} {
		name := "warm"
		if cold {
			name = "cold"
		}
		b.Run(name, func(b *testing.B) {
			h := benchHub(b, 10, 5000)
			for f := range h.feeds {
				h.setMarks(f, h.feedLines(f), store.Position{Epoch: "E", Offset: 1 << 62}, true)
			}
			var evict []byte
			if cold {
				evict = make([]byte, 6<<20) // more than a core's L2
			}
			run := make([]store.Entry, 0, fanOutBurst)
			b.ReportAllocs()
			var cpu time.Duration
			i := 0
			for b.Loop() {
				run = append(run, store.Entry{PBX: "hq", Epoch: "E", Offset: uint64(i + 1), Event: evs[i%len(evs)]})
				if len(run) == cap(run) {
					cpu0 := cputime.Process()
					h.fanOutRun(run)
					cpu += cputime.Process() - cpu0
					run = run[:0]
					if cold {
						b.StopTimer()
						for k := 0; k < len(evict); k += 64 {
							evict[k]++
						}
						b.StartTimer()
					}
				}
				i++
			}
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkHubFanOutCold is BenchmarkHubFanOut's 10 sessions in runs of 64 entries (as in the
// bursts of a saturated hub), with the caches evicted between runs: at saturation the engine
// and the store work between two runs of the hub, on this core and the other, so that the
// index, the events' payloads and the queues are no longer in the hub's core's caches.
// cpu-ns/op is the CPU time of the fan-out's calls (and the flushers' taking of the queues),
// without the eviction.
//
//	go test ./web -run '^$' -bench HubFanOutCold -benchmem -count 6
func BenchmarkHubFanOutCold(b *testing.B) {
	evs := benchEvents(4096, 5000)
	h := benchHub(b, 10, 5000)
	evict := make([]byte, 6<<20) // more than a core's L2
	run := make([]store.Entry, 0, 64)
	b.ReportAllocs()
	var cpu time.Duration
	i := 0
	for b.Loop() {
		run = append(run, store.Entry{PBX: "hq", Epoch: "E", Offset: uint64(i + 1), Event: evs[i%len(evs)]})
		if len(run) == cap(run) {
			cpu0 := cputime.Process()
			h.fanOutRun(run)
			conns := h.takeBurst()
			for _, c := range conns {
				c.recycleQueue(c.takeQueue())
			}
			cpu += cputime.Process() - cpu0
			clear(conns)
			h.spare <- conns[:0]
			run = run[:0]
			b.StopTimer()
			for k := 0; k < len(evict); k += 64 {
				evict[k]++
			}
			b.StartTimer()
		}
		i++
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

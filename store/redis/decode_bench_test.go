package redisstore

import (
	"testing"

	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// BenchmarkDecodeEvent: what a follower pays to decode each event it reads from PUB/SUB or
// the stream (the storetest mix: a new call, a call state, a line state, a link status).
func BenchmarkDecodeEvent(b *testing.B) {
	evs := storetest.Events("hq", "bench", 4)
	js := make([]string, len(evs))
	for i := range evs {
		b, err := evs[i].AppendJSON(nil)
		if err != nil {
			panic(err)
		}
		js[i] = string(b)
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		if _, _, err := decodeEvent(js[i%len(js)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

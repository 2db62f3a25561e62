package tapi

import (
	"fmt"
	"testing"
)

// BenchmarkSlabsCloneBatch copies batches of call events (a new call, then state and info
// changes, as the reducer makes them) for subscribers: from blocks kept from batch to batch
// ("blocks"), or so and with Reserve for each batch ("both", as the memory store does);
// "clone" is Event.Clone, one allocation per payload.
func BenchmarkSlabsCloneBatch(b *testing.B) {
	for _, n := range []int{1, 4, 16, 800} {
		batch := make([]Event, n)
		for i := range batch {
			e := &batch[i]
			e.Type, e.Handle = LineCallState, MakeHandle("hq", uint64(i/4))
			switch i % 4 {
			case 0:
				e.Type = LineNewCall
				e.Call = &Call{Handle: e.Handle, Line: "hq/201", CallID: fmt.Sprint("C", i), Parties: []string{"300"}}
			case 2:
				e.Type, e.CallInfo = LineCallInfo, &CallInfoEvent{Changed: LINECALLINFOSTATE_CALLERID}
			default:
				e.CallState = &CallStatus{State: LINECALLSTATE_CONNECTED}
			}
		}
		out := make([]Event, n)
		b.Run(fmt.Sprintf("events=%d/blocks", n), func(b *testing.B) {
			b.ReportAllocs()
			var s Slabs
			for b.Loop() {
				for i := range batch {
					out[i] = s.CloneEvent(&batch[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
		b.Run(fmt.Sprintf("events=%d/both", n), func(b *testing.B) {
			b.ReportAllocs()
			var s Slabs
			for b.Loop() {
				var sizes SlabSizes
				for i := range batch {
					sizes.Count(&batch[i])
				}
				s.Reserve(sizes)
				for i := range batch {
					out[i] = s.CloneEvent(&batch[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
		b.Run(fmt.Sprintf("events=%d/clone", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range batch {
					out[i] = batch[i].Clone()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}

package tapi

import (
	"fmt"
	"testing"
)

// BenchmarkReadModelCalls: the engine view's work per call on a PBX of 5,000 lines with
// about two calls per line: a call put, changed twice, dropped. One op is one call.
func BenchmarkReadModelCalls(b *testing.B) {
	const lines, live = 5000, 10000
	m := NewReadModel()
	names := make([]string, lines)
	for i := range names {
		names[i] = fmt.Sprintf("hq/%d", 2000+i)
		m.PutLine(Line{Name: names[i]})
	}
	const ring = 1 << 16
	handles := make([]CallHandle, ring)
	for i := range handles {
		handles[i] = MakeHandle("hq", uint64(i))
	}
	call := func(n int) Call {
		// Lines taken in a scattered order, as calls arrive on a busy PBX.
		return Call{Handle: handles[n%ring], Line: names[(n*7919)%lines], CallID: "c",
			CallStatus: CallStatus{State: LINECALLSTATE_OFFERING}}
	}
	for n := range live {
		m.PutCall(call(n))
	}
	b.ReportAllocs()
	n := live
	for b.Loop() {
		c := call(n)
		m.PutCall(c)
		c.State = LINECALLSTATE_CONNECTED
		m.PutCall(c)
		c.State = LINECALLSTATE_DISCONNECTED
		m.PutCall(c)
		m.DropCall(handles[(n-live)%ring])
		n++
	}
}

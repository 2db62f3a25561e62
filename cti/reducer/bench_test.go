package reducer

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// BenchmarkApply measures the reducer on a realistic mix: internal calls between monitored
// lines, each seen by both ends (SI, Originated, Delivered x2, Established x2, ConnectionCleared
// x2, ConnectionCleared), over 1,000 lines with 100 calls in flight. One op is one event.
func BenchmarkApply(b *testing.B) {
	const lines = 1000
	s := NewState("hq")
	for i := range lines {
		s.AddLine(fmt.Sprint(2000+i), "")
	}
	type ev struct {
		line string
		e    csta.Event
	}
	var script []ev
	for n := range 100 {
		a, c := fmt.Sprint(2000+(2*n)%lines), fmt.Sprint(2000+(2*n+1)%lines)
		id := fmt.Sprintf("B%d", n)
		script = append(script,
			ev{a, &csta.ServiceInitiatedEvent{InitiatedConnection: cn(id, a), InitiatingDevice: dev(a)}},
			ev{a, &csta.OriginatedEvent{OriginatedConnection: cn(id, a), CallingDevice: dev(a), CalledDevice: dev(c)}})
		d := &csta.DeliveredEvent{Connection: cn(id, c), AlertingDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
		e := &csta.EstablishedEvent{EstablishedConnection: cn(id, c), AnsweringDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
		x := &csta.ConnectionClearedEvent{DroppedConnection: cn(id, c), ReleasingDevice: dev(c)}
		script = append(script, ev{a, d}, ev{c, d}, ev{a, e}, ev{c, e}, ev{a, x}, ev{c, x},
			ev{a, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, a), ReleasingDevice: dev(a)}})
	}
	now := time.Unix(0, 0)
	b.ReportAllocs()
	b.ResetTimer()
	var events int
	cpu0 := cputime.Process()
	for i := range b.N {
		st := script[i%len(script)]
		res := s.Apply(st.line, st.e, now)
		events += len(res.Events)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	if b.N >= len(script) && events == 0 {
		b.Fatal("the script produced no TAPI events")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

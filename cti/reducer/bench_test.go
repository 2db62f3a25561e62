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

// BenchmarkApplyRef measures the reducer as the pipeline drives it at saturation: ApplyRef
// with a LineRef per line and the result's slices reused, 5,000 lines, call IDs of 32 hex
// digits (OpenScape Voice style), and 1,000 internal calls in flight whose events
// interleave, so that the state does not stay in the cache from one event of a call to
// the next. One op is one event.
func BenchmarkApplyRef(b *testing.B) {
	const lines, inFlight, rounds = 5000, 1000, 4
	s := NewState("hq")
	refs := map[string]*LineRef{}
	for i := range lines {
		ext := fmt.Sprint(20000 + i)
		s.AddLine(ext, "")
		refs[ext] = &LineRef{}
	}
	type ev struct {
		line string
		ref  *LineRef
		e    csta.Event
	}
	// Each round's calls start, ring, are answered and cleared in step with each other; a
	// round's call IDs are new, as a switch's are.
	var script []ev
	for r := range rounds {
		var per [][]ev
		for k := range inFlight {
			n := r*inFlight + k
			a, c := fmt.Sprint(20000+(2*k)%lines), fmt.Sprint(20000+(2*k+1)%lines)
			ra, rc := refs[a], refs[c]
			id := fmt.Sprintf("%032x", 0x5a00+n)
			d := &csta.DeliveredEvent{Connection: cn(id, c), AlertingDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
			e := &csta.EstablishedEvent{EstablishedConnection: cn(id, c), AnsweringDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
			x := &csta.ConnectionClearedEvent{DroppedConnection: cn(id, c), ReleasingDevice: dev(c)}
			per = append(per, []ev{
				{a, ra, &csta.ServiceInitiatedEvent{InitiatedConnection: cn(id, a), InitiatingDevice: dev(a)}},
				{a, ra, &csta.OriginatedEvent{OriginatedConnection: cn(id, a), CallingDevice: dev(a), CalledDevice: dev(c)}},
				{a, ra, d}, {c, rc, d}, {a, ra, e}, {c, rc, e}, {a, ra, x}, {c, rc, x},
				{a, ra, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, a), ReleasingDevice: dev(a)}}})
		}
		for i := range 9 {
			for k := range inFlight {
				script = append(script, per[k][i])
			}
		}
	}
	now := time.Unix(0, 0)
	var buf Result
	b.ReportAllocs()
	b.ResetTimer()
	var events int
	cpu0 := cputime.Process()
	for i := range b.N {
		st := script[i%len(script)]
		res := s.ApplyRef(&buf, st.ref, st.line, st.e, now)
		events += len(res.Events)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	if b.N >= len(script) && events == 0 {
		b.Fatal("the script produced no TAPI events")
	}
}

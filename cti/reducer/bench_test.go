package reducer

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// lineEvent is a CSTA event as the monitor of one line reports it.
type lineEvent struct {
	line string
	e    csta.Event
}

// internalCall returns the nine events of an internal call id from a to c as the monitors of
// both ends report them, in order: SI, Originated, Delivered x2, Established x2,
// ConnectionCleared x2, ConnectionCleared.
func internalCall(id, a, c string) []lineEvent {
	d := &csta.DeliveredEvent{Connection: cn(id, c), AlertingDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
	e := &csta.EstablishedEvent{EstablishedConnection: cn(id, c), AnsweringDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}
	x := &csta.ConnectionClearedEvent{DroppedConnection: cn(id, c), ReleasingDevice: dev(c)}
	return []lineEvent{
		{a, &csta.ServiceInitiatedEvent{InitiatedConnection: cn(id, a), InitiatingDevice: dev(a)}},
		{a, &csta.OriginatedEvent{OriginatedConnection: cn(id, a), CallingDevice: dev(a), CalledDevice: dev(c)}},
		{a, d}, {c, d}, {a, e}, {c, e}, {a, x}, {c, x},
		{a, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, a), ReleasingDevice: dev(a)}}}
}

// runScript applies b.N events of a script of n, event i by apply (which returns how many
// TAPI events it made), and reports the CPU time and rate per event.
func runScript(b *testing.B, n int, apply func(i int) int) {
	b.ReportAllocs()
	b.ResetTimer()
	var events int
	cpu0 := cputime.Process()
	for i := range b.N {
		events += apply(i % n)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	if b.N >= n && events == 0 {
		b.Fatal("the script produced no TAPI events")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkApply measures the reducer on a realistic mix: internal calls between monitored
// lines, each seen by both ends (internalCall), over 1,000 lines with 100 calls in flight.
// One op is one event.
func BenchmarkApply(b *testing.B) {
	const lines = 1000
	s := NewState("hq")
	for i := range lines {
		s.AddLine(fmt.Sprint(2000+i), "")
	}
	var script []lineEvent
	for n := range 100 {
		a, c := fmt.Sprint(2000+(2*n)%lines), fmt.Sprint(2000+(2*n+1)%lines)
		script = append(script, internalCall(fmt.Sprintf("B%d", n), a, c)...)
	}
	now := time.Unix(0, 0)
	runScript(b, len(script), func(i int) int {
		return len(s.Apply(script[i].line, script[i].e, now).Events)
	})
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
	// Each round's calls start, ring, are answered and cleared in step with each other; a
	// round's call IDs are new, as a switch's are.
	var script []lineEvent
	for r := range rounds {
		var per [][]lineEvent
		for k := range inFlight {
			n := r*inFlight + k
			a, c := fmt.Sprint(20000+(2*k)%lines), fmt.Sprint(20000+(2*k+1)%lines)
			per = append(per, internalCall(fmt.Sprintf("%032x", 0x5a00+n), a, c))
		}
		for i := range per[0] {
			for k := range inFlight {
				script = append(script, per[k][i])
			}
		}
	}
	lineRefs := make([]*LineRef, len(script)) // looked up before the clock runs
	for i, st := range script {
		lineRefs[i] = refs[st.line]
	}
	now := time.Unix(0, 0)
	var buf Result
	runScript(b, len(script), func(i int) int {
		return len(s.ApplyRef(&buf, lineRefs[i], script[i].line, script[i].e, now).Events)
	})
}

package memory

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// BenchmarkApplyCalls measures Apply as the engine calls it at saturation: the batches of
// two-party calls (12 events in 7 batches, the calls stored with every change, removed and
// recorded in the history when they end), with no subscriber and with one or two draining the
// feed (the web hub; before store.FixedEpochs, the engine's watcher too). Besides ns/op it reports per event the wall time,
// the process's CPU time (which includes waking and running the subscribers) and the
// allocations.
// The sub-benchmark "batches" makes the batches without applying them: Apply's share is the
// difference.
func BenchmarkApplyCalls(b *testing.B) {
	b.Run("batches", func(b *testing.B) {
		g := newCallGen("hq")
		var sent int64
		cpu0 := cputime.Process()
		b.ReportAllocs()
		for b.Loop() {
			for _, batch := range g.next() {
				sent += int64(len(batch.Events))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sent), "ns/event")
		b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(sent), "cpu-ns/event")
	})
	for _, subs := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) { benchApplyCalls(b, subs) })
	}
}

func benchApplyCalls(b *testing.B, subs int) {
	ctx := context.Background()
	a := newApplyBench(b, subs)
	g := newCallGen("hq")
	var sent int64
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cputime.Process()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, batch := range g.next() {
			if _, err := a.s.Apply(ctx, "hq", a.fence, batch); err != nil {
				b.Fatal(err)
			}
			sent += int64(len(batch.Events))
		}
		a.pace(sent)
	}
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(sent), "allocs/event")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sent), "ns/event")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(sent), "cpu-ns/event")
	a.finish(b)
}

// callGen makes the batches of successive calls between lines 201 and 202, as the engine's
// pipeline writes them: the events of a CSTA event or two per batch, the changed calls, and
// when a call ends its removal and call record.
type callGen struct {
	pbx    string
	tag    string
	n      uint64
	a, b   tapi.Line
	start  time.Time
	party  [2]tapi.PartyID
	states [6]tapi.CallStatus
	out    []store.Batch
}

func newCallGen(pbx string) *callGen { return newCallGenOn(pbx, "201", "202", "") }

// newCallGenOn makes the calls from extension a to b, with tag in their handles and ids.
func newCallGenOn(pbx, a, b, tag string) *callGen {
	g := &callGen{pbx: pbx, a: tapi.NewLine(pbx, a, "Desk "+a), b: tapi.NewLine(pbx, b, "Desk "+b),
		start: time.Now().UTC(), tag: tag}
	g.party = [2]tapi.PartyID{
		{Number: a, Name: "Desk " + a, Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME},
		{Number: b, Name: "Desk " + b, Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME}}
	g.states = [6]tapi.CallStatus{{State: tapi.LINECALLSTATE_DIALTONE, DialToneMode: tapi.LINEDIALTONEMODE_NORMAL},
		{State: tapi.LINECALLSTATE_PROCEEDING}, {State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE},
		{State: tapi.LINECALLSTATE_RINGBACK}, {State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE},
		{State: tapi.LINECALLSTATE_IDLE}}
	return g
}

// next returns the batches of the next call; they are valid until the following call.
func (g *callGen) next() []store.Batch {
	g.n++
	at := g.start.Add(time.Duration(g.n) * time.Millisecond)
	id := g.tag + strconv.FormatUint(g.n, 10)
	info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_INTERNAL, Reason: tapi.LINECALLREASON_DIRECT,
		Caller: g.party[0], Called: g.party[1]}
	ca := tapi.Call{Handle: tapi.CallHandle(g.pbx + ":" + id + "a"), Line: g.a.Name, CallID: "C" + id,
		CallStatus: g.states[0], Info: info, Parties: []string{"202"}, Created: at, StateSince: at}
	cb := tapi.Call{Handle: tapi.CallHandle(g.pbx + ":" + id + "b"), Line: g.b.Name, CallID: "C" + id,
		CallStatus: g.states[2], Info: info, Parties: []string{"201"}, Created: at, StateSince: at}
	ev := func(l *tapi.Line, c *tapi.Call, typ tapi.EventType) tapi.Event {
		return tapi.Event{V: tapi.WireVersion, Type: typ, Time: at, SwitchTime: at, PBX: g.pbx, Line: l.Name,
			Device: l.DeviceID, Handle: c.Handle}
	}
	state := func(l *tapi.Line, c *tapi.Call, s tapi.CallStatus) tapi.Event {
		c.CallStatus, c.StateSince = s, at
		e := ev(l, c, tapi.LineCallState)
		e.CallState = &s
		return e
	}
	newCall := func(l *tapi.Line, c *tapi.Call) tapi.Event {
		e := ev(l, c, tapi.LineNewCall)
		e.Call = c.Clone()
		return e
	}
	g.out = g.out[:0]
	add := func(calls []tapi.Call, evs ...tapi.Event) {
		g.out = append(g.out, store.Batch{Events: evs, Calls: calls, NextHandle: g.n + 1})
	}
	add([]tapi.Call{ca}, newCall(&g.a, &ca), state(&g.a, &ca, g.states[0]))
	info.Connected = g.party[1]
	infoEv := ev(&g.a, &ca, tapi.LineCallInfo)
	infoEv.CallInfo = &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_CONNECTEDID, CallID: ca.CallID, Info: info}
	add([]tapi.Call{ca}, state(&g.a, &ca, g.states[1]), infoEv)
	add([]tapi.Call{cb}, newCall(&g.b, &cb), state(&g.b, &cb, g.states[2]))
	add([]tapi.Call{ca}, state(&g.a, &ca, g.states[3]))
	ca.ConnectedAt, cb.ConnectedAt = at, at
	add([]tapi.Call{ca, cb}, state(&g.b, &cb, g.states[4]), state(&g.a, &ca, g.states[4]))
	for i, c := range []*tapi.Call{&ca, &cb} {
		l := []*tapi.Line{&g.a, &g.b}[i]
		add(nil, state(l, c, g.states[5]))
		last := &g.out[len(g.out)-1]
		last.RemovedCalls = []tapi.CallHandle{c.Handle}
		last.Journal = []store.JournalEntry{{ID: "R" + string(c.Handle), PBX: g.pbx, Line: l.Name, Handle: c.Handle,
			CallID: c.CallID, Origin: info.Origin, Reason: info.Reason, Caller: info.Caller, Called: info.Called,
			Connected: info.Connected, Started: at, Answered: at, Ended: at, Outcome: store.OutcomeAnswered,
			Direction: store.DirectionInternal, AnsweredBy: g.party[1], RingMs: 100, TalkMs: 150}}
	}
	return g.out
}

// BenchmarkEncodeCall measures the log's encoding of a call's 12 events and the history's of
// its two records, and decoding them back (what Replay and the history's reads do).
func BenchmarkEncodeCall(b *testing.B) {
	var evs []tapi.Event
	var recs []store.JournalEntry
	for _, batch := range newCallGen("hq").next() {
		evs = append(evs, batch.Events...)
		recs = append(recs, batch.Journal...)
	}
	var locs locations
	w := encoder{locs: &locs}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			w.b = w.b[:0]
			for i := range evs {
				w.event(&evs[i])
			}
			for i := range recs {
				w.journalEntry(&recs[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
		b.ReportMetric(float64(len(w.b))/float64(len(evs)+len(recs)), "bytes/record")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		var e tapi.Event
		var j store.JournalEntry
		for b.Loop() {
			d := decoder{s: string(w.b), locs: &locs}
			for range evs {
				d.event(&e)
			}
			for range recs {
				d.journalEntry(&j)
			}
			if d.bad || d.i != len(d.s) {
				b.Fatal("does not decode")
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
	})
}

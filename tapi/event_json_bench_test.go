package tapi

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// satEvents returns n call events as ctibench's simulator makes them at saturation: two in
// three LINE_CALLSTATE, the rest new calls and call infos, stamped in UTC by the bridge
// (time, to the nanosecond, about 200 ns apart) and by the switch (switchTime), on 5,000
// lines.
func satEvents(n int) []Event {
	at := time.Date(2026, 12, 7, 8, 31, 28, 6530601, time.UTC)
	sw := at.Add(-904979 * time.Microsecond)
	evs := make([]Event, n)
	for i := range evs {
		line := "hq/" + strconv.Itoa(10000+(i*7919)%5000)
		t := at.Add(time.Duration(i) * 211)
		e := Event{V: WireVersion, Type: LineCallState, Time: t, SwitchTime: sw.Add(time.Duration(i) * 2903),
			PBX: "hq", Line: line, Device: LineDeviceID(line), Handle: CallHandle("hq:" + strconv.Itoa(28000+i/3))}
		info := CallInfo{Origin: LINECALLORIGIN_INTERNAL, Reason: LINECALLREASON_DIRECT,
			Caller: PartyID{Number: strconv.Itoa(10000 + i%5000), Flags: LINECALLPARTYID_ADDRESS},
			Called: PartyID{Number: line[3:], Flags: LINECALLPARTYID_ADDRESS}, RelatedCall: "hq:27340"}
		switch i % 6 {
		case 0:
			e.Type = LineNewCall
			e.Call = &Call{Handle: e.Handle, Line: line, CallID: fmt.Sprintf("FF0001000000000100000000%08X", i),
				CallStatus: CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE},
				Info:       info, Parties: []string{info.Caller.Number}, Created: t, StateSince: t}
		case 1:
			e.Type = LineCallInfo
			e.CallInfo = &CallInfoEvent{Changed: LINECALLINFOSTATE_CALLEDID, Info: info}
		case 2:
			e.CallState = &CallStatus{State: LINECALLSTATE_DISCONNECTED, DisconnectMode: LINEDISCONNECTMODE_NORMAL}
		case 3:
			e.CallState = &CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE}
		default:
			e.CallState = &CallStatus{State: LINECALLSTATE_IDLE}
		}
		evs[i] = e
	}
	return evs
}

// BenchmarkEventJSONMix encodes satEvents one after the other with a time cache, as the web
// hub does at saturation.
//
//	go test ./tapi -run '^$' -bench EventJSONMix -benchmem -count 6
func BenchmarkEventJSONMix(b *testing.B) {
	evs := satEvents(4096)
	b.ReportAllocs()
	var buf []byte
	var times TimeCache
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		var err error
		if buf, err = evs[i%len(evs)].AppendJSONCached(buf[:0], &times); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

package tspcore

import (
	"strconv"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// BenchmarkCallTranslation measures turning one call's bridge events (NEWCALL, OFFERING,
// CALLINFO, CONNECTED, IDLE) into LINEEVENT messages on an open line.
func BenchmarkCallTranslation(b *testing.B) {
	p, err := New(Config{URLs: []string{"ws://127.0.0.1:1/ws"}, Token: "x"})
	if err != nil {
		b.Fatal(err)
	}
	l := &line{info: client.WelcomeLine{Name: "demo/201", PBX: "demo", Control: true}, open: true, htLine: 1,
		ev: LineEvents{Event: func(HTAPILINE, HTAPICALL, uint32, uintptr, uintptr, uintptr) {},
			NewCall: func(HTAPILINE, HDRVCALL) HTAPICALL { return 7 }}}
	p.lines, p.byName["demo/201"] = []*line{l}, l
	offering := tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE}
	connected := tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE}
	idle := tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h := makeTestHandle(i)
		c := tapi.Call{Handle: h, Line: "demo/201", CallStatus: offering}
		p.mu.Lock()
		p.handleEvent(tapi.Event{Type: tapi.LineNewCall, Line: "demo/201", Handle: h, Call: &c})
		p.handleEvent(tapi.Event{Type: tapi.LineCallState, Line: "demo/201", Handle: h, CallState: &offering})
		p.handleEvent(tapi.Event{Type: tapi.LineCallInfo, Line: "demo/201", Handle: h,
			CallInfo: &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_CONNECTEDID}})
		p.handleEvent(tapi.Event{Type: tapi.LineCallState, Line: "demo/201", Handle: h, CallState: &connected})
		p.handleEvent(tapi.Event{Type: tapi.LineCallState, Line: "demo/201", Handle: h, CallState: &idle})
		hd := p.byHandle[h].hd
		p.mu.Unlock()
		if err := p.CloseCall(hd); err != nil {
			b.Fatal(err)
		}
		if len(p.refused) != 0 {
			b.Fatal("closed idle calls must not be remembered")
		}
	}
}

func makeTestHandle(i int) tapi.CallHandle {
	return tapi.CallHandle("demo:" + strconv.Itoa(i))
}

func BenchmarkCleanDialString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CleanDialString("T +49 (0)30 1234-567 | 12 ^ Alice"); err != nil {
			b.Fatal(err)
		}
	}
}

package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// reportCPU reports the process's CPU time per operation since cpu0 as cpu-ns/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// benchEvents returns n call events of the shapes the engine makes most (a new call, its
// state changes, its info) on lines hq/1000 .. hq/1000+lines-1, the calls spread over the
// lines, each call's four events on its line. The events of a line share its name's string,
// as the engine's do (its line state's name) and the memory store passes them on.
func benchEvents(n, lines int) []tapi.Event {
	at := time.Now()
	evs := make([]tapi.Event, n)
	names := map[int]string{}
	for i := range evs {
		k := 1000 + (i/4*7919)%lines // a call's events on its line
		line, ok := names[k]
		if !ok {
			line = "hq/" + strconv.Itoa(k)
			names[k] = line
		}
		handle := tapi.CallHandle("hq:" + strconv.Itoa(i/4+1))
		e := tapi.Event{V: tapi.WireVersion, Time: at.Add(time.Duration(i) * 1234567), PBX: "hq",
			Line: line, Device: tapi.LineDeviceID(line), Handle: handle}
		info := tapi.CallInfo{Origin: tapi.LINECALLORIGIN_INTERNAL, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: tapi.PartyID{Number: "1" + strconv.Itoa(i%5000), Flags: tapi.LINECALLPARTYID_ADDRESS},
			Called: tapi.PartyID{Number: line[3:], Name: "Desk " + line[3:],
				Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME}}
		switch i % 4 {
		case 0:
			e.Type = tapi.LineNewCall
			e.Call = &tapi.Call{Handle: handle, Line: line, CallID: fmt.Sprintf("FF0001%026X", i),
				CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE},
				Info:       info, Parties: []string{info.Caller.Number}, Created: e.Time, StateSince: e.Time}
		case 1:
			e.Type = tapi.LineCallState
			e.CallState = &tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE}
		case 2:
			e.Type = tapi.LineCallInfo
			info.Connected = info.Caller
			e.CallInfo = &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_CONNECTEDID, Info: info}
		default:
			e.Type = tapi.LineCallState
			e.CallState = &tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_NORMAL}
		}
		evs[i] = e
	}
	return evs
}

// benchHub returns a hub whose lines hq/1000 .. are followed as ctibench's clients follow
// them: each of clients sessions has every clients-th line, and an auditor has them all.
func benchHub(b *testing.B, clients, lines int) *hub {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), DefaultReplayCache)
	h.spare = make(chan []*wsConn, 16)
	follow := func(ls []string) {
		f := newFeed(writerlessConn(Config{SendQueue: 1 << 20}))
		h.addLines(f, ls)
		h.setMarks(f, ls, store.Position{Epoch: "E", Offset: 0}, true)
		h.finishSync(f, 0)
		f.c.takeQueue() // the synced message
	}
	var all []string
	for i := range clients {
		var ls []string
		for j := i; j < lines; j += clients {
			ls = append(ls, "hq/"+strconv.Itoa(1000+j))
		}
		all = append(all, ls...)
		follow(ls)
	}
	follow(all)
	return h
}

// BenchmarkHubFanOut fans out call events to WebSocket sessions as at ctibench's saturation
// (5,000 lines, each followed by one client and the auditor), in runs of burst entries as
// the hub takes them from its subscription, taking the queued messages after each run as
// the flushers would: the hub's per-event cost without the socket writes. burst=N fans out
// runs of N entries (as in the bursts of a saturated hub) instead of 2; encoded gives the
// entries their events' JSON (as the Redis store does), which leaves out the event encoder
// and shows the fan-out's own cost.
//
//	go test ./web -run '^$' -bench HubFanOut -benchmem -count 5
func BenchmarkHubFanOut(b *testing.B) {
	evs := benchEvents(4096, 5000)
	encoded := make([][]byte, len(evs))
	for i := range evs {
		encoded[i], _ = json.Marshal(&evs[i])
	}
	for _, bc := range []struct {
		clients, burst int
		encoded        bool
	}{{10, 2, false}, {200, 2, false}, {10, 64, false}, {10, 64, true}} {
		name := fmt.Sprintf("clients=%d", bc.clients)
		if bc.burst != 2 {
			name += fmt.Sprintf("/burst=%d", bc.burst)
		}
		if bc.encoded {
			name += "/encoded"
		}
		b.Run(name, func(b *testing.B) {
			h := benchHub(b, bc.clients, 5000)
			run := make([]store.Entry, 0, bc.burst)
			b.ReportAllocs()
			cpu0 := cputime.Process()
			i := 0
			for b.Loop() {
				run = append(run, store.Entry{PBX: "hq", Epoch: "E", Offset: uint64(i + 1), Event: evs[i%len(evs)]})
				if bc.encoded {
					run[len(run)-1].JSON = encoded[i%len(evs)]
				}
				if len(run) == bc.burst {
					h.fanOutRun(run)
					run = run[:0]
					conns := h.takeBurst()
					for _, c := range conns {
						c.recycleQueue(c.takeQueue())
					}
					clear(conns)
					h.spare <- conns[:0]
				}
				i++
			}
			reportCPU(b, cpu0)
		})
	}
}

package csta

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkDecodeSimCalls decodes a link's stream as ctibench's simulator sends it at
// saturation (generic profile, stamped): calls between two of 5,000 monitored devices, 50
// in progress at once, each a ServiceInitiated, an Originated, Delivered, Established, Held,
// Retrieved and ConnectionCleared for both parties and a CallCleared, each event with its
// own send time. It reports the objects allocated per event (objs/op, which -benchmem
// rounds down to a whole number).
func BenchmarkDecodeSimCalls(b *testing.B) {
	docs := simCallDocs(b, 40000)
	b.Run("link", func(b *testing.B) {
		d := newLinkDoc()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		benchDecode(b, d.decode, docs)
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N), "objs/op")
		b.ReportMetric(100*float64(d.tmpl.replays)/float64(max(d.tmpl.docs, 1)), "hit-%")
	})
}

// simCallDocs encodes n events of BenchmarkDecodeSimCalls's stream.
func simCallDocs(tb testing.TB, n int) [][]byte {
	const inFlight, devices = 50, 5000
	docs := make([][]byte, 0, n)
	stamp := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	for call := 0; len(docs) < n; call += inFlight {
		for step := range simCallSteps {
			for k := range inFlight {
				c := call + k
				a, z := 20000+c*7%devices, 20000+(c*7+devices/2+c%13)%devices
				stamp = stamp.Add(20413 * time.Nanosecond)
				for _, ev := range simCallStep(step, c, a, z, stamp) {
					d, err := Encode(nil, ev, Ed4)
					if err != nil {
						tb.Fatal(err)
					}
					docs = append(docs, d)
				}
			}
		}
	}
	return docs[:n]
}

const simCallSteps = 7

// simCallStep is the events of step of call c from device a to device z, in the simulator's
// generic shapes.
func simCallStep(step, c, a, z int, stamp time.Time) []Event {
	callID := fmt.Sprintf("FF0001000000000%017d", c)
	common := func(dev int, state LocalConnectionState, cause EventCause) EventCommon {
		return EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(1000000000 + dev)), LocalConnectionInfo: state,
			Cause: cause, Extensions: []byte("<extensions><security><timestamp>" + FormatTimestamp(stamp) + "</timestamp></security></extensions>")}
	}
	conn := func(dev int) ConnectionID { return ConnectionID{CallID: callID, DeviceID: Device(strconv.Itoa(dev))} }
	dev := func(n int) DeviceID { return Device(strconv.Itoa(n)) }
	switch step {
	case 0:
		return []Event{
			&ServiceInitiatedEvent{EventCommon: common(a, StateInitiated, "newCall"), InitiatedConnection: conn(a), InitiatingDevice: dev(a)},
			&OriginatedEvent{EventCommon: common(a, StateConnected, "newCall"), OriginatedConnection: conn(a), CallingDevice: dev(a), CalledDevice: dev(z)}}
	case 1, 2:
		var out []Event
		for _, at := range []int{a, z} {
			state := StateConnected
			if at == z {
				state = StateAlerting
			}
			if step == 1 {
				out = append(out, &DeliveredEvent{EventCommon: common(at, state, "newCall"), Connection: conn(z), AlertingDevice: dev(z),
					CallingDevice: dev(a), CalledDevice: dev(z)})
			} else {
				out = append(out, &EstablishedEvent{EventCommon: common(at, StateConnected, "newCall"), EstablishedConnection: conn(z),
					AnsweringDevice: dev(z), CallingDevice: dev(a), CalledDevice: dev(z)})
			}
		}
		return out
	case 3:
		return []Event{&HeldEvent{EventCommon: common(a, StateHold, "normal"), HeldConnection: conn(a), HoldingDevice: dev(a)},
			&HeldEvent{EventCommon: common(z, StateConnected, "normal"), HeldConnection: conn(a), HoldingDevice: dev(a)}}
	case 4:
		return []Event{&RetrievedEvent{EventCommon: common(a, StateConnected, "normal"), RetrievedConnection: conn(a), RetrievingDevice: dev(a)},
			&RetrievedEvent{EventCommon: common(z, StateConnected, "normal"), RetrievedConnection: conn(a), RetrievingDevice: dev(a)}}
	case 5:
		return []Event{&ConnectionClearedEvent{EventCommon: common(a, StateNull, "normalClearing"), DroppedConnection: conn(a), ReleasingDevice: dev(a)},
			&ConnectionClearedEvent{EventCommon: common(z, StateConnected, "normalClearing"), DroppedConnection: conn(a), ReleasingDevice: dev(a)}}
	}
	return []Event{&CallClearedEvent{EventCommon: common(z, StateNull, "normalClearing"), ClearedCall: ConnectionID{CallID: callID}}}
}

package csta

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// fastEventMessages are the events the fast path decodes, with every member set, in the
// shapes the simulator and OpenScape Voice send (decorated identifiers, absences, a
// security timestamp, OSV's private data).
func fastEventMessages() []Message {
	conn := ConnectionID{CallID: "FF000100000000002D65C85C1C750000", DeviceID: Device("302118840100")}
	conn2 := ConnectionID{CallID: "C2", DeviceID: Device("202")}
	ext := Device("N<+4930555>;displayNumber=+4930555;noa=nk")
	line := Device("N<7868772298>Line71001;displayNumber=7868772298;uid=FF00010000000000EC6114647E570000")
	stamp := []byte("<extensions><security><timestamp>2026-12-06T21:30:00.123456789Z</timestamp></security></extensions>")
	osv := []byte(`<extensions><security><timestamp>2026-12-06T21:30:00.5Z</timestamp></security><privateData><private xmlns:scx="http://www.siemens.com/schema/csta"><scx:extendedServicesPermitted/></private></privateData></extensions>`)
	common := EventCommon{MonitorCrossRefID: "1169730059", LocalConnectionInfo: StateConnected, Cause: "newCall", Extensions: stamp,
		Timestamp: time.Date(2026, 12, 6, 21, 30, 0, 123456789, time.UTC)}
	osvCommon := EventCommon{MonitorCrossRefID: "7", LocalConnectionInfo: StateAlerting, Cause: "enteringDistribution", Extensions: osv,
		Timestamp: time.Date(2026, 12, 6, 21, 30, 0, 500000000, time.UTC)}
	bare := EventCommon{MonitorCrossRefID: "7"}
	list := []ConnectionListItem{{NewConnection: conn2, OldConnection: conn, Endpoint: Device("203")},
		{NewConnection: ConnectionID{DeviceID: Device("204")}, Endpoint: DeviceID{Absent: "notKnown"}}}
	return []Message{
		&ServiceInitiatedEvent{EventCommon: common, InitiatedConnection: conn, InitiatingDevice: Device("N<302118840100>;noa=nk")},
		&OriginatedEvent{EventCommon: common, OriginatedConnection: conn, CallingDevice: Device("201"), CalledDevice: ext},
		&NetworkReachedEvent{EventCommon: common, OutboundConnection: conn2, NetworkInterfaceUsed: Device("T1"), CallingDevice: Device("201"), CalledDevice: ext},
		&DeliveredEvent{EventCommon: osvCommon, Connection: conn2, AlertingDevice: Device("202"), CallingDevice: line, CalledDevice: Device("202"),
			LastRedirectionDevice: DeviceID{Absent: "notRequired"}, NetworkCallingDevice: ext, NetworkCalledDevice: Device("02912"), ACDCall: true},
		&DeliveredEvent{EventCommon: common, Connection: conn2, AlertingDevice: Device("202"), CallingDevice: Device("201"), CalledDevice: Device("202")},
		&EstablishedEvent{EventCommon: common, EstablishedConnection: conn2, AnsweringDevice: Device("202"), CallingDevice: ext, CalledDevice: Device("202"), LastRedirectionDevice: Device("201")},
		&HeldEvent{EventCommon: common, HeldConnection: conn, HoldingDevice: Device("201")},
		&RetrievedEvent{EventCommon: common, RetrievedConnection: conn, RetrievingDevice: Device("201")},
		&ConnectionClearedEvent{EventCommon: common, DroppedConnection: conn, ReleasingDevice: Device("201")},
		&ConnectionClearedEvent{EventCommon: bare, DroppedConnection: ConnectionID{DeviceID: DeviceID{Absent: "notKnown"}}},
		&CallClearedEvent{EventCommon: common, ClearedCall: ConnectionID{CallID: "C1"}},
		&TransferredEvent{EventCommon: common, PrimaryOldCall: conn, SecondaryOldCall: conn2, TransferringDevice: Device("201"), TransferredToDevice: Device("203"), TransferredConnections: list},
		&ConferencedEvent{EventCommon: common, PrimaryOldCall: conn, SecondaryOldCall: conn2, ConferencingDevice: Device("201"), AddedParty: Device("203"), ConferenceConnections: list},
		&DivertedEvent{EventCommon: common, Connection: conn, DivertingDevice: Device("201"), NewDestination: Device("209"), CallingDevice: ext, CalledDevice: Device("201"), LastRedirectionDevice: Device("201")},
		&FailedEvent{EventCommon: common, FailedConnection: conn2, FailingDevice: Device("202"), CallingDevice: Device("201"), CalledDevice: Device("202")},
		&QueuedEvent{EventCommon: common, QueuedConnection: conn, Queue: Device("600"), CallingDevice: ext, CalledDevice: Device("600"), NumberQueued: 3},
		&DoNotDisturbEvent{EventCommon: bare, Device: Device("201"), DoNotDisturbOn: true},
		&ForwardingEvent{EventCommon: bare, Device: Device("201"), ForwardingType: ForwardImmediate, ForwardStatus: true, ForwardTo: Device("299")},
		&OutOfServiceEvent{EventCommon: bare, Device: Device("201")},
		&BackInServiceEvent{EventCommon: bare, Device: Device("201")},
	}
}

// osvTrailer is what OSV (and the simulator's osv profile) puts between cause and extensions.
const osvTrailer = `<servicesPermitted><callControlServices><clearConnection>true</clearConnection><deflectCall>true</deflectCall></callControlServices><callAssociatedServices/><mediaAttachementServices/><routeingServices/><voiceServices/></servicesPermitted><mediaCallCharacteristics><mediaClass><voice>true</voice><image>false</image><im>false</im></mediaClass></mediaCallCharacteristics>`

// BenchmarkDecodeEvents decodes the events of fastEventMessages in turn, as the simulator
// encodes them (generic) and with OSV's decoration and trailer (osv).
func BenchmarkDecodeEvents(b *testing.B) {
	var generic, osv [][]byte
	for _, m := range fastEventMessages() {
		d, err := Encode(nil, m, Ed4)
		if err != nil {
			b.Fatal(err)
		}
		generic = append(generic, d)
		osv = append(osv, bytes.Replace(d, []byte("<cause>"), []byte(osvTrailer+"<cause>"), 1))
	}
	for _, c := range []struct {
		name string
		docs [][]byte
	}{{"generic", generic}, {"osv", osv}} {
		b.Run(c.name, func(b *testing.B) { benchDecode(b, Decode, c.docs) })
		b.Run(c.name+"-link", func(b *testing.B) { benchDecode(b, newLinkDoc().decode, c.docs) })
	}
}

// BenchmarkDecodeSimStream decodes simulator events as a link at saturation sees them: many
// devices and calls in turn (5000 devices, a call every four events), so that the decoder's
// recent values hit as often as on the link, not on one document over and over.
func BenchmarkDecodeSimStream(b *testing.B) {
	stamp := []byte("<extensions><security><timestamp>2026-12-06T21:30:00.123456789Z</timestamp></security></extensions>")
	docs := make([][]byte, 20000)
	for i := range docs {
		dev, peer := Device(strconv.Itoa(20000+i*7%5000)), Device(strconv.Itoa(20000+i*13%5000))
		ev := &EstablishedEvent{
			EventCommon:           EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(i * 7 % 5000)), LocalConnectionInfo: StateConnected, Cause: "newCall", Extensions: stamp},
			EstablishedConnection: ConnectionID{CallID: strconv.Itoa(1000000 + i/4), DeviceID: dev},
			AnsweringDevice:       dev, CallingDevice: peer, CalledDevice: dev,
		}
		d, err := Encode(nil, ev, Ed4)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = d
	}
	b.Run("pool", func(b *testing.B) { benchDecode(b, Decode, docs) })
	b.Run("link", func(b *testing.B) { benchDecode(b, newLinkDoc().decode, docs) })
}

// benchDecode decodes docs in turn by decode.
func benchDecode(b *testing.B, decode func([]byte) (Message, error), docs [][]byte) {
	b.ReportAllocs()
	cpu0 := cputime.Process()
	i := 0
	for b.Loop() {
		if _, err := decode(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

package csta

import (
	"strconv"
	"testing"
)

// BenchmarkDecodeSimTransfers is BenchmarkDecodeSimStream with half the events carrying a
// connection list, as a link sees a call centre that transfers and conferences: per call an
// EstablishedEvent, a TransferredEvent (two items), a HeldEvent and a ConferencedEvent (three
// items), over 5,000 devices. It reports the share of documents a link's decoder replayed by
// a template (hit-%).
func BenchmarkDecodeSimTransfers(b *testing.B) {
	docs := make([][]byte, 20000)
	for i := range docs {
		d, err := Encode(nil, simTransferEvent(i), Ed4)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = d
	}
	b.Run("pool", func(b *testing.B) { benchDecode(b, Decode, docs) })
	b.Run("link", func(b *testing.B) {
		d := newLinkDoc()
		benchDecode(b, d.decode, docs)
		b.ReportMetric(100*float64(d.tmpl.replays)/float64(max(d.tmpl.docs, 1)), "hit-%")
	})
}

// simTransferEvent is the i-th event of BenchmarkDecodeSimTransfers's stream, in the
// simulator's shapes (decorated identifiers, a security timestamp).
func simTransferEvent(i int) Message {
	stamp := []byte("<extensions><security><timestamp>2026-12-06T21:30:" + strconv.Itoa(10+i%50) + ".123456789Z</timestamp></security></extensions>")
	num := func(k int) string { return strconv.Itoa(20000 + (i*7+k*13)%5000) }
	dev := func(k int) DeviceID { return Device("N<" + num(k) + ">;noa=nk") }
	call := func(k int) string { return "FF0001000000000" + strconv.Itoa(1000000+i/4+k) }
	conn := func(c, k int) ConnectionID { return ConnectionID{CallID: call(c), DeviceID: Device(num(k))} }
	common := EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(1000000 + i*7%5000)), LocalConnectionInfo: StateConnected,
		Cause: "newCall", Extensions: stamp}
	switch i % 4 {
	case 0:
		return &EstablishedEvent{EventCommon: common, EstablishedConnection: conn(0, 0), AnsweringDevice: dev(0),
			CallingDevice: dev(1), CalledDevice: dev(0)}
	case 1:
		common.Cause, common.LocalConnectionInfo = "transfer", StateNull
		return &TransferredEvent{EventCommon: common, PrimaryOldCall: conn(0, 0), SecondaryOldCall: conn(1, 0),
			TransferringDevice: dev(0), TransferredToDevice: dev(2), TransferredConnections: []ConnectionListItem{
				{NewConnection: conn(0, 1), OldConnection: conn(0, 1), Endpoint: Device(num(1))},
				{NewConnection: conn(0, 2), OldConnection: conn(1, 2), Endpoint: Device(num(2))}}}
	case 2:
		common.LocalConnectionInfo = StateHold
		return &HeldEvent{EventCommon: common, HeldConnection: conn(0, 0), HoldingDevice: dev(0)}
	}
	common.Cause = "conference"
	return &ConferencedEvent{EventCommon: common, PrimaryOldCall: conn(0, 0), SecondaryOldCall: conn(1, 0),
		ConferencingDevice: dev(0), AddedParty: dev(2), ConferenceConnections: []ConnectionListItem{
			{NewConnection: conn(0, 0), OldConnection: conn(0, 0), Endpoint: Device(num(0))},
			{NewConnection: conn(0, 1), OldConnection: conn(0, 1), Endpoint: Device(num(1))},
			{NewConnection: conn(0, 2), OldConnection: conn(1, 2), Endpoint: Device(num(2))}}}
}

// TestDecodeTemplateSimTransfers: BenchmarkDecodeSimTransfers's stream through a link's
// decoder gives what Decode gives, its lists replayed by templates.
func TestDecodeTemplateSimTransfers(t *testing.T) {
	d := newLinkDoc()
	lists := 0
	for i := range 2000 {
		doc, err := Encode(nil, simTransferEvent(i), Ed4)
		if err != nil {
			t.Fatal(err)
		}
		replays := d.tmpl.replays
		m := checkLinkDecode(t, d, doc)
		if l := eventList(m); l != nil && len(*l) > 0 && d.tmpl.replays > replays {
			lists++
		}
	}
	if lists == 0 {
		t.Fatal("no list replayed")
	}
	t.Logf("%d of %d documents replayed, %d with a list", d.tmpl.replays, d.tmpl.docs, lists)
}

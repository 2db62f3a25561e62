package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// The scanner must agree with the real wire form, which the tapi types produce.
func TestScanEventAgreesWithWireForm(t *testing.T) {
	at := time.Date(2025, 3, 17, 14, 49, 48, 123456789, time.UTC)
	events := []tapi.Event{
		{V: 1, Type: tapi.LineCallState, Time: at, SwitchTime: at.Add(-3 * time.Millisecond), PBX: "hq", Line: "hq/201", Device: 7, Handle: "hq:17",
			CallState: &tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}},
		{V: 1, Type: tapi.BridgeResync, Time: at, PBX: "hq",
			Resync: &tapi.Resync{Mode: "hot", Phase: "completed", Reason: "switchover", Started: at, Lines: 3}},
	}
	for i, e := range events {
		// Same member order as web's eventMsg.
		msg := struct {
			Type   string      `json:"type"`
			PBX    string      `json:"pbx"`
			Epoch  string      `json:"epoch"`
			Offset uint64      `json:"offset"`
			Event  *tapi.Event `json:"event"`
		}{"event", "hq", "e-1", uint64(4711 + i), &e}
		b, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !isEventMsg(b) {
			t.Fatalf("%s not recognised as an event message", b)
		}
		got, err := scanEvent(b)
		if err != nil {
			t.Fatalf("scan %s: %v", b, err)
		}
		want := wireEvent{Epoch: "e-1", Offset: uint64(4711 + i), Type: string(e.Type), Line: e.Line, Time: at, SwitchTime: e.SwitchTime}
		if got != want {
			t.Errorf("scan %s:\n got %+v\nwant %+v", b, got, want)
		}
	}
}

func TestScanEventRejectsBadMessages(t *testing.T) {
	for _, in := range []string{
		`{"type":"event"}`,
		`{"type":"event","offset":1,"event":{"type":"LINE_CALLSTATE","time":"2025-03-17T14:49:48Z"}}`,
		`{"type":"event","epoch":"e","event":{"type":"LINE_CALLSTATE","time":"2025-03-17T14:49:48Z"}}`,
		`{"type":"event","epoch":"e","offset":1,"event":{"time":"2025-03-17T14:49:48Z"}}`,
		`{"type":"event","epoch":"e","offset":1,"event":{"type":"LINE_CALLSTATE","time":"yesterday"}}`,
		`{"type":"event","epoch":"e\"x","offset":1,"event":{"type":"X","time":"2025-03-17T14:49:48Z"}}`,
	} {
		if ev, err := scanEvent([]byte(in)); err == nil {
			t.Errorf("scan %s: no error, got %+v", in, ev)
		}
	}
}

// The tap reads the send time the simulator writes, through the same codec the bridge uses.
func TestFrameStampReadsSimulatorStamp(t *testing.T) {
	sent := time.Date(2026, 12, 6, 13, 2, 12, 123456789, time.UTC)
	body := []byte(`<HeldEvent><monitorCrossRefID>1</monitorCrossRefID><extensions><security><timestamp>` +
		csta.FormatTimestamp(sent) + `</timestamp></security></extensions></HeldEvent>`)
	got, ok := frameStamp(body)
	if !ok || !got.Equal(sent) {
		t.Fatalf("frameStamp %v %v", got, ok)
	}
	m, err := csta.Decode(body)
	if err != nil || !m.(csta.Event).Common().Timestamp.Equal(sent) {
		t.Fatalf("codec reads %v (%v)", m, err)
	}
	if _, ok := frameStamp([]byte(`<HeldEvent/>`)); ok {
		t.Fatal("a stamp in a frame without one")
	}
}

package tapi

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"
)

var jsonBlock = regexp.MustCompile("(?s)```json\n(.*?)```")

// TestEventsDocExamples keeps docs/events.md true: every example decodes into the wire types,
// carries the device ID its line name gives, and every event type has one.
func TestEventsDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := jsonBlock.FindAllSubmatch(doc, -1)
	seen := map[EventType]bool{}
	for i, b := range blocks {
		e, err := DecodeEventStrict(b[1])
		if err != nil {
			t.Errorf("example %d: %v\n%s", i+1, err, b[1])
			continue
		}
		if seen[e.Type] {
			t.Errorf("example %d: second example of %s", i+1, e.Type)
		}
		seen[e.Type] = true
		if e.Line != "" && e.Device != LineDeviceID(e.Line) {
			t.Errorf("example %d: deviceId %d, LineDeviceID(%q) = %d", i+1, e.Device, e.Line, LineDeviceID(e.Line))
		}
		if e.LineState != nil && e.LineState.Line.DeviceID != LineDeviceID(e.LineState.Line.Name) {
			t.Errorf("example %d: line deviceId %d is not LineDeviceID(%q)", i+1, e.LineState.Line.DeviceID, e.LineState.Line.Name)
		}
		checkWire(t, e)
	}
	for _, typ := range []EventType{LineNewCall, LineCallState, LineCallInfo, LineLineDevState,
		LineAddressState, LineReply, LineConference, BridgeLinkStatus, BridgeSwitchover, BridgeResync} {
		if !seen[typ] {
			t.Errorf("docs/events.md has no example of %s", typ)
		}
	}
}

func TestDecodeEventErrors(t *testing.T) {
	cases := map[string]string{
		`{"v":2,"type":"LINE_REPLY","time":"2025-03-17T14:53:00Z","reply":{"requestId":1}}`:                                                                                                       "version 2",
		`{"v":1,"type":"LINE_FOO","time":"2025-03-17T14:53:00Z"}`:                                                                                                                                 "unknown event type",
		`{"v":1,"type":"LINE_REPLY","time":"2025-03-17T14:53:00Z"}`:                                                                                                                               `lacks "reply"`,
		`{"v":1,"type":"LINE_REPLY","time":"2025-03-17T14:53:00Z","reply":{"requestId":1},"link":{}}`:                                                                                             `must not carry "link"`,
		`{"v":1,"type":"LINE_REPLY","time":"2025-03-17T14:53:00Z","reply":{"requestId":1,"result":"NOPE"}}`:                                                                                       `"NOPE" is not a LINEERR_* name`,
		`{"v":1,"type":"LINE_CALLSTATE","time":"2025-03-17T14:53:00Z","line":"hq/1","callState":{"state":"LINECALLSTATE_IDLE"}}`:                                                                  `lacks "handle"`,
		`{"v":1,"type":"LINE_CALLSTATE","time":"2025-03-17T14:53:00Z","line":"hq/1","handle":"hq:1","callState":{"state":"LINECALLSTATE_IDLE"},"conference":{"handle":"hq:1.conf","parties":[]}}`: `must not carry "conference"`,
		`{"v":1,"type":"LINE_CONFERENCE","time":"2025-03-17T14:53:00Z","line":"hq/1","handle":"hq:1","conference":{"handle":"hq:2.conf","parties":[]}}`:                                           `is not "hq:1.conf"`,
		`{"v":1,"type":"LINE_CONFERENCE","time":"2025-03-17T14:53:00Z","line":"hq/1","conference":null}`:                                                                                          `lacks "handle"`,
	}
	for in, want := range cases {
		_, err := DecodeEvent([]byte(in))
		if err == nil || !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(err.Error()) {
			t.Errorf("%s: error %v, want it to mention %q", in, err, want)
		}
	}
}

// TestDecodeEventUnknownMembers: a member added by a later release within version 1 is
// ignored by DecodeEvent, at the top and inside payloads, and refused by DecodeEventStrict.
func TestDecodeEventUnknownMembers(t *testing.T) {
	for _, in := range []string{
		`{"v":1,"type":"LINE_REPLY","time":"2025-03-17T14:53:00Z","reply":{"requestId":1},"extra":1}`,
		`{"v":1,"type":"LINE_CALLSTATE","time":"2025-03-17T14:53:00Z","line":"hq/1","handle":"hq:1","callState":{"state":"LINECALLSTATE_IDLE","mood":"calm"}}`,
	} {
		e, err := DecodeEvent([]byte(in))
		if err != nil {
			t.Errorf("DecodeEvent(%s): %v", in, err)
			continue
		}
		if e.Type != LineReply && e.Type != LineCallState {
			t.Errorf("DecodeEvent(%s): type %s", in, e.Type)
		}
		if _, err := DecodeEventStrict([]byte(in)); err == nil || !regexp.MustCompile(`unknown field "(extra|mood)"`).MatchString(err.Error()) {
			t.Errorf("DecodeEventStrict(%s): error %v, want unknown field", in, err)
		}
	}
}

// checkWire encodes the event and decodes it back through DecodeEventStrict.
func checkWire(t *testing.T, e Event) {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("marshal %s: %v", e.Type, err)
	}
	back, err := DecodeEventStrict(b)
	if err != nil {
		t.Fatalf("decode %s: %v\n%s", e.Type, err, b)
	}
	b2, _ := json.Marshal(back)
	if !slices.Equal(b, b2) {
		t.Fatalf("wire round trip differs:\n%s\n%s", b, b2)
	}
}

package pbxsim

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// The send-time stamp survives the codec, so a client can measure latency.
func TestEventTimestampSurvivesCodec(t *testing.T) {
	sent := time.Unix(0, 1700000000123456789)
	ev := &csta.HeldEvent{EventCommon: csta.EventCommon{MonitorCrossRefID: "1", Extensions: timestampExtension(sent)},
		HeldConnection: csta.ConnectionID{CallID: "C1", DeviceID: csta.Device("201")}}
	body, err := csta.Encode(nil, ev, csta.Ed4)
	if err != nil {
		t.Fatal(err)
	}
	m, err := csta.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := EventTimestamp(m.(csta.Event))
	if !ok || !got.Equal(sent) {
		t.Fatalf("stamp %v %v from %s", got, ok, body)
	}
	if _, ok := EventTimestamp(&csta.HeldEvent{}); ok {
		t.Fatal("stamp found in an event without one")
	}
}

func TestStampedEventsFromTheModel(t *testing.T) {
	f := newFixture(t, Config{StampEvents: true}, "201")
	before := time.Now()
	f.makeCall("201", "202")
	for _, ev := range f.rec.take() {
		if ts, ok := EventTimestamp(ev); !ok || ts.Before(before.Add(-time.Second)) {
			t.Fatalf("%s stamp %v %v", ev.MessageName(), ts, ok)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	got, err := ParseExtensions([]string{"0200-0202", "3001, 3002"})
	if err != nil || len(got) != 5 || got[0] != "0200" || got[4] != "3002" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{nil, {"200-1"}, {"20-300"}, {"2x"}, {"200", "200"}, {"0-999999"}} {
		if _, err := ParseExtensions(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"dialect":    {Extensions: []string{"200"}, Dialect: "nortel"},
		"edition":    {Extensions: []string{"200"}, Edition: 9},
		"hunt":       {Extensions: []string{"200"}, HuntGroups: []HuntGroup{{Number: "500", Members: []string{"999"}}}},
		"hunt clash": {Extensions: []string{"200"}, HuntGroups: []HuntGroup{{Number: "200", Members: []string{"200"}}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

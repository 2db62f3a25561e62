package redisstore

import (
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestLocalEventsOnlyWhatWasPublished: a slot serves an offset only for the epoch and the
// very JSON it was recorded with; an expectation that was wrong is a miss, not a wrong event.
func TestLocalEventsOnlyWhatWasPublished(t *testing.T) {
	var l localEvents
	evs := []tapi.Event{{Type: tapi.LineNewCall, Line: "hq/201"}, {Type: tapi.LineCallState, Line: "hq/201"}}
	js := [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)}
	l.put("hq", "E1", 10, evs, js)
	var e store.Entry
	if ok := l.get("hq", "E1", 11, `{"b":2}`, false, &e); !ok || e.Event.Type != tapi.LineCallState || string(e.JSON) != `{"b":2}` {
		t.Fatalf("get(11) = %v %s %v, want the second event and its JSON", e.Event.Type, e.JSON, ok)
	}
	for _, tc := range []struct {
		epoch string
		off   uint64
		js    string
	}{{"E1", 11, `{"a":1}`}, {"E2", 10, `{"a":1}`}, {"E1", 12, `{"b":2}`}, {"E1", 10 + localRingSize, `{"a":1}`}} {
		if l.get("hq", tc.epoch, tc.off, tc.js, true, &store.Entry{}) {
			t.Errorf("get(%s, %d, %s) hit", tc.epoch, tc.off, tc.js)
		}
	}
	l.put("hq", "E2", 1, evs[:1], js[:1]) // a new epoch replaces the ring
	if l.get("hq", "E1", 10, `{"a":1}`, true, &store.Entry{}) {
		t.Error("an event of the old epoch still served")
	}
}

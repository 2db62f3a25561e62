package client

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// The mirror follows a call's conference: LINE_CONFERENCE sets it, a later one with other
// parties replaces it, one with conference null clears it; the copies it hands out are its own.
func TestMirrorConference(t *testing.T) {
	m := newMirror()
	at := time.Date(2025, 3, 17, 14, 55, 0, 0, time.UTC)
	ev := func(e tapi.Event) *tapi.Event {
		e.V, e.Time, e.PBX, e.Line, e.Handle = tapi.WireVersion, at, "hq", "hq/201", "hq:17"
		return &e
	}
	m.apply(ev(tapi.Event{Type: tapi.LineNewCall, Call: &tapi.Call{Handle: "hq:17", Line: "hq/201",
		CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}, Parties: []string{"202"}}}))
	m.apply(ev(tapi.Event{Type: tapi.LineCallState, CallState: &tapi.CallStatus{State: tapi.LINECALLSTATE_CONFERENCED}}))
	p202 := tapi.PartyID{Number: "202", Name: "Bob", Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME}
	p203 := tapi.PartyID{Number: "203", Flags: tapi.LINECALLPARTYID_ADDRESS}
	conf := &tapi.Conference{Handle: tapi.ConferenceHandle("hq:17"), Parties: []tapi.PartyID{p202, p203}}
	m.apply(ev(tapi.Event{Type: tapi.LineConference, Conference: conf}))
	c, ok := m.call("hq:17")
	if !ok || !c.Conference.Equal(conf) || c.State != tapi.LINECALLSTATE_CONFERENCED {
		t.Fatalf("after LINE_CONFERENCE: %+v", c)
	}
	c.Conference.Parties[0].Number = "mutated"
	conf.Parties[1].Number = "mutated too"
	if c, _ := m.call("hq:17"); c.Conference.Parties[0].Number != "202" || c.Conference.Parties[1].Number != "203" {
		t.Fatalf("the mirror shares its conference: %+v", c.Conference)
	}
	m.apply(ev(tapi.Event{Type: tapi.LineConference, Conference: &tapi.Conference{Handle: "hq:17.conf",
		Parties: []tapi.PartyID{p202, p203, {Number: "204", Flags: tapi.LINECALLPARTYID_ADDRESS}}}}))
	if c, _ := m.call("hq:17"); c.Conference == nil || len(c.Conference.Parties) != 3 {
		t.Fatalf("a party joined: %+v", c.Conference)
	}
	m.apply(ev(tapi.Event{Type: tapi.LineCallState, CallState: &tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}}))
	m.apply(ev(tapi.Event{Type: tapi.LineConference}))
	if c, _ := m.call("hq:17"); c.Conference != nil || c.State != tapi.LINECALLSTATE_CONNECTED {
		t.Fatalf("conference null: %+v", c)
	}
	unknown := ev(tapi.Event{Type: tapi.LineConference, Conference: conf})
	unknown.Handle = "hq:99" // ev sets hq:17
	m.apply(unknown)
	if _, ok := m.call("hq:99"); ok || m.ignored() != 1 {
		t.Fatalf("LINE_CONFERENCE for an unknown call made one up or was not counted (%d ignored)", m.ignored())
	}
}

// An event of a type this release does not know (one added within the wire version) is
// skipped, its position taken; a malformed event of a known type still ends the session; a
// known event with members this release does not know is delivered.
func TestSkipUnknownEventType(t *testing.T) {
	c := &Client{m: newMirror(), events: make(chan Event, 4), ctx: context.Background()}
	s := &session{url: "ws://test"}
	m := &serverMsg{Type: "event", PBX: "hq", Epoch: "e1", Offset: 7,
		Event: []byte(`{"v":1,"type":"LINE_FUTURE","time":"2025-03-17T14:55:00Z","pbx":"hq","line":"hq/201","future":{}}`)}
	if err := c.handle(s, m); err != nil {
		t.Fatalf("unknown type: %v", err)
	}
	if len(c.events) != 0 || c.m.cursorsCopy()["hq"] != (Position{Epoch: "e1", Offset: 7}) {
		t.Fatalf("unknown type delivered or its position not taken: %d events, cursors %v", len(c.events), c.m.cursorsCopy())
	}
	m.Offset, m.Event = 8, []byte(`{"v":1,"type":"LINE_CONFERENCE","time":"2025-03-17T14:55:00Z","pbx":"hq","line":"hq/201"}`)
	if err := c.handle(s, m); err == nil {
		t.Fatal("LINE_CONFERENCE without a handle accepted")
	}
	m.Event = []byte(`{"v":1,"type":"LINE_CONFERENCE","time":"2025-03-17T14:55:00Z","pbx":"hq","line":"hq/201","handle":"hq:1","conference":null}`)
	if err := c.handle(s, m); err != nil || len(c.events) != 1 {
		t.Fatalf("LINE_CONFERENCE null: %v, %d events", err, len(c.events))
	}
	// A member a later release added within the wire version (as switchTime was) is ignored,
	// at the top and inside the payload; the event is delivered.
	m.Offset, m.Event = 9, []byte(`{"v":1,"type":"LINE_CALLSTATE","time":"2025-03-17T14:55:01Z","pbx":"hq","line":"hq/201","handle":"hq:1","later":true,"callState":{"state":"LINECALLSTATE_IDLE","later":{}}}`)
	if err := c.handle(s, m); err != nil || len(c.events) != 2 {
		t.Fatalf("event with members of a later release: %v, %d events", err, len(c.events))
	}
}

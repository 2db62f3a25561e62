package csta

import (
	"reflect"
	"strconv"
	"testing"
	"unsafe"
)

// TestEventMemberTables: every element an event's encoder writes is in its member table, so
// that both decoders read it back (the round trip alone would not tell the fast decoder's
// reading from the generic one's).
func TestEventMemberTables(t *testing.T) {
	common := map[string]bool{"monitorCrossRefID": true, "localConnectionInfo": true, "cause": true, "extensions": true}
	for _, m := range fastEventMessages() {
		data, err := Encode(nil, m, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		d := newDoc()
		if err := parseXML(d, data); err != nil {
			t.Fatal(err)
		}
		ev, ok := m.(memberEvent)
		if !ok || fastEvent([]byte(d.nodes[0].local)) == nil {
			t.Fatalf("%s is not registered with registerEvent", m.MessageName())
		}
		for c := d.nodes[0].first; c >= 0; c = d.nodes[c].next {
			if name := d.nodes[c].local; !common[name] && ev.member(name).kind == fkSkip {
				t.Errorf("%s writes <%s>, which its member table does not name", m.MessageName(), name)
			}
		}
	}
}

// TestDecodeSharedValues: a decoder that keeps its recent values (a link's reader) gives what
// a fresh one gives, over more distinct values than it keeps, and a repeated value is the
// same string, not another copy.
func TestDecodeSharedValues(t *testing.T) {
	shared := newDoc()
	for i := range 3 * valueSlots {
		call := strconv.Itoa(i % (2 * valueSlots))
		ev := &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(i % 7)), Cause: CauseNewCall},
			HeldConnection: ConnectionID{CallID: call, DeviceID: Device("20" + strconv.Itoa(i%50))}, HoldingDevice: Device("N<+4930" + call + ">;noa=nk")}
		data, err := Encode(nil, ev, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		for _, dec := range []func([]byte) (Message, error){shared.decode, newDoc().decode, newDoc().decodeGeneric} {
			got, err := dec(data)
			if err != nil || !reflect.DeepEqual(got, Message(ev)) {
				t.Fatalf("event %d: got %#v, %v; want %#v", i, got, err, ev)
			}
		}
	}
}

// TestStrSharesRepeatedValues: a value read again is the same string (no copy, no block
// space); a long one is copied each time.
func TestStrSharesRepeatedValues(t *testing.T) {
	d := newDoc()
	id := []byte("FF000100000000002D65C85C1C750000")
	a, b := d.str(id), d.str(append([]byte(nil), id...))
	if a != string(id) || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("repeated %q: %q and %q are two copies", id, a, b)
	}
	long := make([]byte, maxSharedValue+1)
	if x, y := d.str(long), d.str(long); unsafe.StringData(x) == unsafe.StringData(y) {
		t.Error("a value longer than maxSharedValue was shared")
	}
}

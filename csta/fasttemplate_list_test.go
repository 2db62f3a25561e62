package csta

import (
	"bytes"
	"testing"
	"unsafe"
)

// listDocs are the documents of templateDocs with a connection list of at least one item.
func listDocs(t testing.TB) [][]byte {
	var docs [][]byte
	for _, doc := range templateDocs(t) {
		if bytes.Contains(doc, []byte("<connectionListItem>")) {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatal("no document with a connection list")
	}
	return docs
}

// eventList is the connection list of a Transferred or Conferenced event.
func eventList(m Message) *[]ConnectionListItem {
	switch e := m.(type) {
	case *TransferredEvent:
		return &e.TransferredConnections
	case *ConferencedEvent:
		return &e.ConferenceConnections
	}
	return nil
}

// TestDecodeTemplateList: an event with a connection list makes a template; the same list
// with other values replays, as Decode decodes it, into a list of the event's own: one the
// caller changes changes neither the template nor the next event.
func TestDecodeTemplateList(t *testing.T) {
	for _, doc := range listDocs(t) {
		d := newLinkDoc()
		first, err := d.decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		k := d.tmpl.bySlot[nameSlot([]byte(first.MessageName()))]
		if k == nil || !k.t[0].ok {
			t.Fatalf("no template of %s", doc)
		}
		tplList := (*[]ConnectionListItem)(unsafe.Add(k.t[0].ev, listOffset(first)))
		variant := revalue(doc, revalues["digits"])
		prev := first
		for i, b := range [][]byte{variant, doc, variant, doc} {
			replays := d.tmpl.replays
			got := checkLinkDecode(t, d, b)
			if d.tmpl.replays != replays+1 {
				t.Fatalf("document %d not replayed: %s", i, b)
			}
			for _, other := range []*[]ConnectionListItem{tplList, eventList(prev)} {
				if &(*eventList(got))[0] == &(*other)[0] {
					t.Fatalf("document %d: the list is shared", i)
				}
			}
			// What a caller may do with its event: nothing else may see it.
			(*eventList(prev))[0].Endpoint = Device("changed")
			(*eventList(prev))[0].NewConnection.CallID = "changed"
			prev = got
		}
	}
}

// listOffset is the offset of the connection list in m's struct.
func listOffset(m Message) uintptr {
	return uintptr(unsafe.Pointer(eventList(m))) - uintptr(unsafe.Pointer(eventAddr(m)))
}

func eventAddr(m Message) unsafe.Pointer {
	switch e := m.(type) {
	case *TransferredEvent:
		return unsafe.Pointer(e)
	case *ConferencedEvent:
		return unsafe.Pointer(e)
	}
	return nil
}

// TestDecodeTemplateListRefused: a list item that has a member twice (the later one is the
// item's, as Decode reads it) or a list twice makes no template; both decode as Decode does.
func TestDecodeTemplateListRefused(t *testing.T) {
	for _, doc := range listDocs(t) {
		els := xelements(doc)
		for _, e := range els {
			name := string(doc[e.start+1 : e.nameEnd])
			switch name {
			case "newConnection", "oldConnection", "endpoint", "transferredConnections", "conferenceConnections":
			default:
				continue
			}
			// The element again after itself, with other values.
			twice := splice(doc, e.end, e.end, string(revalue(doc[e.start:e.end], revalues["digits"])))
			d := newLinkDoc()
			m := checkLinkDecode(t, d, twice)
			if k := d.tmpl.bySlot[nameSlot([]byte(m.MessageName()))]; k != nil && k.t[0].ok {
				t.Fatalf("%s twice made a template: %s", name, twice)
			}
			for _, b := range hazardStream(doc, twice) {
				checkLinkDecode(t, d, b)
			}
		}
	}
}

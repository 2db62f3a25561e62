package csta

import (
	"bytes"
	"reflect"
	"testing"
)

// The events of a link's decoder own their <extensions> copies, cut from one raw block: an
// append to one (which its capacity makes a new array) changes no other event, and every
// event stays what Decode gives for its document.
func TestRawCopiesApart(t *testing.T) {
	docs := simCallDocs(t, 400)
	d := newLinkDoc()
	events := make([]Message, len(docs))
	for i, doc := range docs {
		m, err := d.decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		events[i] = m
	}
	if d.tmpl.replays == 0 {
		t.Fatal("no replay")
	}
	for _, m := range events {
		c := m.(Event).Common()
		_ = append(c.Extensions, "<scribble/>"...)
		if cap(c.Extensions) != len(c.Extensions) {
			t.Fatalf("extensions of %d bytes with capacity %d", len(c.Extensions), cap(c.Extensions))
		}
	}
	for i, doc := range docs {
		want, err := Decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(events[i], want) {
			t.Fatalf("event %d: %#v, Decode %#v", i, events[i], want)
		}
		if !bytes.Contains(doc, events[i].(Event).Common().Extensions) {
			t.Fatalf("event %d: extensions %q not in its document", i, events[i].(Event).Common().Extensions)
		}
	}
}

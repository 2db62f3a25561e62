package csta

import (
	"reflect"
	"testing"
)

// TestLinkEventsOwnTheirStruct: the events a link decoder cuts from its blocks are each a
// struct of their own. Every event of a stream is kept and checked against Decode once the
// whole stream is read (a later event written over an earlier one would show), then each is
// changed, and the stream read again gives the same events as before.
func TestLinkEventsOwnTheirStruct(t *testing.T) {
	docs := simCallDocs(t, 3000)
	for _, doc := range templateDocs(t) {
		for _, f := range revalues {
			docs = append(docs, doc, revalue(doc, f))
		}
	}
	d := newLinkDoc()
	read := func() []Message {
		got := make([]Message, len(docs))
		for i, doc := range docs {
			m, err := d.decode(doc)
			if err == nil {
				got[i] = m
			}
		}
		return got
	}
	check := func(got []Message) {
		t.Helper()
		seen := make(map[Event]bool)
		for i, doc := range docs {
			want, err := Decode(doc)
			if err != nil {
				continue
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("event %d %#v\nDecode %#v\nof %s", i, got[i], want, doc)
			}
			if ev, ok := got[i].(Event); ok {
				if seen[ev] {
					t.Fatalf("event %d handed out twice", i)
				}
				seen[ev] = true
			}
		}
	}
	first := read()
	check(first)
	for _, m := range first {
		if ev, ok := m.(Event); ok {
			*ev.Common() = EventCommon{MonitorCrossRefID: "changed", Cause: "changed", Extensions: []byte("changed")}
		}
	}
	check(read())
	if d.tmpl.replays == 0 {
		t.Fatal("no event was replayed")
	}
}

// TestLinkEventsShareAllocations: a link decoder cuts the events of a stream from blocks, far
// fewer allocations than one an event.
func TestLinkEventsShareAllocations(t *testing.T) {
	docs := simCallDocs(t, 2000)
	d := newLinkDoc()
	for _, doc := range docs { // the templates, and the recent values
		if _, err := d.decode(doc); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	allocs := testing.AllocsPerRun(len(docs), func() {
		if _, err := d.decode(docs[i%len(docs)]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if allocs > 0.5 {
		t.Errorf("%.2f allocations per event", allocs)
	}
}

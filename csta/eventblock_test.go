package csta

import (
	"reflect"
	"testing"
)

// TestLinkEventsOwnTheirStruct: the events a link decoder cuts from its blocks are each a
// struct of their own. Every event of a stream is kept and checked against Decode once the
// whole stream is read (a later event written over an earlier one would show); then every
// other one is changed (its connection list too: an item, and an append), which changes
// neither the events between them nor those of the stream read again.
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
	check := func(got []Message, odd bool) {
		t.Helper()
		seen := make(map[Event]bool)
		for i, doc := range docs {
			want, err := Decode(doc)
			if err != nil || odd && i%2 == 0 {
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
	check(first, false)
	lists := 0
	for i := 0; i < len(first); i += 2 {
		if ev, ok := first[i].(Event); ok {
			*ev.Common() = EventCommon{MonitorCrossRefID: "changed", Cause: "changed", Extensions: []byte("changed")}
		}
		if l := eventList(first[i]); l != nil && len(*l) > 0 {
			lists++
			(*l)[0].Endpoint = Device("changed")
			*l = append(*l, ConnectionListItem{Endpoint: Device("appended")})
		}
	}
	check(first, true)
	check(read(), false)
	if d.tmpl.replays == 0 || lists == 0 {
		t.Fatalf("%d events replayed, %d changed with a connection list", d.tmpl.replays, lists)
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

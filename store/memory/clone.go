package memory

import "github.com/ctibridge/ctibridge/tapi"

// The store keeps its own copies of everything: callers may mutate what they passed to Apply
// and what reads returned. These copy every slice and pointer of the tapi types (with tapi's
// Clone methods and, for the events it hands to subscribers, tapi.Slabs; see fanOut), for
// the lines the store holds as values (calls, events and records it keeps encoded);
// tapi/event_clone_test.go checks that the copies share nothing.

func cloneLine(l tapi.Line) tapi.Line { return *l.Clone() }

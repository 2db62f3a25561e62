package memory

import "github.com/ctibridge/ctibridge/tapi"

// The store keeps its own copies of everything: callers may mutate what they passed to Apply
// and what reads returned. These copy every slice and pointer of the tapi types (with tapi's
// Clone methods), for the lines and calls the store holds as values and the events it hands
// to subscribers; clone_test.go checks that nothing is shared.

func cloneLine(l tapi.Line) tapi.Line { return *l.Clone() }

func cloneCall(c tapi.Call) tapi.Call { return *c.Clone() }

func cloneEvent(e *tapi.Event) tapi.Event { return e.Clone() }

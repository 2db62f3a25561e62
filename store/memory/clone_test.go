package memory

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestCloneEventIntoMatches checks tapi.Slabs.CloneEventInto (the fan-out's copy) against tapi.Slabs.CloneEvent on random
// events (every payload present or not): equal values, and nothing shared with the source.
func TestCloneEventIntoMatches(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 18))
	var mine, theirs tapi.Slabs
	for i := range 2000 {
		var src tapi.Event
		randomFill(r, reflect.ValueOf(&src).Elem())
		if i%2 == 0 { // half of them events of a call, which take the direct path
			src.LineState, src.Reply, src.Link, src.Switch, src.Resync = nil, nil, nil, nil, nil
			src.AgentStatus, src.QueueStatus, src.Conference = nil, nil, nil
		}
		var got tapi.Event
		got.Detail = "left over" // dst is overwritten entirely
		mine.CloneEventInto(&got, &src)
		want := theirs.CloneEvent(&src)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: CloneEventInto gave\n%+v\nCloneEvent\n%+v", i, got, want)
		}
		if path := testkit.SharedMemory(got, src, "event"); path != "" {
			t.Fatalf("event %d: the clone shares %s with the source", i, path)
		}
	}
}

// TestCloneEventPayloads pins the pointer and slice fields of tapi.Event that CloneEventInto
// knows: a payload added to the event must be added to tapi's clone (or it would be shared).
func TestCloneEventPayloads(t *testing.T) {
	known := []string{"Call", "CallState", "CallInfo", "LineState", "Reply", "Link", "Switch", "Resync",
		"AgentStatus", "QueueStatus", "Conference"}
	var refs []string
	typ := reflect.TypeFor[tapi.Event]()
	for i := range typ.NumField() {
		switch typ.Field(i).Type.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
			refs = append(refs, typ.Field(i).Name)
		}
	}
	if !slices.Equal(refs, known) {
		t.Fatalf("tapi.Event's reference fields are %v; CloneEventInto knows %v", refs, known)
	}
}

package memory

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestCloneEventIntoMatches checks cloneEventInto against tapi.Slabs.CloneEvent on random
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
		cloneEventInto(&got, &src, &mine)
		want := theirs.CloneEvent(&src)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: cloneEventInto gave\n%+v\nCloneEvent\n%+v", i, got, want)
		}
		if path := sharedMemory(reflect.ValueOf(got), reflect.ValueOf(src), "event"); path != "" {
			t.Fatalf("event %d: the clone shares %s with the source", i, path)
		}
	}
}

// TestCloneEventPayloads pins the pointer and slice fields of tapi.Event that cloneEventInto
// knows: a payload added to the event must be added to its list (or it would be shared).
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
		t.Fatalf("tapi.Event's reference fields are %v; cloneEventInto knows %v", refs, known)
	}
}

// sharedMemory returns the path of the first pointer or slice array that a and b (values of
// one type) share, "" when they share none (time zones apart).
func sharedMemory(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return sharedMemory(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Cap() > 0 && b.Cap() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range min(a.Len(), b.Len()) {
			if p := sharedMemory(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() { // its zone is shared, and never changes
			return ""
		}
		for i := range a.NumField() {
			if p := sharedMemory(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

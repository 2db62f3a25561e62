package tapi

import (
	"reflect"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// fillAll sets every field reachable from v: pointers to new values, slices to one element,
// numbers to 1, strings to "x". Times are left alone (their *Location may be shared).
func fillAll(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillAll(v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		v.SetUint(1)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// TestCloneIsDeep guards the copying against new pointer or slice fields in the types: Clone's
// and the Slabs' copies (as the memory store makes them for its subscribers: two events of a
// batch, the second's from full slabs) equal the original and share nothing with it.
func TestCloneIsDeep(t *testing.T) {
	var e Event
	fillAll(reflect.ValueOf(&e).Elem())
	c := e.Clone()
	if !reflect.DeepEqual(c, e) {
		t.Fatalf("clone differs from the original")
	}
	if p := testkit.SharedMemory(c, e, "Event"); p != "" {
		t.Fatalf("Clone shares %s with the original", p)
	}
	var n SlabSizes
	n.Count(&e)
	n.Count(&e)
	var s Slabs
	s.Reserve(n)
	for range 3 {
		c := s.CloneEvent(&e)
		if !reflect.DeepEqual(c, e) {
			t.Fatalf("clone from slabs differs from the original")
		}
		if p := testkit.SharedMemory(c, e, "Event"); p != "" {
			t.Fatalf("clone from slabs shares %s with the original", p)
		}
	}
	var l Line
	fillAll(reflect.ValueOf(&l).Elem())
	if p := testkit.SharedMemory(*l.Clone(), l, "Line"); p != "" {
		t.Fatalf("Line.Clone shares %s with the original", p)
	}
	var call Call
	fillAll(reflect.ValueOf(&call).Elem())
	if p := testkit.SharedMemory(*call.Clone(), call, "Call"); p != "" {
		t.Fatalf("Call.Clone shares %s with the original", p)
	}
}

// TestCallCloneIntoIsDeep: tapi's ReadModel keeps a call by CloneInto its previous version,
// whose arrays it reuses; the result must equal Clone's and share nothing with the original.
func TestCallCloneIntoIsDeep(t *testing.T) {
	var call Call
	fillAll(reflect.ValueOf(&call).Elem())
	prev := Call{Parties: make([]string, 0, 4), OtherCallIDs: make([]string, 3)}
	call.CloneInto(&prev)
	if !reflect.DeepEqual(prev, *call.Clone()) {
		t.Fatalf("CloneInto differs from Clone:\n%+v\n%+v", prev, *call.Clone())
	}
	if p := testkit.SharedMemory(prev, call, "Call"); p != "" {
		t.Fatalf("CloneInto shares %s with the original", p)
	}
	empty := Call{Handle: "h", Parties: []string{}}
	empty.CloneInto(&prev)
	if !reflect.DeepEqual(prev, *empty.Clone()) {
		t.Fatalf("CloneInto of a call without parties differs from Clone: %+v", prev)
	}
}

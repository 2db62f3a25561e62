package tapi

import (
	"reflect"
	"testing"
	"time"
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

// shared returns the path of the first pointer or slice array a and b have in common.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice, reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		if a.Kind() == reflect.Slice {
			for i := range min(a.Len(), b.Len()) {
				if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
					return p
				}
			}
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return ""
		}
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
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
	if p := shared(reflect.ValueOf(c), reflect.ValueOf(e), "Event"); p != "" {
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
		if p := shared(reflect.ValueOf(c), reflect.ValueOf(e), "Event"); p != "" {
			t.Fatalf("clone from slabs shares %s with the original", p)
		}
	}
	var l Line
	fillAll(reflect.ValueOf(&l).Elem())
	if p := shared(reflect.ValueOf(*l.Clone()), reflect.ValueOf(l), "Line"); p != "" {
		t.Fatalf("Line.Clone shares %s with the original", p)
	}
	var call Call
	fillAll(reflect.ValueOf(&call).Elem())
	if p := shared(reflect.ValueOf(*call.Clone()), reflect.ValueOf(call), "Call"); p != "" {
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
	if p := shared(reflect.ValueOf(prev), reflect.ValueOf(call), "Call"); p != "" {
		t.Fatalf("CloneInto shares %s with the original", p)
	}
	empty := Call{Handle: "h", Parties: []string{}}
	empty.CloneInto(&prev)
	if !reflect.DeepEqual(prev, *empty.Clone()) {
		t.Fatalf("CloneInto of a call without parties differs from Clone: %+v", prev)
	}
}

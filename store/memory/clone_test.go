package memory

import (
	"reflect"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// fill sets every field reachable from v: pointers to new values, slices to one element,
// numbers to 1, strings to "x". Times are left alone (their *Location may be shared).
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
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

// TestCloneIsDeep guards the copying against new pointer or slice fields in the tapi types.
func TestCloneIsDeep(t *testing.T) {
	var e tapi.Event
	fill(reflect.ValueOf(&e).Elem())
	c := cloneEvent(&e)
	if !reflect.DeepEqual(c, e) {
		t.Fatalf("clone differs from the original")
	}
	if p := shared(reflect.ValueOf(c), reflect.ValueOf(e), "Event"); p != "" {
		t.Fatalf("cloneEvent shares %s with the original", p)
	}
	// As fanOut clones a batch: from slabs, which two events share.
	slabs := newPayloadSlabs([]store.Entry{{Event: e}, {Event: e}})
	for range 2 {
		c := slabs.clone(&e)
		if !reflect.DeepEqual(c, e) {
			t.Fatalf("clone from slabs differs from the original")
		}
		if p := shared(reflect.ValueOf(c), reflect.ValueOf(e), "Event"); p != "" {
			t.Fatalf("clone from slabs shares %s with the original", p)
		}
	}
	if len(slabs.states) != 2 || len(slabs.infos) != 2 || len(slabs.calls) != 2 || len(slabs.strs) != 4 {
		t.Fatalf("clones not taken from the slabs: %d states, %d infos, %d calls, %d strings",
			len(slabs.states), len(slabs.infos), len(slabs.calls), len(slabs.strs))
	}
	// Empty slices are copied as nil, as tapi's Clone makes them; a full slab gives new values.
	e.Call.Parties, e.Call.OtherCallIDs = []string{}, nil
	if c := slabs.clone(&e); c.Call.Parties != nil || c.Call.OtherCallIDs != nil || !reflect.DeepEqual(*c.Call, *e.Call.Clone()) {
		t.Fatalf("clone of a call without parties from full slabs: %+v", c.Call)
	}
	var l tapi.Line
	fill(reflect.ValueOf(&l).Elem())
	if p := shared(reflect.ValueOf(cloneLine(l)), reflect.ValueOf(l), "Line"); p != "" {
		t.Fatalf("cloneLine shares %s with the original", p)
	}
	var call tapi.Call
	fill(reflect.ValueOf(&call).Elem())
	if p := shared(reflect.ValueOf(*call.Clone()), reflect.ValueOf(call), "Call"); p != "" {
		t.Fatalf("Call.Clone shares %s with the original", p)
	}
}

// TestCallCloneIntoIsDeep: tapi's ReadModel keeps a call by CloneInto its previous version,
// whose arrays it reuses; the result must equal Clone's and share nothing with the original.
func TestCallCloneIntoIsDeep(t *testing.T) {
	var call tapi.Call
	fill(reflect.ValueOf(&call).Elem())
	prev := tapi.Call{Parties: make([]string, 0, 4), OtherCallIDs: make([]string, 3)}
	call.CloneInto(&prev)
	if !reflect.DeepEqual(prev, *call.Clone()) {
		t.Fatalf("CloneInto differs from Clone:\n%+v\n%+v", prev, *call.Clone())
	}
	if p := shared(reflect.ValueOf(prev), reflect.ValueOf(call), "Call"); p != "" {
		t.Fatalf("CloneInto shares %s with the original", p)
	}
	empty := tapi.Call{Handle: "h", Parties: []string{}}
	empty.CloneInto(&prev)
	if !reflect.DeepEqual(prev, *empty.Clone()) {
		t.Fatalf("CloneInto of a call without parties differs from Clone: %+v", prev)
	}
}

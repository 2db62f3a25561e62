package tapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestModelAppendJSONMatchesMarshal compares Call.AppendJSON and Line.AppendJSON with
// json.Marshal over random values (valid members mostly, so that most encode).
func TestModelAppendJSONMatchesMarshal(t *testing.T) {
	f := &filler{r: rand.New(rand.NewPCG(3, 4)), times: jsonTimes(), good: jsonTimesGood}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	prefix := []byte(`{"x":`)
	check := func(v any, appendJSON func([]byte) ([]byte, error)) bool {
		t.Helper()
		want, werr := json.Marshal(v)
		got, gerr := appendJSON(bytes.Clone(prefix))
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("Marshal error %v, AppendJSON error %v, for %+v", werr, gerr, v)
		}
		if werr != nil {
			return false
		}
		if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Fatalf("AppendJSON differs from json.Marshal\n got: %s\nwant: %s", got, want)
		}
		return true
	}
	okCalls, okLines := 0, 0
	var times TimeCache // kept across the calls, as a writer of many keeps it
	for i := range n {
		f.valid = i%8 != 0
		var c Call
		f.fill(reflect.ValueOf(&c).Elem())
		if check(&c, c.AppendJSON) {
			okCalls++
		}
		check(&c, func(b []byte) ([]byte, error) { return c.AppendJSONCached(b, &times) })
		var l Line
		f.fill(reflect.ValueOf(&l).Elem())
		if check(&l, l.AppendJSON) {
			okLines++
		}
	}
	if okCalls < n/4 || okLines < n/4 {
		t.Fatalf("only %d calls and %d lines of %d encodable: the comparison covers too little", okCalls, okLines, n)
	}
}

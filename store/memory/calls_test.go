package memory

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// The calls Load returns are what tapi's Clone of the stored ones gives (monotonic readings
// aside, as in the Redis store): the stored encoding keeps every field of random calls, and
// empty slices come back nil as Clone makes them.
func TestStoredCallIsClone(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var locs locations
	for range 3000 {
		var c tapi.Call
		randomFill(r, reflect.ValueOf(&c).Elem())
		w := encoder{locs: &locs}
		w.call(&c)
		want := c.Clone()
		stripMono(reflect.ValueOf(want).Elem())
		if got := callLine(w.b); string(got) != c.Line {
			t.Fatalf("callLine gives %q, want %q", got, c.Line)
		}
		got, err := decodeCalls([][]byte{w.b}, &locs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[0], *want) {
			t.Fatalf("stored call differs from its clone\n got: %+v\nwant: %+v", got[0], *want)
		}
	}
}

// A call that stays while thousands of others come and go keeps neither its segment's
// neighbours nor a growing slice of freed segments: the calls are repacked.
func TestCallTableCompacts(t *testing.T) {
	ctx := context.Background()
	s, fence := ownedStore(t)
	apply := func(b store.Batch) {
		t.Helper()
		if _, err := s.Apply(ctx, "hq", fence, b); err != nil {
			t.Fatal(err)
		}
	}
	long := storetest.Call("hq", "200", 1)
	apply(store.Batch{Calls: []tapi.Call{long}})
	var live []tapi.Call
	parties := make([]string, 50) // calls of about 1 KiB: 150 segments' worth in all
	for i := range parties {
		parties[i] = "party-" + strconv.Itoa(1000000000+i)
	}
	for i := range 5000 {
		c := storetest.Call("hq", strconv.Itoa(201+i%3), uint64(i+2))
		c.Parties = parties
		apply(store.Batch{Calls: []tapi.Call{c, c}}) // stored twice: the first version is dropped
		live = append(live, c)
		if len(live) > 5 {
			apply(store.Batch{RemovedCalls: []tapi.CallHandle{live[0].Handle}})
			live = live[1:]
		}
		p := s.existing("hq")
		p.mu.Lock()
		segs, held := len(p.calls.segs.segs), p.calls.segs.held
		p.mu.Unlock()
		if segs > 70 || held > 5*segmentSize {
			t.Fatalf("after %d calls: %d segments, %d bytes held for %d calls", i+1, segs, held, len(live)+1)
		}
	}
	snap, err := s.Load(ctx, "hq")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]tapi.Call{long}, live...)
	if len(snap.Calls) != len(want) {
		t.Fatalf("loaded %d calls, want %d", len(snap.Calls), len(want))
	}
	byHandle := map[tapi.CallHandle]tapi.Call{}
	for _, c := range snap.Calls {
		byHandle[c.Handle] = c
	}
	for _, c := range want {
		if !reflect.DeepEqual(byHandle[c.Handle], c) {
			t.Fatalf("call %s loaded as %+v, want %+v", c.Handle, byHandle[c.Handle], c)
		}
	}
	snap, err = s.LoadLines(ctx, "hq", []string{long.Line})
	if err != nil || len(snap.Calls) != 1 || !reflect.DeepEqual(snap.Calls[0], long) {
		t.Fatalf("calls of %s: %+v, %v", long.Line, snap.Calls, err)
	}
}

// The call table keeps what a map of handles to encodings keeps, through replacements,
// removals and repacking, with its hashes whole and cut to a space of 8 (handles colliding).
func TestCallTableMatchesMap(t *testing.T) {
	for _, hashes := range []uint64{1 << 63, 8} {
		t.Run(strconv.FormatUint(hashes, 10), func(t *testing.T) { checkCallTable(t, hashes) })
	}
}

func checkCallTable(t *testing.T, hashes uint64) {
	r := rand.New(rand.NewPCG(8, 9))
	var tab callTable
	model := map[tapi.CallHandle]string{}
	for step := range 20000 {
		h := tapi.CallHandle("h" + strconv.Itoa(r.IntN(300)))
		if r.IntN(4) == 0 {
			tab.remove(h, handleHash(h)%hashes)
			delete(model, h)
		} else {
			var w encoder
			w.str(string(h))
			w.str(strconv.Itoa(step) + strings.Repeat("x", r.IntN(2000)))
			tab.put(h, handleHash(h)%hashes, w.b)
			model[h] = string(w.b)
		}
		tab.compact()
		if step%1000 != 999 {
			continue
		}
		if tab.count() != len(model) {
			t.Fatalf("%d calls, model %d", tab.count(), len(model))
		}
		got := map[tapi.CallHandle]string{}
		bytes := 0
		tab.each(func(enc []byte) {
			var d decoder
			d.s = string(enc)
			got[tapi.CallHandle(d.str())] = string(enc)
			bytes += len(enc)
		})
		if !reflect.DeepEqual(got, model) {
			t.Fatalf("step %d: the table holds other calls than the model", step)
		}
		if bytes != tab.bytes {
			t.Fatalf("table counts %d bytes, its calls have %d", tab.bytes, bytes)
		}
	}
}

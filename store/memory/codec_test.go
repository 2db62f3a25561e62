package memory

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// randomFill sets v, recursively, to random values: nil or new pointers, nil, empty or short
// slices, strings, numbers of every size, and times in several zones, with and without a
// monotonic reading. Every field, present or added later, gets exercised.
func randomFill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		randomFill(r, v.Elem())
	case reflect.Slice:
		if n := r.IntN(5); n == 0 {
			v.SetZero()
		} else {
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := range n - 1 {
				randomFill(r, v.Index(i))
			}
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(randomTime(r)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				randomFill(r, v.Field(i))
			}
		}
	case reflect.String:
		v.SetString([]string{"", "hq", "hq/201", "hq:17", "Zoë 日本", "\x00\xff", strings.Repeat("x", 300)}[r.IntN(7)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(r.Int64() >> r.IntN(64))
		if r.IntN(2) == 0 {
			v.SetInt(-v.Int())
		}
		if v.OverflowInt(v.Int()) {
			v.SetInt(int64(int32(v.Int())))
		}
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		x := r.Uint64() >> r.IntN(64)
		if v.OverflowUint(x) {
			x &= 1<<(8*v.Type().Size()) - 1
		}
		v.SetUint(x)
	}
}

var testZones = []*time.Location{time.UTC, time.Local, time.FixedZone("X", -(9*3600 + 30*60)), time.FixedZone("", 3600)}

func randomTime(r *rand.Rand) time.Time {
	switch r.IntN(6) {
	case 0:
		return time.Time{}
	case 1:
		return time.Now() // with a monotonic reading
	case 2:
		return time.Time{}.In(testZones[r.IntN(len(testZones))])
	case 3: // far from now, both ways
		return time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)).In(testZones[r.IntN(len(testZones))])
	default:
		return time.Date(2025, 3, 14, 9, 30, 0, int(r.Int64N(1e9)), testZones[r.IntN(len(testZones))])
	}
}

// stripMono removes the monotonic reading of every time in v: what the codec keeps.
func stripMono(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			stripMono(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			stripMono(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).Round(0)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				stripMono(v.Field(i))
			}
		}
	}
}

// TestCodecRoundTrip guards the encoded log and journals against fields added to the tapi and
// store types: random values in every field must come back exactly (monotonic readings aside).
func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var locs locations
	for range 5000 {
		var e tapi.Event
		randomFill(r, reflect.ValueOf(&e).Elem())
		w := encoder{locs: &locs}
		w.event(&e)
		d := decoder{s: string(w.b), locs: &locs}
		var got tapi.Event
		d.event(&got)
		if d.bad || d.i != len(d.s) {
			t.Fatalf("event did not decode (bad %v, %d of %d bytes read): %+v", d.bad, d.i, len(d.s), e)
		}
		stripMono(reflect.ValueOf(&e).Elem())
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("event changed in the log\n got: %+v\nwant: %+v", got, e)
		}

		var j store.JournalEntry
		randomFill(r, reflect.ValueOf(&j).Elem())
		w = encoder{locs: &locs}
		w.journalEntry(&j)
		d = decoder{s: string(w.b), locs: &locs}
		gotJ := store.JournalEntry{Line: j.Line}
		d.journalEntry(&gotJ)
		if d.bad || d.i != len(d.s) {
			t.Fatalf("journal entry did not decode: %+v", j)
		}
		stripMono(reflect.ValueOf(&j).Elem())
		if !reflect.DeepEqual(gotJ, j) {
			t.Fatalf("journal entry changed\n got: %+v\nwant: %+v", gotJ, j)
		}
	}
}

// A truncated record is reported, never decoded into something else.
func TestCodecTruncated(t *testing.T) {
	var locs locations
	for _, e := range storetest.Events("hq", "t", 4) {
		w := encoder{locs: &locs}
		w.event(&e)
		for n := range len(w.b) {
			d := decoder{s: string(w.b[:n]), locs: &locs}
			var got tapi.Event
			d.event(&got)
			if !d.bad {
				t.Fatalf("%s event cut to %d of %d bytes decoded without error", e.Type, n, len(w.b))
			}
		}
	}
}

// The log frees its segments as entries are trimmed, and keeps records larger than a segment.
func TestLogSegmentsFreed(t *testing.T) {
	ctx := context.Background()
	s := New(Options{MaxLogLen: 10})
	defer s.Close()
	l, _ := s.AcquireLease(ctx, "hq", "a", time.Hour)
	big := storetest.Events("hq", "big", 1)
	big[0].Detail = strings.Repeat("d", 3*segmentSize/2)
	for i := range 2000 {
		evs := storetest.Events("hq", "s", 1+i%3)
		if i%500 == 0 {
			evs = append(evs, big...)
		}
		if _, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: evs}); err != nil {
			t.Fatal(err)
		}
		p := s.existing("hq")
		p.mu.Lock()
		segs := len(p.log.segs.segs)
		p.mu.Unlock()
		if segs > 3 {
			t.Fatalf("after %d batches the log of 10 entries holds %d segments", i+1, segs)
		}
	}
	pos, _ := s.Position(ctx, "hq")
	es, err := s.Replay(ctx, "hq", pos.Epoch, pos.Offset-10, 0)
	if err != nil || len(es) != 10 {
		t.Fatalf("replay of the retained 10: %d, %v", len(es), err)
	}
	// The last batch (i = 1999, 1+1999%3 = 2 events) is the newest two entries.
	if es[9].Event.Detail != "s#1" || es[8].Event.Detail != "s#0" {
		t.Fatalf("newest entries %q, %q", es[8].Event.Detail, es[9].Event.Detail)
	}
	// A big record survives among small ones.
	if _, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: big}); err != nil {
		t.Fatal(err)
	}
	es, err = s.Replay(ctx, "hq", pos.Epoch, pos.Offset, 0)
	if err != nil || len(es) != 1 || es[0].Event.Detail != big[0].Detail {
		t.Fatalf("replay of a record larger than a segment: %d entries, %v", len(es), err)
	}
}

// Times in more zones than the table numbers keep their instant and their zone's name and
// offset; the table stops growing.
func TestCodecManyZones(t *testing.T) {
	var locs locations
	at := time.Date(2025, 3, 14, 9, 30, 0, 123, time.UTC)
	for i := range 3 * maxLocations {
		// As time.Parse makes them: a new *Location for every time with a numeric offset.
		want := at.In(time.FixedZone("", (i%24)*3600+1800))
		w := encoder{locs: &locs}
		w.time(want)
		d := decoder{s: string(w.b), locs: &locs}
		got := d.time()
		if d.bad || d.i != len(d.s) {
			t.Fatalf("zone %d: time did not decode", i)
		}
		gotName, gotOff := got.Zone()
		wantName, wantOff := want.Zone()
		if !got.Equal(want) || gotName != wantName || gotOff != wantOff || got.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
			t.Fatalf("zone %d: got %v, want %v", i, got, want)
		}
		if i < maxLocations && got.Location() != want.Location() {
			t.Fatalf("zone %d: location not kept", i)
		}
	}
	if len(locs.all) != maxLocations {
		t.Fatalf("the table holds %d zones, want at most %d", len(locs.all), maxLocations)
	}
}

// Times at the edges of each form (codec_time.go) come back exactly, and every cut of one is
// reported.
func TestCodecTimeForms(t *testing.T) {
	var locs locations
	zero := time.Time{}
	for _, at := range []time.Time{zero, zero.In(time.Local), zero.Add(time.Nanosecond), zero.Add(time.Second),
		zero.Add(-time.Nanosecond), time.Unix(1<<(8*fixedSecBytes)-1-unixToInternal, 999999999),
		time.Unix(1<<(8*fixedSecBytes)-unixToInternal, 0), time.Unix(1<<62, 5).In(testZones[2]),
		time.Unix(-1<<62, 0), time.Date(2026, 12, 7, 0, 30, 0, 123, testZones[3])} {
		w := encoder{locs: &locs}
		w.time(at)
		d := decoder{s: string(w.b), locs: &locs}
		got := d.time()
		if d.bad || d.i != len(d.s) || got != at {
			t.Fatalf("%v: got %v (bad %v, %d of %d bytes read)", at, got, d.bad, d.i, len(d.s))
		}
		for n := range len(w.b) {
			d := decoder{s: string(w.b[:n]), locs: &locs}
			if d.time(); !d.bad {
				t.Fatalf("%v cut to %d of %d bytes decoded without error", at, n, len(w.b))
			}
		}
	}
}

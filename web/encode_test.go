package web

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/cputime"
)

// encodeEntry returns the event message of e as a new message writer writes it.
func encodeEntry(e store.Entry) []byte {
	var w msgWriter
	return w.write(&e, nil)
}

// TestEncodeEntryMatchesMarshal pins the event message to what encoding/json writes for it,
// envelope included (tapi's tests cover the event itself field by field).
func TestEncodeEntryMatchesMarshal(t *testing.T) {
	var entries []store.Entry
	for i, ev := range storetest.Events("hq", "enc", 12) {
		entries = append(entries, store.Entry{PBX: "hq", Epoch: "0123456789abcdef", Offset: uint64(i + 1), Event: ev})
	}
	ev := storetest.Events("hq", "enc", 1)[0]
	entries = append(entries,
		store.Entry{Event: ev}, // no envelope members: all omitted
		store.Entry{PBX: `a<b>&"c"`, Epoch: "\u2028\xff", Offset: 1<<64 - 1, Event: ev},
		store.Entry{PBX: "hq", Epoch: "e", Offset: 3, Event: tapi.Event{V: 1, Type: tapi.LineCallState,
			CallState: &tapi.CallStatus{State: 0x7}}}, // not a member: the error message
		store.Entry{PBX: "hq", Epoch: "e", Offset: 4, Event: tapi.Event{Time: time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)}},
	)
	for i, e := range entries {
		got, want := encodeEntry(e), marshalEntry(e)
		if !bytes.Equal(got, want) {
			t.Fatalf("entry %d:\n got: %s\nwant: %s", i, got, want)
		}
		// The same entry with the event's JSON the store made (store.Entry.JSON) spliced in.
		js, err := e.Event.AppendJSON(nil)
		if err != nil {
			continue // the store makes no JSON for an event the encoder refuses
		}
		e.JSON = js
		if got := encodeEntry(e); !bytes.Equal(got, want) || cap(got) != len(got) && e.PBX == "hq" {
			t.Fatalf("entry %d with its JSON:\n got: %s (cap %d)\nwant: %s", i, got, cap(got), want)
		}
	}
	// The hub's fan-out encodes in its own buffer, with the envelope's head of the PBX and
	// epoch it saw last.
	// Its messages share blocks (msgBlocks): each must stay as it was written, whatever follows
	// it, and be full, so that an append to it cannot overwrite the next; events larger than a
	// block, or than the room left in one, take the other paths.
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	big := ev
	big.Detail = strings.Repeat("x", msgBlock+100)
	mid := ev
	mid.Detail = strings.Repeat("y", maxEventLen)
	hubEntries := append(slices.Clone(entries), store.Entry{PBX: "hq", Epoch: "e", Offset: 5, Event: big},
		store.Entry{PBX: "hq", Epoch: "e", Offset: 6, Event: mid})
	var got, want [][]byte
	for round := range 40 {
		for i, e := range hubEntries {
			if round%2 == 1 {
				e.PBX, e.Epoch = entries[0].PBX, entries[0].Epoch // the same head, one after another
			}
			if round == 2 && i%3 == 0 {
				if js, err := e.Event.AppendJSON(nil); err == nil {
					e.JSON = js
				}
			}
			got, want = append(got, h.encodeLocked(&e)), append(want, marshalEntry(e))
		}
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) || cap(got[i]) != len(got[i]) {
			t.Fatalf("hub, message %d:\n got: %s (cap %d)\nwant: %s", i, got[i], cap(got[i]), want[i])
		}
	}
	if got := encodeEntry(entries[len(entries)-1]); !bytes.Contains(got, []byte(`"type":"error"`)) {
		t.Fatalf("an unencodable event gave %s, want the error message", got)
	}
}

// BenchmarkEncodeEntry compares the event message encoding with encoding/json's (before),
// and with the event's JSON made by the store (stored: the hub only adds the envelope).
func BenchmarkEncodeEntry(b *testing.B) {
	evs := storetest.Events("hq", "bench", 4)
	stored := make([][]byte, len(evs))
	for i := range evs {
		stored[i], _ = evs[i].AppendJSON(nil)
	}
	for _, enc := range []struct {
		name string
		f    func(store.Entry) []byte
		js   bool
	}{{"append", nil, false}, {"json", marshalEntry, false}, {"stored", nil, true}} {
		var w msgWriter // as the hub's fan-out writes them
		if enc.f == nil {
			enc.f = func(e store.Entry) []byte { return w.write(&e, nil) }
		}
		b.Run(enc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Process()
			i := 0
			for b.Loop() {
				e := store.Entry{PBX: "hq", Epoch: "0123456789abcdef", Offset: uint64(i + 1), Event: evs[i%len(evs)]}
				if enc.js {
					e.JSON = stored[i%len(evs)]
				}
				enc.f(e)
				i++
			}
			reportCPU(b, cpu0)
		})
	}
}

// The envelope a message writer keeps counts the offset up in place for the entry after the
// one before: every message must still be encoding/json's, through carries into a new digit,
// repeats, jumps back and forth, a change of epoch, no offset, and the largest offset.
func TestEncodeEntryOffsetsInSequence(t *testing.T) {
	ev := storetest.Events("hq", "seq", 1)[0]
	var offsets []uint64
	for _, start := range []uint64{1, 7, 95, 998, 99_995, 1<<64 - 3} {
		for o := start; o < start+6 && o >= start; o++ {
			offsets = append(offsets, o)
		}
	}
	offsets = append(offsets, 0, 1, 1, 5, 4, 5, 6, 1<<64-1, 0, 9, 10, 10, 11)
	var w msgWriter
	for round, epoch := range []string{"E", "E", "F"} {
		for i, o := range offsets {
			e := store.Entry{PBX: "hq", Epoch: epoch, Offset: o, Event: ev}
			if i%4 == 3 {
				e.JSON, _ = e.Event.AppendJSON(nil)
			}
			if got, want := w.write(&e, nil), marshalEntry(e); !bytes.Equal(got, want) {
				t.Fatalf("round %d, offset %d after %d:\n got: %s\nwant: %s", round, o, offsets[max(i-1, 0)], got, want)
			}
		}
	}
}

// countUp adds one to a decimal number in place, and says when it runs out of digits.
func TestCountUp(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		ok      bool
	}{{"0", "1", true}, {"8", "9", true}, {"19", "20", true}, {"1299", "1300", true}, {"9", "", false}, {"999", "", false}} {
		d := []byte(tc.in)
		if ok := countUp(d); ok != tc.ok || ok && string(d) != tc.out {
			t.Errorf("countUp(%s) = %s, %v; want %s, %v", tc.in, d, ok, tc.out, tc.ok)
		}
	}
}

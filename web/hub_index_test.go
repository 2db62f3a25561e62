package web

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The hub's index of lines (byLine) and the feeds' own lines (feed.lines) reach the same marks, and
// stay consistent through any order of adding and removing lines and feeds: every feed with a
// line is listed once under it, with its own mark and index, and nothing else is listed. A
// fan-out then reaches exactly the feeds that have the entry's line.
func TestHubLineIndexFollowsSubscriptions(t *testing.T) {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	r := rand.New(rand.NewPCG(3, 5))
	const nFeeds, nLines = 12, 20
	line := func(i int) string { return "hq/" + strconv.Itoa(200+i) }
	feeds := make([]*feed, nFeeds)
	for i := range feeds {
		feeds[i] = newFeed(writerlessConn(Config{SendQueue: 1 << 20}))
		feeds[i].epoch = "E"
	}
	someLines := func() []string {
		var ls []string
		for range r.IntN(6) {
			ls = append(ls, line(r.IntN(nLines))) // repeats too
		}
		return ls
	}
	offset := uint64(0)
	for step := range 3000 {
		f := feeds[r.IntN(nFeeds)]
		switch r.IntN(4) {
		case 0, 1:
			h.addLines(f, someLines())
			f.syncing = false
		case 2:
			h.removeLines(f, someLines())
		default:
			h.removeFeed(f)
		}
		checkLineIndex(t, h, feeds)
		if t.Failed() {
			t.Fatalf("after step %d", step)
		}
		offset++
		l := line(r.IntN(nLines))
		h.fanOut(store.Entry{PBX: "hq", Epoch: "E", Offset: offset,
			Event: tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, PBX: "hq", Line: l}})
		for i, f := range feeds {
			q := f.c.takeQueue()
			want := 0
			if r, ok := f.lines[l]; ok {
				want = 1
				if *r.mark() != offset {
					t.Fatalf("step %d: feed %d's mark on %s is %d, want %d", step, i, l, *r.mark(), offset)
				}
			}
			if len(q) != want || want == 1 && !strings.Contains(string(q[0]), `"offset":`+strconv.FormatUint(offset, 10)) {
				t.Fatalf("step %d: feed %d got %q for %s, want %d message(s)", step, i, q, l, want)
			}
		}
		h.takeBurst()
	}
}

// checkLineIndex checks byLine against the feeds' lines.
func checkLineIndex(t *testing.T, h *hub, feeds []*feed) {
	t.Helper()
	listed := 0
	for l, lf := range h.byLine {
		if len(lf.subs) == 0 {
			t.Errorf("line %s listed without feeds", l)
		}
		if lf.name != l {
			t.Errorf("line %s listed as %s", l, lf.name)
		}
		for i, s := range lf.subs {
			if r := s.f.lines[l]; r.lf != lf || r.at != i {
				t.Errorf("line %s: subscriber %d's feed has its mark at %p[%d]", l, i, r.lf, r.at)
			}
		}
		listed += len(lf.subs)
	}
	have := 0
	for _, f := range feeds {
		have += len(f.lines)
		if _, in := h.feeds[f]; !in && len(f.lines) > 0 {
			t.Errorf("feed with %d lines not in the hub", len(f.lines))
		}
	}
	if listed != have {
		t.Errorf("%d feed lines listed, the feeds have %d", listed, have)
	}
}

// A run of entries fanned out at once reaches each feed as the entries one by one would:
// the entries of its lines and the line-less ones, in log order, whatever device IDs the
// events carry (here they collide, are 0, or are right); entries already delivered are
// dropped, and the sinks see each new entry once, in order.
func TestHubFanOutRunDeliversInOrder(t *testing.T) {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	var sunk []uint64
	h.sinks = append(h.sinks, func(e *store.Entry) { sunk = append(sunk, e.Offset) })
	r := rand.New(rand.NewPCG(7, 11))
	const nFeeds, nLines = 6, 30
	line := func(i int) string { return "hq/" + strconv.Itoa(200+i) }
	feeds := make([]*feed, nFeeds)
	for i := range feeds {
		feeds[i] = newFeed(writerlessConn(Config{SendQueue: 1 << 20}))
		feeds[i].epoch = "E"
		var ls []string
		for j := range nLines {
			if r.IntN(3) == 0 {
				ls = append(ls, line(j))
			}
		}
		h.addLines(feeds[i], append(ls, line(0)))
		feeds[i].syncing = false
	}
	offset := uint64(0)
	var wantSunk []uint64
	for round := range 200 {
		// A run may start with entries delivered already (a replay overlapping).
		first := offset + 1 - uint64(r.IntN(3))
		run := make([]store.Entry, 1+r.IntN(40))
		want := make([][]uint64, nFeeds)
		for i := range run {
			o := first + uint64(i)
			ev := tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, PBX: "hq"}
			if r.IntN(8) > 0 {
				ev.Line = line(r.IntN(nLines))
				switch r.IntN(3) {
				case 0:
					ev.Device = tapi.LineDeviceID(ev.Line)
				case 1:
					ev.Device = uint32(r.IntN(3)) // colliding
				}
			} else {
				ev.Type = tapi.BridgeLinkStatus
			}
			run[i] = store.Entry{PBX: "hq", Epoch: "E", Offset: o, Event: ev}
			if o <= offset {
				continue
			}
			wantSunk = append(wantSunk, o)
			for j, f := range feeds {
				if ev.Line == "" || f.has(ev.Line) {
					want[j] = append(want[j], o)
				}
			}
		}
		offset = first + uint64(len(run)) - 1
		h.fanOutRun(run)
		for j, f := range feeds {
			var got []uint64
			for _, msg := range f.c.takeQueue() {
				var m struct{ Offset uint64 }
				if err := json.Unmarshal(msg, &m); err != nil {
					t.Fatal(err)
				}
				got = append(got, m.Offset)
			}
			if !slices.Equal(got, want[j]) {
				t.Fatalf("round %d: feed %d got offsets %v, want %v", round, j, got, want[j])
			}
		}
		h.takeBurst()
		// The subscribers change between runs: the next run must see the change.
		f := feeds[r.IntN(nFeeds)]
		if r.IntN(2) == 0 {
			h.removeLines(f, []string{line(r.IntN(nLines))})
		} else {
			h.addLines(f, []string{line(r.IntN(nLines))})
			f.syncing = false
		}
	}
	if !slices.Equal(sunk, wantSunk) {
		t.Fatalf("sinks got %d entries %v, want %d", len(sunk), sunk, len(wantSunk))
	}
}

// The index finds a line by its name, whatever string carries it: the key is re-pointed at
// the string the line's entries share (after two entries with it), entries with a string of
// their own each reach the same feeds, and lines are removed and added again by other
// strings of the same name.
func TestHubLineIndexFindsLinesByName(t *testing.T) {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	name := func() string { return strings.Clone("hq/201") } // a string of its own
	f := newFeed(writerlessConn(Config{SendQueue: 1 << 20}))
	f.epoch = "E"
	h.addLines(f, []string{name()})
	f.syncing = false
	offset := uint64(0)
	fanOut := func(line string, want int) {
		t.Helper()
		offset++
		h.fanOut(store.Entry{PBX: "hq", Epoch: "E", Offset: offset,
			Event: tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, PBX: "hq", Line: line}})
		if q := f.c.takeQueue(); len(q) != want {
			t.Fatalf("entry %d on %s: %d messages queued, want %d", offset, line, len(q), want)
		}
		h.takeBurst()
	}
	keyOf := func() *byte {
		for k := range h.byLine {
			return unsafe.StringData(k)
		}
		return nil
	}
	shared := name()
	fanOut(shared, 1)
	fanOut(shared, 1)
	if keyOf() != unsafe.StringData(shared) {
		t.Error("the index's key is not the string of the line's entries")
	}
	for range 3 {
		fanOut(name(), 1)
	}
	fanOut(shared, 1)
	fanOut("hq/202", 0) // no feed has it
	checkLineIndex(t, h, []*feed{f})
	h.removeLines(f, []string{name()})
	if len(h.byLine) != 0 || len(h.feeds) != 0 {
		t.Fatalf("%d lines and %d feeds left in the hub", len(h.byLine), len(h.feeds))
	}
	h.addLines(f, []string{name()})
	f.syncing = false
	fanOut(shared, 1)
	checkLineIndex(t, h, []*feed{f})
}

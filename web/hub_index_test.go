package web

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The hub's index of lines (byLine) and the feeds' own lines (feed.lines) share each mark, and
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
		feeds[i] = &feed{c: writerlessConn(Config{SendQueue: 1 << 20}), lines: map[string]*lineMark{}, epoch: "E"}
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
			if _, ok := f.lines[l]; ok {
				want = 1
				if f.lines[l].last != offset {
					t.Fatalf("step %d: feed %d's mark on %s is %d, want %d", step, i, l, f.lines[l].last, offset)
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
	for l, subs := range h.byLine {
		if len(subs) == 0 {
			t.Errorf("line %s listed without feeds", l)
		}
		for i, s := range subs {
			if s.m.at != i || s.f.lines[l] != s.m {
				t.Errorf("line %s: subscriber %d has index %d, mark %p, the feed's mark %p", l, i, s.m.at, s.m, s.f.lines[l])
			}
		}
		listed += len(subs)
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
		feeds[i] = &feed{c: writerlessConn(Config{SendQueue: 1 << 20}), lines: map[string]*lineMark{}, epoch: "E"}
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

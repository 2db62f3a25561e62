package web

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// pendingEntries returns n entries from offset 1 on lines hq/201, hq/202 and hq/203 and
// line-less, in turn.
func pendingEntries(n int) []store.Entry {
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	es := make([]store.Entry, n)
	for i := range es {
		e := store.Entry{PBX: "hq", Epoch: "E", Offset: uint64(i + 1),
			Event: tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, PBX: "hq",
				Time: at.Add(time.Duration(i) * time.Millisecond), Handle: tapi.CallHandle("hq:" + strconv.Itoa(i)),
				CallState: &tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}}}
		if k := i % 4; k < 3 {
			e.Event.Line = "hq/" + strconv.Itoa(201+k)
		} else {
			e.Event = tapi.Event{V: tapi.WireVersion, Type: tapi.BridgeLinkStatus, PBX: "hq", Time: e.Event.Time,
				Link: &tapi.LinkStatus{Node: "n1", Status: "up", Active: true}}
		}
		es[i] = e
	}
	return es
}

// Live entries that come while a feed's replay runs wait, over several chunks, and are
// delivered once it is done: in order, those of the feed's lines and the line-less ones, none
// the replay already gave (its marks), each as encodeEntry writes it; then the synced message.
func TestFinishSyncDeliversPending(t *testing.T) {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	c := writerlessConn(Config{SendQueue: 1 << 20})
	f := newFeed(c)
	lines := []string{"hq/201", "hq/202"}
	h.addLines(f, lines)
	h.setMarks(f, lines, store.Position{Epoch: "E", Offset: 0}, true)
	es := pendingEntries(3*pendingChunk + 77)
	for _, e := range es {
		h.fanOut(e)
	}
	if q := c.takeQueue(); len(q) != 0 {
		t.Fatalf("%d messages queued during the replay", len(q))
	}
	// The replay gave hq/201 up to 400 meanwhile.
	h.setMarks(f, []string{"hq/201"}, store.Position{Epoch: "E", Offset: 400}, false)
	h.finishSync(f, 0)

	var want [][]byte
	marks := map[string]uint64{}
	for _, e := range es {
		if e.Event.Line == "hq/203" || (e.Event.Line == "hq/201" && e.Offset <= 400) {
			continue
		}
		want = append(want, encodeEntry(e))
		marks[e.Event.Line] = e.Offset
	}
	q := c.takeQueue()
	if len(q) != len(want)+1 || !strings.Contains(string(q[len(q)-1]), `"type":"synced"`) {
		t.Fatalf("%d messages queued, want %d and synced", len(q), len(want))
	}
	for i := range want {
		if !bytes.Equal(q[i], want[i]) {
			t.Fatalf("message %d:\n%s\nwant\n%s", i, q[i], want[i])
		}
	}
	if *f.lines["hq/201"].mark() != marks["hq/201"] || *f.lines["hq/202"].mark() != marks["hq/202"] || f.bridgeLast != marks[""] {
		t.Errorf("marks %d %d %d after the pending entries, want %d %d %d", *f.lines["hq/201"].mark(),
			*f.lines["hq/202"].mark(), f.bridgeLast, marks["hq/201"], marks["hq/202"], marks[""])
	}
	if f.syncing || f.pending.len() != 0 {
		t.Error("feed still syncing or holding pending entries")
	}
}

// Pending entries stop at the feed's bound: the rest is read from the log after the replay,
// from the last entry kept.
func TestPendingStopsAtItsBound(t *testing.T) {
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	c := writerlessConn(Config{SendQueue: 4})
	f := newFeed(c)
	h.addLines(f, []string{"hq/201", "hq/202", "hq/203"})
	h.setMarks(f, []string{"hq/201", "hq/202", "hq/203"}, store.Position{Epoch: "E", Offset: 0}, true)
	limit := c.pendingLimit()
	for _, e := range pendingEntries(limit + 50) {
		h.fanOut(e)
	}
	if f.pending.len() != limit || !f.overflow || f.from != (store.Position{Epoch: "E", Offset: uint64(limit)}) {
		t.Errorf("pending %d, overflow %v from %v; want %d, true from offset %d", f.pending.len(), f.overflow, f.from, limit, limit)
	}
}

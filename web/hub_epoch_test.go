package web

import (
	"context"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// A store that lost its data starts a new log epoch whose offsets begin again: an entry of
// it must never reach a client that counts in the old epoch, even one whose marks for a line
// are below the new offset. The session ends with CloseResyncRequired instead, and nothing
// fanned out after that is queued behind the close.
func TestFeedNeverGetsEntryOfAnotherEpoch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := writerlessConn(Config{SendQueue: 16})
	c.ctx, c.cancel = context.WithCancel(ctx)
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 10)
	f := newFeed(c)
	h.addLines(f, []string{"hq/201", "hq/202"})
	h.setMarks(f, []string{"hq/201", "hq/202"}, store.Position{Epoch: "OLD", Offset: 90}, true)
	h.finishSync(f, 0)

	entry := func(epoch string, off uint64, line string) store.Entry {
		return store.Entry{PBX: "hq", Epoch: epoch, Offset: off,
			Event: tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, PBX: "hq", Line: line}}
	}
	h.fanOut(entry("OLD", 91, "hq/201"))
	// hq/202's mark is 90, so offset 95 of the new epoch would pass an offset-only check.
	h.fanOut(entry("NEW", 95, "hq/202"))
	h.fanOut(entry("NEW", 96, "hq/201"))

	q := c.takeQueue()
	for _, m := range q {
		if strings.Contains(string(m), `"NEW"`) {
			t.Errorf("entry of the new epoch queued: %s", m)
		}
	}
	if len(q) != 2 || !strings.Contains(string(q[0]), `"type":"synced"`) || !strings.Contains(string(q[1]), `"offset":91`) {
		t.Errorf("queue holds %d messages %q, want synced and the old epoch's entry 91", len(q), q)
	}
	if c.closeCode != CloseResyncRequired || !strings.Contains(c.closeText, "epoch_changed") {
		t.Errorf("session closed with %d %q, want %d naming epoch_changed", c.closeCode, c.closeText, CloseResyncRequired)
	}
	if err := c.enqueueWait([]byte(`{}`)); err == nil {
		t.Error("a replay could still queue after the session failed")
	}
}

// A feed that resyncs into a new epoch counts from its snapshot: marks of the old epoch are
// dropped, so the new epoch's entries after the snapshot are delivered.
func TestFeedMarksStartOverInANewEpoch(t *testing.T) {
	f := newFeed(&wsConn{})
	h := newHub("hq", nil, logrus.NewEntry(logrus.New()), newMetrics(nil), 0)
	h.addLines(f, []string{"hq/201", "hq/202"})
	h.setMarks(f, []string{"hq/201", "hq/202"}, store.Position{Epoch: "OLD", Offset: 500}, false)
	h.setMarks(f, []string{"hq/201"}, store.Position{Epoch: "NEW", Offset: 7}, true)
	ev := func(off uint64, line string) store.Entry {
		return store.Entry{Epoch: "NEW", Offset: off, Event: tapi.Event{Line: line}}
	}
	for _, tc := range []struct {
		e    store.Entry
		want bool
	}{
		{ev(7, "hq/201"), false}, // in the snapshot
		{ev(8, "hq/201"), true},
		{ev(9, "hq/202"), true}, // the old epoch's mark 500 no longer counts
		{ev(10, ""), true},
	} {
		if got := f.accept(tc.e); got != tc.want {
			t.Errorf("accept(%d %q) = %v, want %v", tc.e.Offset, tc.e.Event.Line, got, tc.want)
		}
	}
}

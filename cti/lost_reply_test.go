package cti

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/ctibridge/ctibridge/store"
)

// lostReplyStore loses the reply of every third write with events: the write happened, and
// the writer hears an error, as when the connection to Redis breaks after the script ran.
type lostReplyStore struct {
	store.Store
	writes, lost atomic.Int64
}

func (l *lostReplyStore) Apply(ctx context.Context, pbx string, fence store.Fence, b store.Batch) (store.Appended, error) {
	es, err := l.Store.Apply(ctx, pbx, fence, b)
	if err == nil && len(b.Events) > 0 && l.writes.Add(1)%3 == 0 {
		l.lost.Add(1)
		return store.Appended{}, errors.New("read tcp 127.0.0.1:6379: connection reset by peer")
	}
	return es, err
}

// A write whose reply is lost is sent again, and the store applies it once: the log holds
// every event once, the lines equal the switch, and clients see no call twice.
func TestLostWriteReplyNotAppliedTwice(t *testing.T) {
	s := newSim(t, "200-299")
	st := &lostReplyStore{Store: newStore()}
	a := startBridge(t, st, "a", s.pbxConfig("200-239"), nil)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	makeTraffic(t, s)
	waitFor(t, "owner equals the PBX", a.matchesTruth(s, s.primary, lineExts))
	if st.lost.Load() == 0 {
		t.Fatal("no reply was lost: the test tested nothing")
	}
	pos, err := st.Position(context.Background(), "hq")
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.Replay(context.Background(), "hq", pos.Epoch, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]uint64{}
	for _, en := range es {
		js, err := en.Event.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if at, dup := seen[string(js)]; dup {
			t.Fatalf("offset %d repeats the event at %d (a write applied twice): %s", en.Offset, at, js)
		}
		seen[string(js)] = en.Offset
	}
	a.rec.checkSequences(t)
	t.Logf("%d replies lost of %d writes; %d events in the log once each", st.lost.Load(), st.writes.Load(), len(es))
}

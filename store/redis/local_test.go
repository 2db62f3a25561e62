package redisstore

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestLocalEventsOnlyWhatWasPublished: a slot serves an offset only for the epoch and the
// very JSON it was recorded with; an expectation that was wrong is a miss, not a wrong event.
func TestLocalEventsOnlyWhatWasPublished(t *testing.T) {
	var l localEvents
	evs := []tapi.Event{{Type: tapi.LineNewCall, Line: "hq/201"}, {Type: tapi.LineCallState, Line: "hq/201"}}
	js := [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)}
	l.put("hq", "E1", written{first: 10}, evs, js)
	var e store.Entry
	if ok := l.get("hq", "E1", 11, `{"b":2}`, written{first: 10}, false, &e); !ok || e.Event.Type != tapi.LineCallState || string(e.JSON) != `{"b":2}` {
		t.Fatalf("get(11) = %v %s %v, want the second event and its JSON", e.Event.Type, e.JSON, ok)
	}
	for _, tc := range []struct {
		epoch string
		off   uint64
		js    string
	}{{"E1", 11, `{"a":1}`}, {"E2", 10, `{"a":1}`}, {"E1", 12, `{"b":2}`}, {"E1", 10 + localRingSize, `{"a":1}`}} {
		if l.get("hq", tc.epoch, tc.off, tc.js, written{first: 10}, true, &store.Entry{}) {
			t.Errorf("get(%s, %d, %s) hit", tc.epoch, tc.off, tc.js)
		}
	}
	l.put("hq", "E2", written{first: 1}, evs[:1], js[:1]) // a new epoch replaces the ring
	if l.get("hq", "E1", 10, `{"a":1}`, written{first: 10}, true, &store.Entry{}) {
		t.Error("an event of the old epoch still served")
	}
}

// TestOwnEntriesCarryTheirJSON: the entries of events this Store wrote carry the JSON it
// wrote (Apply's, its subscriptions' and its replays'), which the web hub puts in client
// messages; another instance's, decoded, carry the JSON they were decoded from (the owner's
// encoder's bytes, as stored), so that no instance encodes an event again. The subscriptions
// share one copy of each event, apart from the copy replays are made from.
func TestOwnEntriesCarryTheirJSON(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	other := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	var subs []store.Subscription
	for _, st := range []*Store{s, s, other} {
		sub, err := st.Subscribe(tctx(t), "hq")
		require.NoError(t, err)
		defer sub.Close()
		subs = append(subs, sub)
	}
	evs := storetest.Events("hq", "own", 3)
	applied, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: evs})
	require.NoError(t, err)
	own := func(what string, es []store.Entry) {
		t.Helper()
		require.Len(t, es, len(evs), what)
		for i, e := range es {
			want, err := evs[i].AppendJSON(nil)
			require.NoError(t, err)
			require.Equal(t, string(want), string(e.JSON), "%s: entry %d", what, i)
		}
	}
	first, second := receive(t, subs[0], 3), receive(t, subs[1], 3)
	own("subscribed", first)
	own("subscribed again", second)
	require.Same(t, first[0].Event.Call, second[0].Event.Call, "the subscriptions' copy is shared")
	replayed, err := s.Replay(tctx(t), "hq", applied.Epoch, 0, 0)
	require.NoError(t, err)
	own("replayed", replayed)
	require.NotSame(t, first[0].Event.Call, replayed[0].Event.Call, "a replay gets a copy of its own")
	own("another instance's subscription", receive(t, subs[2], 3))
	theirs, err := other.Replay(tctx(t), "hq", applied.Epoch, 0, 0)
	require.NoError(t, err)
	own("another instance's replay", theirs)
}

// TestLocalEventsKeepCopiesOfTheirOwn: the ring's copies of a batch's call payloads come from
// slabs (a few arrays a batch, not an allocation or more per event) and are still copies:
// neither the writer changing its events afterwards nor the next batches change them.
func TestLocalEventsKeepCopiesOfTheirOwn(t *testing.T) {
	batch := func(n int, state tapi.CallState, party string) ([]tapi.Event, [][]byte) {
		evs, js := make([]tapi.Event, n), make([][]byte, n)
		for i := range evs {
			c := storetest.Call("hq", "201", uint64(i+1))
			c.Parties = []string{party}
			evs[i] = tapi.Event{Type: tapi.LineCallState, Line: c.Line, Handle: c.Handle, Call: &c,
				CallState: &tapi.CallStatus{State: state}, CallInfo: &tapi.CallInfoEvent{Info: c.Info}}
			js[i] = []byte(`{"n":` + strconv.Itoa(i) + `}`)
		}
		return evs, js
	}
	var l localEvents
	evs, js := batch(32, tapi.LINECALLSTATE_CONNECTED, "+4930")
	l.put("hq", "E1", written{first: 1}, evs, js)
	for i := range evs {
		evs[i].CallState.State = tapi.LINECALLSTATE_IDLE
		evs[i].Call.Parties[0] = "changed"
		evs[i].CallInfo.Info.Trunk = "changed"
	}
	more, moreJS := batch(40, tapi.LINECALLSTATE_ONHOLD, "+4940")
	l.put("hq", "E1", written{first: 33}, more, moreJS)
	for i := range evs {
		var e store.Entry
		require.True(t, l.get("hq", "E1", uint64(1+i), string(js[i]), written{first: 1}, true, &e), "offset %d", 1+i)
		require.Equal(t, tapi.LINECALLSTATE_CONNECTED, e.Event.CallState.State, "offset %d", 1+i)
		require.Equal(t, []string{"+4930"}, e.Event.Call.Parties, "offset %d", 1+i)
		require.Empty(t, e.Event.CallInfo.Info.Trunk, "offset %d", 1+i)
	}
	allocs := testing.AllocsPerRun(20, func() { l.put("hq", "E1", written{first: 1}, evs, js) })
	require.LessOrEqual(t, allocs, 8.0, "allocations recording 32 events with call payloads")
}

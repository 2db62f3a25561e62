package redisstore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestLocalEventsNamedBatch: a message naming the write and the first offset a slot was
// recorded for is served from the slot without comparing its text; any other message (another
// write, the same write at another first offset, or no name) only when its JSON is the slot's.
func TestLocalEventsNamedBatch(t *testing.T) {
	var l localEvents
	evs := []tapi.Event{{Type: tapi.LineNewCall, Line: "hq/201"}, {Type: tapi.LineCallState, Line: "hq/201"}}
	l.put("hq", "E1", written{write: "a/1/7", first: 10}, evs, [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)})
	for _, tc := range []struct {
		what string
		js   string
		b    written
		hit  bool
	}{
		{"the named batch, its text not compared", `{"b":9}`, written{"a/1/7", 10}, true},
		{"the named batch, text of another length", `{"b":10}`, written{"a/1/7", 10}, true},
		{"the same write at another first offset", `{"b":9}`, written{"a/1/7", 11}, false},
		{"the same write elsewhere, the same text", `{"b":2}`, written{"a/1/7", 11}, true},
		{"another write, other text", `{"b":9}`, written{"b/2/1", 10}, false},
		{"another write, the same text", `{"b":2}`, written{"b/2/1", 10}, true},
		{"no name (an older writer), the same text", `{"b":2}`, written{"", 10}, true},
		{"no name, other text", `{"b":9}`, written{"", 10}, false},
	} {
		var e store.Entry
		hit := l.get("hq", "E1", 11, tc.js, tc.b, true, &e)
		require.Equal(t, tc.hit, hit, tc.what)
		if hit {
			require.Equal(t, tapi.LineCallState, e.Event.Type, tc.what)
			require.Equal(t, `{"b":2}`, string(e.JSON), tc.what)
		}
	}
	require.True(t, l.holds("hq", "E1", written{"a/1/7", 10}))
	require.True(t, l.holds("hq", "E1", written{"", 10}), "unnamed: get compares")
	require.False(t, l.holds("hq", "E1", written{"b/2/1", 10}), "another write's batch: the feed decodes it")
	require.False(t, l.holds("hq", "E1", written{"a/1/7", 11}))
	require.False(t, l.holds("hq", "E2", written{"a/1/7", 10}))
}

// TestParsePublishedNamesTheWrite: a message carries the write's ID after the first offset;
// one without (an unnamed write, the stream's copy, a writer from before) parses as before.
func TestParsePublishedNamesTheWrite(t *testing.T) {
	p, ok := parsePublished("E1\n12 a/1/7\n{}\n{}")
	require.True(t, ok)
	require.Equal(t, published{epoch: "E1", first: 12, write: "a/1/7", n: 2, body: "{}\n{}"}, *p)
	require.Equal(t, []string{"{}", "{}"}, p.lines())
	p, ok = parsePublished("E1\n12\n{}")
	require.True(t, ok)
	require.Equal(t, published{epoch: "E1", first: 12, n: 1, body: "{}"}, *p)
	for _, bad := range []string{"E1\n12", "E1\nx a/1/7\n{}", "E1\n a/1/7\n{}"} {
		_, ok := parsePublished(bad)
		require.False(t, ok, "%q", bad)
	}
}

// TestPublishedMessageNamesTheWrite: a named write's ID is in its batch's head, in the message
// and the stream's copy alike, also when the script rewrites the head at the real first
// offset; an unnamed write, or an ID that cannot be one line, has none. Replays read either.
func TestPublishedMessageNamesTheWrite(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	other := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	f := leaseHQ(t, s)
	k := newKeys(s.opts.KeyPrefix, "hq")
	ps := s.client.Subscribe(tctx(t), k.events())
	t.Cleanup(func() { _ = ps.Close() })
	_, err := ps.Receive(tctx(t))
	require.NoError(t, err)
	var published []string
	head := func() (string, string) {
		t.Helper()
		m, err := ps.ReceiveMessage(tctx(t))
		require.NoError(t, err)
		published = append(published, m.Payload)
		parts := strings.SplitN(m.Payload, "\n", 3)
		require.Len(t, parts, 3)
		return parts[0], parts[1]
	}
	apply := func(st *Store, id string, n int) store.Appended {
		t.Helper()
		es, err := st.Apply(tctx(t), "hq", f, store.Batch{ID: id, Events: events(id, n)})
		require.NoError(t, err)
		return es
	}
	es := apply(s, "a/1/1", 2)
	epoch, offset := head()
	require.Equal(t, es.Epoch, epoch)
	require.Equal(t, "1 a/1/1", offset)
	apply(s, "", 1)
	_, offset = head()
	require.Equal(t, "3", offset, "an unnamed write")
	apply(s, "a/1\n/3", 1)
	_, offset = head()
	require.Equal(t, "4", offset, "an ID of two lines is not published")
	apply(other, "b/1/1", 1) // s expects offset 5 next
	head()
	apply(s, "a/1/4", 2)
	_, offset = head()
	require.Equal(t, "6 a/1/4", offset, "the head rewritten at the real offset, with the name")

	xs, err := s.client.XRange(tctx(t), k.log(), "-", "+").Result()
	require.NoError(t, err)
	require.Len(t, xs, len(published))
	for i, x := range xs {
		require.Equal(t, published[i], x.Values["b"], "stream entry %s", x.ID)
	}
	for _, st := range []*Store{s, other} {
		got, err := st.Replay(tctx(t), "hq", es.Epoch, 0, 0)
		require.NoError(t, err)
		wantSequence(t, got, es.Epoch, 1, []string{"a/1/1#0", "a/1/1#1", "#0", "a/1\n/3#0", "b/1/1#0", "a/1/4#0", "a/1/4#1"})
	}
}

// TestOwnSubscriptionAfterAnotherWriter: when another writer took the offsets this Store
// expected for a named batch (its ring holds the batch there), its subscription delivers the
// other writer's events at those offsets and its own batch where it really went, each once.
func TestOwnSubscriptionAfterAnotherWriter(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	other := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	f := leaseHQ(t, s)
	sub := subscribeHQ(t, s)
	apply := func(st *Store, id, tag string) {
		t.Helper()
		_, err := st.Apply(tctx(t), "hq", f, store.Batch{ID: id, Events: events(tag, 3)})
		require.NoError(t, err)
	}
	apply(s, "a/1/1", "w") // s expects offset 4 next
	// JSON of the same length from the other writer: s's ring holds its next batch at
	// these offsets, which only the name tells apart.
	apply(other, "b/1/1", "x")
	apply(s, "a/1/2", "y")
	got := receive(t, sub, 9)
	wantSequence(t, got[:3], got[0].Epoch, 1, details("w", 0, 3))
	wantSequence(t, got[3:6], got[0].Epoch, 4, details("x", 0, 3))
	wantSequence(t, got[6:], got[0].Epoch, 7, details("y", 0, 3))
}

// TestOwnMessageDeliveredInChunks: a subscription takes a long batch of its own from the
// ring a chunk at a time, from where it is (entries before were delivered by a gap fill),
// and decodes the one event whose slot the ring no longer holds as published.
func TestOwnMessageDeliveredInChunks(t *testing.T) {
	s := offlineStore(t)
	const n, skip, gone = 3*ownChunk + 10, 5, ownChunk + 6
	evs := events("own", n)
	msg := "E\n1 a/1/1"
	js := make([][]byte, n)
	for i := range evs {
		b, err := evs[i].AppendJSON(nil)
		require.NoError(t, err)
		js[i] = b
		msg += "\n" + string(b)
	}
	s.local.put("hq", "E", written{write: "a/1/1", first: 1}, evs, js)
	// A later batch took the slot of offset gone+1 (as the ring wrapping would).
	s.local.put("hq", "E", written{write: "a/1/9", first: gone + 1 + localRingSize},
		events("later", 1), [][]byte{[]byte(`{}`)})
	p, ok := parsePublished(msg)
	require.True(t, ok)
	sub := &subscription{s: s, pbx: "hq", epoch: "E", ch: make(chan store.Entry, n), last: skip}
	require.NoError(t, sub.onMessage(p))
	close(sub.ch)
	var got []store.Entry
	for e := range sub.ch {
		got = append(got, e)
	}
	wantSequence(t, got, "E", skip+1, details("own", skip, n-skip))
	for _, e := range got {
		require.Equal(t, string(js[e.Offset-1]), string(e.JSON), "offset %d", e.Offset)
	}
	require.NotSame(t, &js[gone][0], &got[gone-skip].JSON[0], "offset %d decoded from the message", gone+1)
	require.Same(t, &js[gone+1][0], &got[gone+1-skip].JSON[0], "offset %d from the ring", gone+2)
}

// TestOwnSubscriptionAfterLostReply: a named write whose reply was lost happened where the
// writer's ring holds it; the writer sends it again (answered with the first write's offsets,
// nothing written or published again) and writes on. The writer's own subscription gets each
// event once, in order: the lost write's from the stream (its message went with the cut
// connection), the next from its message, both matched to the ring by the write's name.
func TestOwnSubscriptionAfterLostReply(t *testing.T) {
	srv := redistest.Start(t)
	proxy := startReplyHolder(t, srv.Addr)
	s := open(t, Options{Addrs: []string{proxy.addr()}, ProbeInterval: 50 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	first := applyOne(t, s, l.Fence(), events("first", 1)[0])
	sub := subscribeHQ(t, s)

	lost := store.Batch{ID: "a/1/2", Events: events("lost", 3)}
	loseReply(t, s, srv.Addr, proxy, l.Fence(), lost, 4)

	apply := func(b store.Batch) store.Appended {
		t.Helper()
		var es store.Appended
		eventually(t, "Apply "+b.ID, func() error {
			var err error
			es, err = s.Apply(tctx(t), "hq", l.Fence(), b)
			return err
		})
		return es
	}
	again := apply(lost)
	require.EqualValues(t, 2, again.First, "the write sent again has the first one's offsets")
	after := apply(store.Batch{ID: "a/1/3", Events: events("after", 2)})

	got := receive(t, sub, 5)
	wantSequence(t, got[:3], first.Epoch, 2, details("lost", 0, 3))
	wantSequence(t, got[3:], first.Epoch, 5, details("after", 0, 2))
	ring := s.local.pbxs["hq"]
	require.Same(t, &ring.slots[after.First%localRingSize].js[0], &got[3].JSON[0], "the next write's events from the ring")
	// Nothing more (no event twice): the next entry is the next write's.
	apply(store.Batch{ID: "a/1/4", Events: events("last", 1)})
	wantSequence(t, receive(t, sub, 1), first.Epoch, 7, details("last", 0, 1))
}

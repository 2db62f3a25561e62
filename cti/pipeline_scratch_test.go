package cti

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/stretchr/testify/require"
)

// TestJournalScratchReuse checks that the journal's tracking lent from batch to batch gives
// the call records that fresh tracking gives: calls spread over batches of several sizes (so
// that some records start from the view's stored call), with named and unnamed lines.
func TestJournalScratchReuse(t *testing.T) {
	const lines = 30
	o, p, lc := benchPipeline(t, lines)
	mon := benchMonitor(lc)
	var items []item
	for n := 0; n < 40; n += 4 { // four calls at a time, their events interleaved
		var calls [][]item
		for k := range 4 {
			c := benchCall(mon, n+k, lines)
			if (n+k)%3 == 1 { // not answered: the called party hangs up while ringing
				c = append(c[:4:4], c[6:]...)
			}
			calls = append(calls, c)
		}
		for i := range 9 {
			for _, c := range calls {
				if i < len(c) {
					items = append(items, c[i])
				}
			}
		}
	}
	var shared journalScratch
	records := 0
	for size := 1; len(items) > 0; size = size%17 + 1 {
		batch := items[:min(size, len(items))]
		items = items[len(batch):]
		a, n, _, _ := o.reduceItems(batch, 1<<20)
		require.Equal(t, len(batch), n)
		in := journalInput{pbx: p.cfg.Name, removed: a.removed, events: a.events, ended: time.Unix(1e9, 0)}
		fresh := p.view.journal(in)
		in.scratch = &shared
		lent := p.view.journal(in)
		for i := range fresh {
			fresh[i].ID, lent[i].ID = "", "" // new for each record
		}
		require.Equal(t, fresh, lent)
		records += len(fresh)
		shared.keepRecords(lent) // as the pipeline does once the batch is written
		bt := o.batchOf(&a)
		p.view.applyBatch(&bt, store.Position{})
		o.keepBatch(&a, &bt)
	}
	require.Equal(t, 2*40, records, "a record per line's call")
	require.Empty(t, p.view.callsOf(""))
}

// TestReduceItemsInPlace checks that the batch's events, which the reducer writes straight
// into the batch's array when they fit, are the events a reducer gives one by one: batches of
// several sizes, so that some outgrow the array sized for them.
func TestReduceItemsInPlace(t *testing.T) {
	const lines = 30
	o, _, lc := benchPipeline(t, lines)
	mon := benchMonitor(lc)
	ref := reducer.NewState(o.state.PBX)
	ref.IsInternal = o.state.IsInternal
	require.NoError(t, ref.Restore(o.state.Lines(), o.state.Calls(""), o.state.NextHandle()))
	var items []item
	for n := range 30 {
		items = append(items, benchCall(mon, n, lines)...)
	}
	for size := 1; len(items) > 0; size = size%13 + 1 {
		batch := items[:min(size, len(items))]
		items = items[len(batch):]
		a, n, _, _ := o.reduceItems(batch, 1<<20)
		require.Equal(t, len(batch), n)
		var want []tapi.Event
		for _, it := range batch {
			lc.mu.Lock()
			ext, _ := lc.xref.get(it.ev.Common().MonitorCrossRefID)
			lc.mu.Unlock()
			want = append(want, ref.Apply(ext.ext, it.ev, it.at).Events...)
		}
		require.Equal(t, want, a.events)
		bt := o.batchOf(&a)
		o.p.view.applyBatch(&bt, store.Position{})
		o.keepBatch(&a, &bt)
	}
}

// TestScratchKept: a busy pipeline keeps the arrays of its full batches from one batch to
// the next; once its queue runs empty it gives up what is larger than a small batch needs.
func TestScratchKept(t *testing.T) {
	s := scratch{maxBatch: 3000}
	a := s.accum(2 * 3000)
	require.Equal(t, scratchCap(6000), cap(a.events))
	a.events = a.events[:5000]
	s.journal.maxCalls = s.maxBatch
	_, tracks := s.journal.take(1500)
	require.Len(t, tracks, 1500)
	s.journal.give(1500)
	s.keep(&a, &store.Batch{})
	require.Equal(t, scratchCap(6000), cap(s.accum(10).events), "kept while busy")
	require.Equal(t, scratchCap(1500), cap(s.journal.tracks))
	s.idle()
	require.Nil(t, s.a.events)
	require.Nil(t, s.journal.tracks)
	require.Equal(t, 16, cap(s.accum(10).events))
	for _, c := range []struct{ n, want int }{{1, 1}, {2, 2}, {3, 4}, {1024, 1024}, {1025, 2048}} {
		require.Equal(t, c.want, scratchCap(c.n), "scratchCap(%d)", c.n)
	}
}

// TestScratchLarge: the pipeline times an idle queue (idleAfter) only while the scratch
// holds what idle gives up: the arrays of a large batch, or of one that ended many calls.
func TestScratchLarge(t *testing.T) {
	s := scratch{maxBatch: 3000}
	require.False(t, s.large())
	a := s.accum(20)
	s.keep(&a, &store.Batch{})
	require.False(t, s.large(), "a small batch's arrays")

	a = s.accum(2 * 3000)
	a.events = a.events[:5000]
	s.keep(&a, &store.Batch{})
	require.True(t, s.large(), "a full batch's events")
	s.idle()
	require.False(t, s.large())

	s.journal.maxCalls = s.maxBatch
	s.journal.take(1500)
	s.journal.give(1500)
	require.True(t, s.large(), "the tracking of many ended calls")
	s.idle()
	require.False(t, s.large())
	s.journal.keepRecords(make([]store.JournalEntry, 1000))
	require.True(t, s.large(), "the records of many ended calls")
	s.idle()
	require.False(t, s.large())
}

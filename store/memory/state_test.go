package memory

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// A call stored after another was removed is stored exactly (its encoding may take the removed
// one's place), and nothing the reads returned shares its arrays.
func TestRemovedCallReused(t *testing.T) {
	ctx := context.Background()
	s, fence := ownedStore(t)
	a := storetest.Call("hq", "201", 1)
	a.Parties = []string{"300", "301", "302"}
	_, err := s.Apply(ctx, "hq", fence, store.Batch{Calls: []tapi.Call{a}})
	require.NoError(t, err)
	_, err = s.Apply(ctx, "hq", fence, store.Batch{RemovedCalls: []tapi.CallHandle{a.Handle}})
	require.NoError(t, err)
	b := storetest.Call("hq", "202", 2)
	b.OtherCallIDs, b.Parties = nil, []string{"400"}
	_, err = s.Apply(ctx, "hq", fence, store.Batch{Calls: []tapi.Call{b}})
	require.NoError(t, err)
	snap, err := s.Load(ctx, "hq")
	require.NoError(t, err)
	require.Equal(t, []tapi.Call{b}, snap.Calls)
	snap.Calls[0].Parties[0] = "changed"
	again, err := s.Load(ctx, "hq")
	require.NoError(t, err)
	require.Equal(t, []tapi.Call{b}, again.Calls)
}

// The entries of successive Applies come from shared blocks but are arrays of their own:
// appending to one, or changing it, leaves the others as they were.
func TestApplyEntriesOwnArrays(t *testing.T) {
	ctx := context.Background()
	s, fence := ownedStore(t)
	evs := storetest.Events("hq", "own", 3*entryBlock)
	for i := range evs {
		evs[i].Detail = fmt.Sprint("event ", i)
	}
	var outs [][]store.Entry
	for i, n := 0, 1; i < len(evs); i, n = i+n, n%(entryBlock/4+2)+1 { // sizes 1 to 10, past a block's
		n = min(n, len(evs)-i)
		out, err := s.Apply(ctx, "hq", fence, store.Batch{Events: evs[i : i+n]})
		require.NoError(t, err)
		require.Len(t, out, n)
		require.Equal(t, n, cap(out))
		outs = append(outs, out)
	}
	for _, out := range outs {
		grown := append(out, store.Entry{Offset: 999}) // copies: capacity is length
		require.NotSame(t, &grown[0], &out[0])
		out[0].Event.Detail = "changed" // this batch's first event only
	}
	off := uint64(0)
	for _, out := range outs {
		for k, e := range out {
			off++
			require.Equal(t, off, e.Offset)
			if k > 0 {
				require.Equal(t, evs[off-1].Detail, e.Event.Detail)
			} else {
				require.Equal(t, "changed", e.Event.Detail)
			}
		}
	}
	require.Equal(t, uint64(len(evs)), off)
}

// entryBlocks: a large batch gets an array of its own, a small one the rest of the block
// or a new block when it does not fit.
func TestEntryBlocks(t *testing.T) {
	var b entryBlocks
	big := b.take(entryBlock/4 + 1) // an array of its own
	require.Len(t, big, entryBlock/4+1)
	require.Nil(t, b.cur)
	x, y := b.take(entryBlock-1), b.take(2) // y does not fit: a new block
	require.Equal(t, entryBlock-1, cap(x))
	require.Equal(t, 2, cap(y))
	require.NotSame(t, &x[0], &y[0])
	require.Equal(t, 2, len(b.cur))
	require.Equal(t, []store.Entry{{}, {}}, y)
}

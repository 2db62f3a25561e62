package memory

import (
	"context"
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

// TestApplyAllocatesNoEntries: Apply answers with the range its events took in the log
// (store.Appended), not an array of entries (about 300 bytes each) the engine only took the
// last offset of. A batch of 16 events without subscribers allocates nothing of its own.
func TestApplyAllocatesNoEntries(t *testing.T) {
	s, fence := ownedStore(t)
	evs := storetest.Events("hq", "alloc", 16)
	var last store.Appended
	allocs := testing.AllocsPerRun(200, func() {
		a, err := s.Apply(context.Background(), "hq", fence, store.Batch{Events: evs})
		if err != nil {
			t.Fatal(err)
		}
		last = a
	})
	require.Zero(t, allocs)
	require.Equal(t, 16, last.Len())
	require.EqualValues(t, 201*16, last.Last, "one run more than counted: AllocsPerRun's warm-up")
}

package reducer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// The handles of a run are tapi.MakeHandle's, whether the counter counts up through runs,
// jumps (a Restore), goes back, or the PBX's name changes.
func TestHandleRunIsMakeHandle(t *testing.T) {
	var r handleRun
	check := func(pbx string, n uint64) {
		t.Helper()
		require.Equal(t, tapi.MakeHandle(pbx, n), r.handle(pbx, n))
	}
	for n := uint64(1); n < 3*handleRunLen+5; n++ {
		check("hq", n)
	}
	check("hq", 1<<40)
	check("hq", 1<<40+1)
	check("hq", 7)
	check("branch", 8)
	check("hq", 9)
	check("hq", ^uint64(0))
}

// A new call's parties are a copy of its own, nil when none were given, with no room after
// them to append into.
func TestAllocCallParties(t *testing.T) {
	require.Nil(t, allocCall(nil).Parties)
	empty := allocCall([]string{}).Parties
	require.NotNil(t, empty)
	require.Empty(t, empty)
	for _, ps := range [][]string{{"201"}, {"201", "202"}, {"201", "202", "203"}} {
		given := append([]string(nil), ps...)
		c := allocCall(given)
		require.Equal(t, ps, c.Parties)
		require.Equal(t, len(ps), cap(c.Parties))
		given[0] = "999"
		require.Equal(t, ps[0], c.Parties[0], "the call's parties are its own")
	}
}

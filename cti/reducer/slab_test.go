package reducer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestSlabCall: a call from the slabs is what Clone makes, shares nothing with the state's
// call, and appending to its parties leaves the next call's alone, over block boundaries.
func TestSlabCall(t *testing.T) {
	var s slabs
	var got []*tapi.Call
	var want []tapi.Call
	for i := range 3 * slabSize {
		c := &tapi.Call{Handle: tapi.MakeHandle("hq", uint64(i)), CallID: fmt.Sprint("C", i),
			Info: tapi.CallInfo{Trunk: "T1"}}
		for j := range i % 5 {
			c.Parties = append(c.Parties, fmt.Sprint(2000+j))
		}
		if i%7 == 0 {
			c.OtherCallIDs = []string{"X", "Y"}
		}
		if i%11 == 0 {
			c.Parties = make([]string, slabSize) // longer than a block holds at once
		}
		if i%13 == 0 {
			c.Conference = &tapi.Conference{}
		}
		d := s.call(c)
		require.Equal(t, c.Clone(), d)
		want = append(want, *c.Clone())
		c.Parties = append(c.Parties[:0], "mutated") // the state's call changes later
		got = append(got, d)
	}
	for i, d := range got {
		d.Parties = append(d.Parties, "appended") // a consumer's own change
		require.Equal(t, append(want[i].Parties, "appended"), d.Parties)
		if i > 0 { // the previous call's parties as they were, its own append too
			require.Equal(t, append(want[i-1].Parties, "appended"), got[i-1].Parties)
		}
	}
	for i, d := range got {
		require.Equal(t, want[i].OtherCallIDs, d.OtherCallIDs)
	}
}

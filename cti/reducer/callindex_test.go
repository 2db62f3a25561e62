package reducer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// TestCallIndex: the index finds what a map of the same puts and drops finds, in its list
// and after it moved to a map, with IDs of one length that differ only at the end or start.
func TestCallIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	calls := make([]*tapi.Call, 6)
	for i := range calls {
		calls[i] = &tapi.Call{Handle: tapi.CallHandle(fmt.Sprint("hq:", i))}
	}
	ids := []string{"", "\x00hq:1"}
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("FF%04d", i), fmt.Sprintf("%04dFF", i))
	}
	for round := range 200 {
		var x callIndex
		ref := map[string]*tapi.Call{}
		for range 40 + round%60 {
			id, c := ids[rng.IntN(len(ids))], calls[rng.IntN(len(calls))]
			if rng.IntN(3) == 0 {
				x.drop(id, c)
				if ref[id] == c {
					delete(ref, id)
				}
			} else {
				x.put(id, c)
				ref[id] = c
			}
			for _, id := range ids {
				require.Equal(t, ref[id], x.get(id), "id %q", id)
			}
			got := map[string]*tapi.Call{}
			x.each(func(id string, c *tapi.Call) { got[id] = c })
			require.Equal(t, ref, got)
		}
	}
}

package reducer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// consultedFromSorted is consultedFrom as it was: the line's calls in handle order, the last
// of the most recently held taken.
func consultedFromSorted(st *step, exceptID string) *tapi.Call {
	var best *tapi.Call
	for _, h := range st.s.lineHandles(st.ls) {
		c := st.s.calls[h]
		if c.CallID == exceptID || c.Info.RelatedCall != "" ||
			!inState(c, tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF) {
			continue
		}
		if best == nil || !c.StateSince.Before(best.StateSince) {
			best = c
		}
	}
	return best
}

// TestConsultedFromInIndexOrder: consultedFrom, which reads the line's index in no order,
// picks the call the handle-ordered scan picked, with ties of StateSince (also between times
// with and without a monotonic reading), aliases, related calls and the excepted ID, and
// with the index in its list and in its map.
func TestConsultedFromInIndexOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := time.Now() // with a monotonic reading
	states := []tapi.CallState{tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER,
		tapi.LINECALLSTATE_ONHOLDPENDCONF, tapi.LINECALLSTATE_CONNECTED}
	for round := range 2000 {
		s := NewState("hq")
		s.AddLine("100", "")
		ls := s.lines["100"]
		n := 1 + rng.IntN(12)
		for i := range n {
			c := &tapi.Call{Handle: tapi.MakeHandle("hq", uint64(1+rng.IntN(40))*10+uint64(i)), Line: ls.name,
				CallID: fmt.Sprint("C", i)}
			if rng.IntN(5) == 0 {
				c.CallID = "" // indexed by handle
			}
			c.State = states[rng.IntN(len(states))]
			c.StateSince = base.Add(time.Duration(rng.IntN(3)) * time.Second)
			if rng.IntN(3) == 0 {
				c.StateSince = c.StateSince.Round(0) // no monotonic reading
			}
			if rng.IntN(6) == 0 {
				c.Info.RelatedCall = "hq:1"
			}
			if rng.IntN(4) == 0 {
				c.OtherCallIDs = []string{fmt.Sprint("A", i)}
			}
			s.calls[c.Handle] = c
			s.index(ls, c)
		}
		st := &step{s: s, ls: ls}
		except := fmt.Sprint("C", rng.IntN(n+2))
		require.Same(t, consultedFromSorted(st, except), st.consultedFrom(except), "round %d", round)
	}
}

// TestIsInternalRuleBeforeLines: the default rule, tried before the line lookup, classifies
// as the lookup and the rule did in turn; a classifier of the state's is asked only for
// numbers that are not monitored lines.
func TestIsInternalRuleBeforeLines(t *testing.T) {
	s := NewState("hq")
	s.AddLine("100", "")
	s.AddLine("+4930123", "")
	s.AddLine("1234567", "")
	for number, want := range map[string]bool{"": false, "100": true, "200": true, "+4930123": true,
		"+4930999": false, "1234567": true, "7654321": false, "12a": false, "123456": true} {
		require.Equal(t, want, s.isInternal(number), number)
	}
	var asked []string
	s.IsInternal = func(n string) bool { asked = append(asked, n); return n == "9" }
	require.True(t, s.isInternal("100"))
	require.True(t, s.isInternal("9"))
	require.False(t, s.isInternal("200"))
	require.Equal(t, []string{"9", "200"}, asked)
}

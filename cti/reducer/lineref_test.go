package reducer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
)

// TestApplyRef: events applied through LineRefs give what ApplyInto gives, while lines are
// removed and added again, the state is restored, and a ref of another state is passed.
func TestApplyRef(t *testing.T) {
	exts := []string{"200", "201", "202", "203"}
	want, got := NewState("hq"), NewState("hq")
	for _, x := range exts {
		want.AddLine(x, "")
		got.AddLine(x, "")
	}
	refs := map[string]*LineRef{}
	for _, x := range append(exts, "299") { // 299 is not a line of the state
		refs[x] = &LineRef{}
	}
	now := time.Unix(1e9, 0)
	var buf, wantBuf Result
	call := func(n int) {
		a, c := exts[n%len(exts)], exts[(n+1)%len(exts)]
		if n%5 == 4 {
			c = "299"
		}
		id := fmt.Sprintf("C%d", n)
		evs := []struct {
			line string
			ev   csta.Event
		}{
			{a, &csta.ServiceInitiatedEvent{InitiatedConnection: cn(id, a), InitiatingDevice: dev(a)}},
			{a, &csta.OriginatedEvent{OriginatedConnection: cn(id, a), CallingDevice: dev(a), CalledDevice: dev(c)}},
			{c, &csta.DeliveredEvent{Connection: cn(id, c), AlertingDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}},
			{c, &csta.EstablishedEvent{EstablishedConnection: cn(id, c), AnsweringDevice: dev(c), CallingDevice: dev(a), CalledDevice: dev(c)}},
			{a, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, c), ReleasingDevice: dev(c)}},
			{c, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, c), ReleasingDevice: dev(c)}},
			{a, &csta.ConnectionClearedEvent{DroppedConnection: cn(id, a), ReleasingDevice: dev(a)}},
		}
		for i, e := range evs {
			if n%3 == 2 && i == 3 {
				return // left connected: calls outlive the changes below
			}
			w := want.ApplyInto(&wantBuf, e.line, e.ev, now)
			got.Warm(refs[e.line]) // changes nothing, with refs empty, stale or of another state
			g := got.ApplyRef(&buf, refs[e.line], e.line, e.ev, now)
			require.Equal(t, w, g, "call %d event %d", n, i)
		}
	}
	for n := range 40 {
		call(n)
		switch n % 10 {
		case 3: // a line removed and added again: a new lineState
			for _, s := range []*State{want, got} {
				s.RemoveLine("201")
				s.AddLine("201", "Bob")
			}
		case 6: // restored
			for _, s := range []*State{want, got} {
				require.NoError(t, s.Restore(s.Lines(), s.Calls(""), s.NextHandle()))
			}
		case 8: // a ref found in another state
			other := NewState("hq")
			other.AddLine("200", "")
			other.ApplyRef(&buf, refs["200"], "200", &csta.DoNotDisturbEvent{Device: dev("200")}, now)
		}
		require.Equal(t, want.Lines(), got.Lines())
		require.Equal(t, want.Calls(""), got.Calls(""))
	}
}

// TestWarmReadsNothingUnfound: an empty ref, or one of another state, reads no line.
func TestWarmReadsNothingUnfound(t *testing.T) {
	s, other := NewState("hq"), NewState("hq")
	s.AddLine("200", "")
	other.AddLine("200", "")
	var ref LineRef
	require.Zero(t, s.Warm(&ref))
	other.ApplyRef(&Result{}, &ref, "200", &csta.ServiceInitiatedEvent{InitiatedConnection: cn("C1", "200"),
		InitiatingDevice: dev("200")}, time.Unix(1e9, 0))
	require.Zero(t, s.Warm(&ref))
	require.NotZero(t, other.Warm(&ref)) // its line's call
}

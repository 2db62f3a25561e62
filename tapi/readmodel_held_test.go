package tapi

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadModelCallIndex: each call points at its line's index, the index of a line the model
// holds stays while the line has no calls and that of another line goes, whatever the order
// in which lines and calls came, calls moved between lines, and lines reset.
func TestReadModelCallIndex(t *testing.T) {
	m := NewReadModel()
	check := func() {
		t.Helper()
		for h, c := range m.calls {
			require.Same(t, m.byLine[c.Line], c.on, "call %s", h)
			require.Same(t, c, c.on.calls[c.at], "call %s", h)
		}
		for name, lc := range m.byLine {
			_, held := m.lines[name]
			require.Equal(t, held, lc.held, "line %s", name)
			require.True(t, held || len(lc.calls) > 0, "empty index of line %s the model does not hold", name)
			for i, c := range lc.calls {
				require.Same(t, c, m.calls[c.Handle], "line %s", name)
				require.Equal(t, name, c.Line)
				require.Equal(t, i, c.at)
			}
		}
	}
	m.PutCall(Call{Handle: "hq:1", Line: "hq/200"}) // before its line
	check()
	m.PutLine(Line{Name: "hq/200"})
	check()
	m.PutCall(Call{Handle: "hq:2", Line: "hq/201"})
	m.PutCall(Call{Handle: "hq:2", Line: "hq/200"}) // moved: hq/201's index goes
	check()
	require.NotContains(t, m.byLine, "hq/201")
	m.RemoveCall("hq:1")
	m.RemoveCall("hq:2")
	check()
	require.Contains(t, m.byLine, "hq/200", "held line keeps its index")
	m.PutCall(Call{Handle: "hq:3", Line: "hq/200"})
	m.PutCall(Call{Handle: "b:1", Line: "b/7"})
	m.PutLine(Line{Name: "b/7"})
	m.Reset(Snapshot{PBX: "hq", Lines: []Line{{Name: "hq/202"}}, Calls: []Call{{Handle: "hq:4", Line: "hq/300"}}})
	check()
	m.RemoveCall("hq:4")
	m.RemoveCall("b:1")
	check()
	for i := range 5 { // several calls on a line, removed from the middle, the end and the start
		m.PutCall(Call{Handle: CallHandle(fmt.Sprint("hq:1", i)), Line: "hq/202"})
	}
	for _, h := range []CallHandle{"hq:12", "hq:14", "hq:10"} {
		require.True(t, m.DropCall(h))
		check()
	}
	require.Len(t, m.Calls("hq/202"), 2)
	m.PutCall(Call{Handle: "hq:13", Line: "hq/203"}) // moved off the line, from the index's end
	check()
	require.Len(t, m.Calls("hq/202"), 1)
	m.RemoveCall("hq:11")
	m.RemoveCall("hq:13")
	check()
	require.Equal(t, []string{"b/7", "hq/202"}, func() []string {
		var out []string
		for _, l := range m.Lines() {
			out = append(out, l.Name)
		}
		return out
	}())
}

// TestReadModelDropCallReuse: a call put after others were dropped is exactly what was put
// (nothing of a dropped call shows through the memory reused for it), and a copy handed out
// before keeps its own arrays.
func TestReadModelDropCallReuse(t *testing.T) {
	m := NewReadModel()
	m.PutLine(Line{Name: "hq/200"})
	full := Call{Handle: "hq:1", Line: "hq/200", CallID: "c1", OtherCallIDs: []string{"x", "y"},
		Parties: []string{"201", "202"}, Conference: &Conference{}, Info: CallInfo{Trunk: "t1"}}
	m.PutCall(full)
	kept, _ := m.Call("hq:1")
	require.True(t, m.DropCall("hq:1"))
	require.False(t, m.DropCall("hq:1"))
	require.Len(t, m.spare, 1)
	next := Call{Handle: "hq:2", Line: "hq/200", CallID: "c2", Parties: []string{"301"}}
	m.PutCall(next)
	require.Empty(t, m.spare)
	got, ok := m.Call("hq:2")
	require.True(t, ok)
	require.Equal(t, next, got)
	require.Equal(t, full, kept)
	require.Equal(t, []Call{next}, m.Calls("hq/200"))
}

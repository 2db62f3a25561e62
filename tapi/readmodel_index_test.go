package tapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/tapi"
)

// A line's calls come and go: a known line keeps its (empty) call index between calls, which
// must not make it a line with calls; a call on a line the model does not hold is indexed and
// unindexed the same way.
func TestReadModelLineIndexBetweenCalls(t *testing.T) {
	m := tapi.NewReadModel()
	m.PutLine(tapi.Line{Name: "hq/201"})
	for round := range 3 {
		for _, line := range []string{"hq/201", "hq/999"} {
			h := tapi.CallHandle(line + ":c")
			m.PutCall(tapi.Call{Handle: h, Line: line})
			require.True(t, m.LinesWithCalls()[line], "round %d, %s", round, line)
			require.Len(t, m.Calls(line), 1)
			_, ok := m.RemoveCall(h)
			require.True(t, ok)
			require.False(t, m.LinesWithCalls()[line], "round %d, %s", round, line)
			require.Empty(t, m.Calls(line))
		}
	}
	require.Empty(t, m.LinesWithCalls())
	m.Reset(tapi.Snapshot{})
	require.Empty(t, m.Calls("hq/201"))
}

// PeekCallRef reads the model's own call (PeekCall's value), nil for a call it does not hold.
func TestReadModelPeekCallRef(t *testing.T) {
	m := tapi.NewReadModel()
	require.Nil(t, m.PeekCallRef("hq:1"))
	m.PutCall(tapi.Call{Handle: "hq:1", Line: "hq/201", CallID: "C1", Parties: []string{"202"}})
	ref := m.PeekCallRef("hq:1")
	require.NotNil(t, ref)
	c, ok := m.PeekCall("hq:1")
	require.True(t, ok)
	require.Equal(t, c, *ref)
	require.True(t, m.DropCall("hq:1"))
	require.Nil(t, m.PeekCallRef("hq:1"))
}

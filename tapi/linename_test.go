package tapi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLineNames(t *testing.T) {
	n := LineName("hq", "201")
	require.Equal(t, "hq/201", n)
	pbx, ext, ok := SplitLine(n)
	require.True(t, ok)
	require.Equal(t, "hq", pbx)
	require.Equal(t, "201", ext)
	require.Equal(t, "hq", LinePBX(n))
	require.NoError(t, CheckLine(n))
	// The PBX part never holds a "/": the first one ends it.
	_, ext, _ = SplitLine("hq/a/b")
	require.Equal(t, "a/b", ext)
	for _, bad := range []string{"", "hq", "hq/", "/201", "/"} {
		_, _, ok := SplitLine(bad)
		require.False(t, ok, bad)
		require.Error(t, CheckLine(bad), bad)
	}
	require.Equal(t, "hq", LinePBX("hq"))
}

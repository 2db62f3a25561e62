package cti

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/stretchr/testify/require"
)

// TestMonitorIndex: every ID finds its own monitor, numbers or not, and an ID that writes the
// same number differently (a leading zero) is another monitor.
func TestMonitorIndex(t *testing.T) {
	x := newMonitorIndex(0)
	refs := []csta.MonitorCrossRefID{"0", "7", "1000000123", "01000000123", "00", "abc", "12a",
		"9999999999999999999", "18446744073709551615", "99999999999999999999", "-1", "+1", " 1"}
	for i, r := range refs {
		x.add(r, monitorRef{ext: string(r) + "/" + string(rune('a'+i))})
	}
	for i, r := range refs {
		m, ok := x.get(r)
		require.True(t, ok, "%q", r)
		require.Equal(t, string(r)+"/"+string(rune('a'+i)), m.ext, "%q", r)
	}
	for _, r := range []csta.MonitorCrossRefID{"", "1", "1000000124", "001", "ABC", "1000000123 "} {
		_, ok := x.get(r)
		require.False(t, ok, "%q", r)
	}
	n, ok := refNumber("9999999999999999999")
	require.True(t, ok)
	require.Equal(t, uint64(9999999999999999999), n)
}

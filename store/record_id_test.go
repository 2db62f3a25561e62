package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestNewRecordIDs: a batch's ids are NewRecordID's, one after the other: of RecordIDLen
// characters of the id alphabet, the time's digits first (they sort by time), all different.
func TestNewRecordIDs(t *testing.T) {
	at := time.UnixMilli(1_765_000_000_123)
	one := NewRecordID(at)
	require.Len(t, one, RecordIDLen)
	require.Empty(t, NewRecordIDs(at, 0))
	for _, n := range []int{1, 31, 32, 33, 100} {
		ids := NewRecordIDs(at, n)
		require.Len(t, ids, n*RecordIDLen)
		seen := map[string]bool{}
		for i := range n {
			id := ids[i*RecordIDLen : (i+1)*RecordIDLen]
			require.Equal(t, one[:10], id[:10], "the time (48 bits) of id %d of %d", i, n)
			require.Regexp(t, "^[0-9A-HJKMNP-TV-Z]{26}$", id)
			require.False(t, seen[id], "id %d of %d repeats", i, n)
			seen[id] = true
		}
	}
	later := NewRecordIDs(at.Add(time.Second), 1)
	require.Less(t, one, later)
}

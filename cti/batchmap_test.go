package cti

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBatchMap: each batch gets an empty map; a map is kept while the batches fill a good
// part of it, made anew after a large batch that the next ones are far below, and kept over
// batches without keys.
func TestBatchMap(t *testing.T) {
	var b batchMap[string, int]
	fill := func(m map[string]int, n int) {
		for i := range n {
			m[string(rune('a'+i%26))+string(rune(i))] = i
		}
	}
	m := b.empty()
	require.Empty(t, m)
	fill(m, 10)
	m2 := b.empty()
	require.Empty(t, m2)
	fill(m2, 1000)
	big := b.empty()
	require.Empty(t, big)
	fill(big, 5)
	require.Empty(t, b.empty(), "after a batch of 5 keys")
	require.Equal(t, 5, b.peak, "the map of 1,000 keys given up")
	b.m["x"] = 1
	kept := b.m
	require.Empty(t, b.empty())
	kept["y"] = 2
	require.Equal(t, 1, len(b.m), "the same map kept")
}

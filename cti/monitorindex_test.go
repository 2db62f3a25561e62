package cti

import (
	"fmt"
	"math/rand/v2"
	"strconv"
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

// TestMonitorIndexDense: numbered IDs added in any order, near each other or not, again with
// another monitor, are found as a map finds them, and no other number is.
func TestMonitorIndexDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	orders := map[string]func(i int) uint64{
		"up":      func(i int) uint64 { return 1000000000 + uint64(i) },
		"down":    func(i int) uint64 { return 1000005000 - uint64(i) },
		"gaps":    func(i int) uint64 { return 1000000000 + uint64(i)*3 },
		"random":  func(int) uint64 { return 1000000000 + rng.Uint64N(20000) },
		"far":     func(int) uint64 { return rng.Uint64N(1e18) },
		"mixed":   func(i int) uint64 { return []uint64{uint64(i), 1e15 + uint64(i), rng.Uint64N(1e9)}[i%3] },
		"repeats": func(i int) uint64 { return 500 + uint64(i%40) },
	}
	for name, next := range orders {
		t.Run(name, func(t *testing.T) {
			x := newMonitorIndex(0)
			want := map[uint64]string{}
			for i := range 3000 {
				n := next(i)
				ext := fmt.Sprintf("%s-%d", name, i)
				x.add(csta.MonitorCrossRefID(strconv.FormatUint(n, 10)), monitorRef{ext: ext})
				want[n] = ext
				if i%500 == 0 || i == 2999 {
					checkMonitorIndex(t, &x, want, rng)
				}
			}
		})
	}
}

func checkMonitorIndex(t *testing.T, x *monitorIndex, want map[uint64]string, rng *rand.Rand) {
	t.Helper()
	for n, ext := range want {
		m, ok := x.get(csta.MonitorCrossRefID(strconv.FormatUint(n, 10)))
		require.True(t, ok, "%d", n)
		require.Equal(t, ext, m.ext, "%d", n)
		for _, p := range []uint64{n + 1, n - 1, n + 2, rng.Uint64N(1e12)} {
			m, ok := x.get(csta.MonitorCrossRefID(strconv.FormatUint(p, 10)))
			_, exp := want[p]
			require.Equal(t, exp, ok, "%d", p)
			require.Equal(t, want[p], m.ext, "%d", p)
		}
	}
}

// BenchmarkMonitorIndexGet looks up 5,000 monitors in a random order, as a link's events do,
// by the index (get) and by the map of numbers alone (map, how get looked up before dense).
func BenchmarkMonitorIndexGet(b *testing.B) {
	x := newMonitorIndex(5000)
	refs := make([]csta.MonitorCrossRefID, 5000)
	for i := range refs {
		refs[i] = csta.MonitorCrossRefID(strconv.Itoa(1000000000 + i))
		x.add(refs[i], monitorRef{ext: strconv.Itoa(20000 + i)})
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(len(refs))
	b.Run("get", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, ok := x.get(refs[order[i%len(order)]]); !ok {
				b.Fatal("not found")
			}
			i++
		}
	})
	b.Run("map", func(b *testing.B) {
		i := 0
		for b.Loop() {
			n, _ := refNumber(refs[order[i%len(order)]])
			if _, ok := x.byNum[n]; !ok {
				b.Fatal("not found")
			}
			i++
		}
	})
}

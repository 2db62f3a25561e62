package memory

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The handle index stores, finds and removes what a map does, through growth and with keys
// crowded onto few home slots (long probe runs that wrap around the table's end, and removals
// that move entries back across the hole).
func TestHandleIndexMatchesMap(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			var idx handleIndex[histLoc]
			model := map[uint64]histLoc{}
			keys := 50 + r.IntN(2000)
			spread := uint64(1) << (3 + r.IntN(60)) // few distinct top bits when small
			for step := range 20000 {
				hh := uint64(r.IntN(keys)) * spread
				if r.IntN(3) == 0 { // remove
					if idx.n > 0 {
						if i, ok := idx.find(key(hh)); ok {
							idx.removeAt(i)
						}
					}
					delete(model, key(hh))
				} else {
					l := histLoc{seg: uint64(step), member: 1}
					i, _ := idx.slot(hh)
					idx.setAt(i, hh, l)
					model[key(hh)] = l
				}
				if step%500 == 0 || step == 19999 {
					checkHandleIndex(t, &idx, model, keys, spread)
				}
			}
		})
	}
}

func checkHandleIndex(t *testing.T, idx *handleIndex[histLoc], model map[uint64]histLoc, keys int, spread uint64) {
	t.Helper()
	if idx.n != len(model) {
		t.Fatalf("index counts %d keys, the map has %d", idx.n, len(model))
	}
	used := 0
	for _, k := range idx.keys {
		if k != 0 {
			used++
		}
	}
	if used != idx.n {
		t.Fatalf("%d slots used, index counts %d", used, idx.n)
	}
	for k := range keys {
		hh := uint64(k) * spread
		want, ok := model[key(hh)]
		got, found := idx.get(hh)
		if found != ok || got != want {
			t.Fatalf("key %#x: %v %+v, map %v %+v", hh, found, got, ok, want)
		}
	}
}

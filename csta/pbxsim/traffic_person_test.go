package pbxsim

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// PersonAction: a seed is the same traffic on any PBX of the same extensions (tests name a
// failing seed), and the actions make calls.
func TestPersonActionSeedIsTheTraffic(t *testing.T) {
	play := func() ([]string, int) {
		p, err := New(Config{Extensions: []string{"201-205"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		rng := rand.New(rand.NewPCG(7, 7))
		var did []string
		calls := 0
		for range 200 {
			did = append(did, p.PersonAction(rng, []string{"201", "202", "203", "204", "205"}))
			calls = max(calls, len(p.Truth().Calls))
		}
		return did, calls
	}
	a, calls := play()
	b, _ := play()
	if strings.Join(a, "|") != strings.Join(b, "|") {
		t.Fatalf("one seed, two traffics:\n%v\n%v", a, b)
	}
	if calls == 0 {
		t.Fatal("200 actions made no call")
	}
}

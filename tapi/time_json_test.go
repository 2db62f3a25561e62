package tapi

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// timeZones are the locations the kept seconds are tried in: UTC, the local zone, fixed zones
// (odd, negative, with seconds) and zones with DST.
func timeZones() []*time.Location {
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("X", -(9*3600 + 30*60)),
		time.FixedZone("", 5*3600+45*60+15), time.FixedZone("", -30)}
	for _, name := range []string{"Europe/Berlin", "Australia/Lord_Howe"} {
		if l, err := time.LoadLocation(name); err == nil {
			zones = append(zones, l)
		}
	}
	return zones
}

// checkTimeJSON fails t unless appendTimeJSON writes tz as MarshalJSON does (after a prefix,
// which it must keep).
func checkTimeJSON(t *testing.T, tz time.Time) {
	t.Helper()
	want, werr := tz.MarshalJSON()
	got, ok := appendTimeJSON([]byte("x"), tz)
	if !ok {
		if werr == nil {
			t.Fatalf("%v: refused, MarshalJSON gives %s", tz, want)
		}
		return
	}
	if werr != nil || string(got) != "x"+string(want) {
		t.Fatalf("%v: got %s, MarshalJSON gives %s (%v)", tz, got[1:], want, werr)
	}
}

// Times in seconds already formatted (secondsJSON) are written as MarshalJSON writes them: runs
// of times within a second and the next, with every kind of fraction, in one zone and then
// interleaved with other zones and with times of the other parity (an event's switch stamp),
// and the same instant in other locations (same second, another zone), across a DST change.
func TestAppendTimeJSONKeptSeconds(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	fractions := []int64{0, 1, 10, 999999999, 120000000, 6530601, 500, 100000000}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	starts := []time.Time{time.Date(2026, 12, 7, 8, 31, 28, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 58, 0, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 58, 0, time.UTC), time.Date(2026, 3, 29, 0, 59, 58, 0, time.UTC)}
	if berlin != nil {
		starts = append(starts, time.Date(2026, 3, 29, 1, 59, 58, 0, berlin)) // DST begins at 2:00
	}
	zones := timeZones()
	for _, start := range starts {
		for range 2000 {
			at := start.Add(time.Duration(r.Int64N(3e9)))
			if r.IntN(2) == 0 {
				at = at.Truncate(time.Second).Add(time.Duration(fractions[r.IntN(len(fractions))]))
			}
			checkTimeJSON(t, at.In(zones[r.IntN(len(zones))]))
			checkTimeJSON(t, at.Add(-time.Duration(r.Int64N(2e9)))) // the other parity, often
		}
	}
	now := time.Now() // with a monotonic reading
	for i := range 1000 {
		checkTimeJSON(t, now.Add(time.Duration(i)*time.Millisecond))
	}
}

// Goroutines formatting times of their own seconds and zones at once (the hub, replays, the
// Redis store) share the kept seconds: each gets its own times right. Run with -race.
func TestAppendTimeJSONConcurrent(t *testing.T) {
	zones := timeZones()
	base := time.Date(2026, 12, 7, 8, 31, 28, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			z := zones[g%len(zones)]
			for i := range 5000 {
				tz := base.Add(time.Duration(g*3+i%5)*time.Second + time.Duration(i)*7919).In(z)
				want, _ := tz.MarshalJSON()
				if got, ok := appendTimeJSON(nil, tz); !ok || string(got) != string(want) {
					errs <- string(got) + " want " + string(want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzAppendTimeJSON holds appendTimeJSON to MarshalJSON for any instant, in any fixed zone,
// written twice (the second time from the kept second) and after another time of the second.
func FuzzAppendTimeJSON(f *testing.F) {
	f.Add(int64(1796632288), int64(6530601), int32(0), int64(1))
	f.Add(int64(-62167219200), int64(0), int32(-30), int64(999999999))
	f.Add(int64(253402300799), int64(999999999), int32(5*3600+45*60+15), int64(-1))
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int32, delta int64) {
		z := time.UTC
		if offset != 0 {
			z = time.FixedZone("", int(offset%(26*3600)))
		}
		at := time.Unix(sec, nsec%1e9).In(z)
		checkTimeJSON(t, at)
		checkTimeJSON(t, at)
		checkTimeJSON(t, at.Add(time.Duration(delta%2e9)))
	})
}

package tapi

import (
	"math/rand/v2"
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

// checkTimeJSON fails t unless appendTimeJSON, with the cache c, writes tz as MarshalJSON
// does (after a prefix, which it must keep).
func checkTimeJSON(t *testing.T, c *TimeCache, tz time.Time) {
	t.Helper()
	want, werr := tz.MarshalJSON()
	got, ok := appendTimeJSON([]byte("x"), tz, c)
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

// Times in seconds already formatted (TimeCache) are written as MarshalJSON writes them: runs
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
	var c TimeCache
	for _, start := range starts {
		for range 2000 {
			at := start.Add(time.Duration(r.Int64N(3e9)))
			if r.IntN(2) == 0 {
				at = at.Truncate(time.Second).Add(time.Duration(fractions[r.IntN(len(fractions))]))
			}
			checkTimeJSON(t, &c, at.In(zones[r.IntN(len(zones))]))
			checkTimeJSON(t, &c, at.Add(-time.Duration(r.Int64N(2e9)))) // the previous second, often
		}
	}
	now := time.Now() // with a monotonic reading
	for i := range 1000 {
		checkTimeJSON(t, &c, now.Add(time.Duration(i)*time.Millisecond))
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
		var c TimeCache
		checkTimeJSON(t, &c, at)
		checkTimeJSON(t, &c, at)
		checkTimeJSON(t, &c, at.Add(time.Duration(delta%2e9)))
		checkTimeJSON(t, &c, at.UTC())
	})
}

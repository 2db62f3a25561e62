package csta

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2026, 12, 6, 13, 2, 12, 125000000, time.UTC)
	for _, s := range []string{
		"2026-12-06T13:02:12.125Z", "2026-12-06T14:02:12.125+01:00", "20261206130212.125Z",
		"20261206140212.125+0100", " 20261206130212.125 ", "2026-12-06T13:02:12.125",
	} {
		got, ok := ParseTimestamp(s)
		require.True(t, ok, s)
		require.True(t, got.Equal(want), "%s gave %v", s, got)
	}
	got, ok := ParseTimestamp("20261206130212Z")
	require.True(t, ok)
	require.True(t, got.Equal(want.Truncate(time.Second)))
	for _, bad := range []string{"", "yesterday", "2026-13-45T99:00:00Z", "123"} {
		_, ok := ParseTimestamp(bad)
		require.False(t, ok, bad)
	}
}

// The switch's send time in the standard security data reaches EventCommon.Timestamp; vendor
// private data beside it is kept raw, and a stamp that does not parse is ignored.
func TestEventSecurityTimestamp(t *testing.T) {
	const frame = `<?xml version="1.0" encoding="UTF-8"?>
<HeldEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4">
 <monitorCrossRefID>7</monitorCrossRefID>
 <heldConnection><callID>C1</callID><deviceID>201</deviceID></heldConnection>
 <holdingDevice><deviceIdentifier>201</deviceIdentifier></holdingDevice>
 <localConnectionInfo>hold</localConnectionInfo>
 <cause>normal</cause>
 <extensions><security><messageSequenceNumber>4</messageSequenceNumber><timestamp>20261206130212.125Z</timestamp></security>
  <privateData><private xmlns:scx="http://www.siemens.com/schema/csta"><scx:x/></private></privateData></extensions>
</HeldEvent>`
	m, err := Decode([]byte(frame))
	require.NoError(t, err)
	c := m.(Event).Common()
	require.True(t, c.Timestamp.Equal(time.Date(2026, 12, 6, 13, 2, 12, 125000000, time.UTC)), "%v", c.Timestamp)
	require.Contains(t, string(c.Extensions), "scx:x")

	bad := []byte(`<HeldEvent><monitorCrossRefID>7</monitorCrossRefID><extensions><security><timestamp>soon</timestamp></security></extensions></HeldEvent>`)
	m, err = Decode(bad)
	require.NoError(t, err)
	require.True(t, m.(Event).Common().Timestamp.IsZero())
}

// A decoder's cached minute gives what ParseTimestamp gives, for stamps in the minute, in
// another one, and malformed in the seconds or the fraction.
func TestStampCache(t *testing.T) {
	var c stampCache
	for _, s := range []string{
		"2026-12-06T21:30:00.123456789Z", "2026-12-06T21:30:59.5Z", "2026-12-06T21:30:07Z",
		"2026-12-06T21:30:60Z", "2026-12-06T21:30:5aZ", "2026-12-06T21:30:05.Z", "2026-12-06T21:30:05.1234567891Z",
		"2026-12-06T21:30:05.12x4Z", "2026-12-06T21:30:05+01:00", "2026-12-06T21:31:00Z", "2026-12-06T21:31:02.000000001Z",
		"2026-12-06T21:30:02Z", "2024-02-29T23:59:59.999Z", "2024-02-29T23:59:00Z", "20261206213005Z", "2026-12-06T21:30:05",
		"2026-12-06T21:30:05Z ", "soon",
	} {
		checkStampCache(t, &c, s)
	}
	require.True(t, c.ok)
}

func checkStampCache(t *testing.T, c *stampCache, s string) {
	t.Helper()
	want, _ := ParseTimestamp(s)
	if got := c.stamp(s); got != want {
		t.Fatalf("%q after minute %q: %v, ParseTimestamp %v", s, c.minute, got, want)
	}
}

func FuzzStampCache(f *testing.F) {
	f.Add("2026-12-06T21:30:00.123456789Z", "2026-12-06T21:30:59.5Z")
	f.Add("2024-02-29T23:59:59Z", "2024-02-29T23:59:60Z")
	f.Fuzz(func(t *testing.T, a, b string) {
		var c stampCache
		checkStampCache(t, &c, a)
		checkStampCache(t, &c, b)
	})
}

// eightDigits agrees with digitsAt on eight digits with any byte at any place, and on random
// words.
func TestEightDigits(t *testing.T) {
	check := func(w [8]byte) {
		got, gok := eightDigits(binary.LittleEndian.Uint64(w[:]))
		want, wok := digitsAt(string(w[:]), 0, 8)
		if gok != wok || (wok && got != want) {
			t.Fatalf("%q: eightDigits %d %v, digitsAt %d %v", w, got, gok, want, wok)
		}
	}
	for i := range 8 {
		for c := range 256 {
			for _, base := range []string{"00000000", "99999999", "12345678", "90817263"} {
				var w [8]byte
				copy(w[:], base)
				w[i] = byte(c)
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1 << 20 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		check(w)
		for j := range w {
			if r.IntN(4) != 0 {
				w[j] = byte('0' + r.IntN(10))
			}
		}
		check(w)
	}
}

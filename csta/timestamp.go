package csta

import (
	"encoding/binary"
	"strings"
	"time"
	"unsafe"
)

// securityTimestamp reads <security><timestamp> of an <extensions> element (CSTACommonArguments:
// security, then privateData). ECMA-269 types the timestamp as a GeneralizedTime; XML
// switches may write it as xsd:dateTime instead, so both are read. Anything else is ignored:
// the stamp is informational and never a reason to refuse an event.
func init() {
	internNames("security", "timestamp")
	for _, ed := range []Edition{Ed2, Ed3, Ed4, Ed5, Ed6} {
		internNames(ed.Namespace())
	}
	internNames(NamespaceACSE)
}

func (d *xdoc) securityTimestamp(ext int32) time.Time {
	sec := d.child(ext, "security")
	if sec < 0 {
		return time.Time{}
	}
	ts := d.child(sec, "timestamp")
	if ts < 0 {
		return time.Time{}
	}
	t, _ := ParseTimestamp(d.textView(ts)) // parsed, not kept: no copy
	return t
}

// Layouts of a CSTA timestamp: xsd:dateTime, then ASN.1 GeneralizedTime with and without
// fractions and zone (a GeneralizedTime without a zone is local time at the switch, which the
// bridge cannot know: it is read as UTC).
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"20060102150405.999999999Z0700",
	"20060102150405Z0700",
	"20060102150405.999999999",
	"20060102150405",
}

// ParseTimestamp reads a CSTA timestamp (xsd:dateTime or GeneralizedTime).
func ParseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseTimestampFast(s); ok {
		return t, true
	}
	if strings.HasSuffix(s, "Z") && !strings.Contains(s, "T") {
		s = s[:len(s)-1] + "+0000" // GeneralizedTime's Z for Go's Z0700
	}
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormatTimestamp writes t as a CSTA timestamp in the xsd:dateTime form (UTC, nanoseconds).
func FormatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTimestampFast reads the form switches stamp events with, UTC xsd:dateTime
// (2026-12-06T21:30:00.123456789Z), as time.Parse(time.RFC3339Nano) does in a tenth of its
// time; anything else, out-of-range fields included, is left to it (ok false).
func parseTimestampFast(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	var f [6]int // year, month, day, hour, minute, second
	for i, at := range [6][2]int{{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}} {
		v, ok := digitsAt(s, at[0], at[1])
		if !ok {
			return time.Time{}, false
		}
		f[i] = v
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > daysIn(time.Month(f[1]), f[0]) || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return time.Time{}, false
	}
	nsec, ok := fractionNanos(s[19 : len(s)-1])
	if !ok {
		return time.Time{}, false
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nsec, time.UTC), true
}

// stampCache is a decoder's last timestamp in the fast form, to its minute
// ("2026-12-06T21:30"), and that minute as Unix time: a link's events come seconds apart, so
// most stamps are read from their seconds on (stamp).
type stampCache struct {
	minute [16]byte
	unix   int64
	ok     bool
}

// stamp is ParseTimestamp(s) for a timestamp without surrounding white space (a value the
// fast decoder trimmed), read from the cached minute when s falls in it.
func (c *stampCache) stamp(s string) time.Time {
	if c.ok && len(s) >= 20 && s[:16] == string(c.minute[:]) && s[16] == ':' && s[len(s)-1] == 'Z' {
		sec, ok := digitsAt(s, 17, 2)
		if nsec, fok := fractionNanos(s[19 : len(s)-1]); ok && fok && sec <= 59 {
			return time.Unix(c.unix+int64(sec), int64(nsec)).UTC()
		}
	}
	t, ok := ParseTimestamp(s)
	if ok && len(s) >= 20 && s[len(s)-1] == 'Z' {
		if _, fast := parseTimestampFast(s); fast {
			copy(c.minute[:], s[:16])
			c.unix = t.Unix() - int64(t.Second())
			c.ok = true
		}
	}
	return t
}

// fractionNanos reads "" or "." and one to nine digits as nanoseconds.
func fractionNanos(frac string) (int, bool) {
	if frac == "" {
		return 0, true
	}
	if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
		return 0, false
	}
	if len(frac) >= 9 { // eight digits at once (stamps in nanoseconds, as switches send them)
		hi, ok := eightDigits(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(frac[1:]), 8)))
		if len(frac) == 9 {
			return hi * 10, ok
		}
		c := frac[9]
		return hi*10 + int(c-'0'), ok && c >= '0' && c <= '9'
	}
	n, ok := digitsAt(frac, 1, len(frac)-1)
	for i := len(frac) - 1; i < 9; i++ {
		n *= 10
	}
	return n, ok
}

// eightDigits reads the eight bytes of x, the first the most significant, as ASCII digits.
// The lowest byte that is no digit sets its own top bit in x-'0' (below '0', or from 0xB0) or
// in x+0x46 (above '9' and below 0xBA); the bytes below it are digits, so no borrow or carry
// reaches it from them.
func eightDigits(x uint64) (int, bool) {
	const zeros = 0x3030303030303030
	if ((x-zeros)|(x+0x4646464646464646))&0x8080808080808080 != 0 {
		return 0, false
	}
	v := x - zeros
	v = (v * (10<<8 + 1)) >> 8 & 0x00FF00FF00FF00FF            // pairs of digits
	v = (v * (100<<16 + 1)) >> 16 & 0x0000FFFF0000FFFF         // fours
	return int((v * (10000<<32 + 1)) >> 32 & 0xFFFFFFFF), true // eight
}

// digitsAt reads n ASCII digits of s from i.
func digitsAt(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(m-1)%7%2
}

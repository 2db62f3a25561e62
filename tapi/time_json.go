package tapi

import (
	"time"

	"github.com/ctibridge/ctibridge/tapi/wordbytes"
)

// appendTimeJSON appends t as time.Time's MarshalJSON writes it (RFC 3339 with nanoseconds,
// trailing zeros of the fraction dropped, "Z" for a zero offset, the offset's seconds
// dropped), quotes included. ok is false, with b unchanged, for what MarshalJSON refuses (a
// year outside 0-9999, an offset of 24 hours or more): the caller takes the general path for
// its error. With a cache c (nil: none) a time of a second kept there costs a copy and its
// fraction. TestAppendTimeJSON and FuzzAppendTimeJSON hold it to MarshalJSON.
func appendTimeJSON(b []byte, t time.Time, c *TimeCache) ([]byte, bool) {
	if c == nil {
		return formatTimeJSON(b, t)
	}
	unix, loc := t.Unix(), t.Location()
	for i := range c.s {
		if s := &c.s[i]; s.unix == unix && s.loc == loc && s.tailLen != 0 {
			// Arrays copied whole, without calls of memmove; the tail's spare bytes are cut.
			at := len(b)
			b = extend(b, len(s.head))
			*(*[len(s.head)]byte)(b[at:]) = s.head
			b = appendFraction(b, t.Nanosecond())
			at = len(b)
			b = extend(b, len(s.tail))
			*(*[len(s.tail)]byte)(b[at:]) = s.tail
			return b[:at+s.tailLen], true
		}
	}
	at := len(b)
	b, ok := formatTimeJSON(b, t)
	if ok {
		s := &c.s[c.next]
		c.next = (c.next + 1) % len(c.s)
		s.unix, s.loc = unix, loc
		copy(s.head[:], b[at:])
		s.tailLen = 2 // Z"
		if b[len(b)-2] != 'Z' {
			s.tailLen = len(`+07:00"`)
		}
		copy(s.tail[:], b[len(b)-s.tailLen:])
	}
	return b, ok
}

// TimeCache keeps the JSON of the last few seconds an encoder wrote times in, but the
// fractions: a writer of many events by the second (the web hub) then formats the date,
// clock and zone of each second once. An event carries times of two seconds or so (the
// bridge's and the switch's stamps, often in different locations). Not safe for concurrent
// use; the zero value is empty.
type TimeCache struct {
	s    [4]secondJSON
	next int // the entry a miss replaces
}

// secondJSON is what formatTimeJSON writes for every time of one second (unix) in one
// location but its fraction: the head (quote, date and clock) and the tail (zone and quote;
// tailLen 0: the entry is empty). The zone's offset depends on nothing else, so the pair is
// exact.
type secondJSON struct {
	unix    int64
	loc     *time.Location
	head    [len(`"2006-01-02T15:04:05`)]byte
	tail    [8]byte // len(`+07:00"`), and one spare: a word copied whole
	tailLen int
}

// formatTimeJSON is appendTimeJSON without a cache: in one pass what AppendText does with the
// time package's general formatting, about three times faster.
func formatTimeJSON(b []byte, t time.Time) ([]byte, bool) {
	unix := t.Unix()
	if unix < minTimeJSON || unix > maxTimeJSON {
		return b, false // far outside years 0-9999: the general path says what is wrong
	}
	_, offset := t.Zone()
	zone := offset / 60 // in minutes, truncated as the time package does
	sign := byte('+')
	if zone < 0 {
		sign, zone = '-', -zone
	}
	if zone/60 >= 24 {
		return b, false
	}
	sec := unix + int64(offset)
	days := sec / 86400
	if sec%86400 < 0 {
		days-- // floor: a time before 1970 still counts its day from midnight
	}
	clock := int(sec - days*86400)
	y, m, d := civilDate(days)
	if y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = append2(append2(b, int(y/100)), int(y%100))
	b = append2(append(b, '-'), m)
	b = append2(append(b, '-'), d)
	b = append2(append(b, 'T'), clock/3600)
	b = append2(append(b, ':'), clock/60%60)
	b = append2(append(b, ':'), clock%60)
	b = appendFraction(b, t.Nanosecond())
	if offset == 0 {
		return append(b, 'Z', '"'), true
	}
	b = append2(append(b, sign), zone/60)
	b = append2(append(b, ':'), zone%60)
	return append(b, '"'), true
}

// minTimeJSON and maxTimeJSON bound the Unix times appendTimeJSON formats: years 0-9999 in
// any zone it accepts (offsets under a day) lie within.
const (
	minTimeJSON = -62167219200 - 2*86400 // 0000-01-01T00:00:00Z, less two days
	maxTimeJSON = 253402300799 + 2*86400 // 9999-12-31T23:59:59Z, and two days
)

// civilDate returns the proleptic Gregorian date of the day days after 1970-01-01 (Howard
// Hinnant's civil_from_days: eras of 400 years starting on March 1st), for days within
// minTimeJSON..maxTimeJSON. Counting from March 1st of year -400 keeps the arithmetic
// unsigned, which divides faster.
func civilDate(days int64) (year int64, month, day int) {
	z := uint64(days + 719468 + 146097)                    // days since -0400-03-01
	era := z / 146097                                      // 0 for years -400..-1, ...
	doe := z - era*146097                                  // day of the era, 0-146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0-399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1st
	mp := (5*doy + 2) / 153                                // month from March, 0-11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int64(yoe+era*400) - 400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// append2 appends v (0-99) as two digits.
func append2(b []byte, v int) []byte {
	return append(b, wordbytes.DigitPairs[2*v], wordbytes.DigitPairs[2*v+1])
}

// appendFraction appends the nanoseconds ns (0-999,999,999) as a fraction of a second
// without trailing zeros, nothing for 0: nine digits, two at a time, written in place at the
// end of b (a fixed-size append, no copy), then the zeros at the end cut.
func appendFraction(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	at := len(b)
	b = append(b, ".000000000"...)
	f := b[at : at+10]
	v := uint32(ns)
	f[1] = byte('0' + v/100000000)
	v %= 100000000
	putDigits2(f[2:], v/1000000)
	putDigits2(f[4:], v/10000%100)
	putDigits2(f[6:], v/100%100)
	putDigits2(f[8:], v%100)
	n := len(b)
	for b[n-1] == '0' {
		n--
	}
	return b[:n]
}

// putDigits2 writes v (0-99) as two digits at the start of f.
func putDigits2(f []byte, v uint32) {
	f[0], f[1] = wordbytes.DigitPairs[2*v], wordbytes.DigitPairs[2*v+1]
}

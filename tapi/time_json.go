package tapi

import "time"

// appendTimeJSON appends t as time.Time's MarshalJSON writes it (RFC 3339 with nanoseconds,
// trailing zeros of the fraction dropped, "Z" for a zero offset, the offset's seconds
// dropped), quotes included. ok is false, with b unchanged, for what MarshalJSON refuses (a
// year outside 0-9999, an offset of 24 hours or more): the caller takes the general path for
// its error. It does in one pass what AppendText does with the time package's general
// formatting, about three times faster; TestAppendTimeJSON holds it to MarshalJSON.
func appendTimeJSON(b []byte, t time.Time) ([]byte, bool) {
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
	const digits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
		"4041424344454647484950515253545556575859606162636465666768697071727374757677787980" +
		"81828384858687888990919293949596979899"
	return append(b, digits[2*v], digits[2*v+1])
}

// appendFraction appends the nanoseconds ns (0-999,999,999) as a fraction of a second
// without trailing zeros, nothing for 0.
func appendFraction(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	v, n := uint32(ns), 9
	switch { // whole milli- or microseconds are common: fewer digits to write
	case v%1000000 == 0:
		v, n = v/1000000, 3
	case v%1000 == 0:
		v, n = v/1000, 6
	}
	for v%10 == 0 {
		v, n = v/10, n-1
	}
	var f [10]byte
	f[0] = '.'
	for i := n; i >= 1; i-- {
		f[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, f[:n+1]...)
}

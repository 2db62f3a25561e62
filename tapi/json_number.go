package tapi

import "strconv"

// appendUint appends v in decimal, as strconv.AppendUint does. The 9 and 10 digits of a
// device ID (LineDeviceID) are written in place, the last eight as four independent pairs,
// rather than by strconv's chain of divisions into a buffer that is then copied.
func appendUint(b []byte, v uint64) []byte {
	if v < 1e8 || v >= 1e10 {
		return strconv.AppendUint(b, v, 10)
	}
	hi, lo := uint32(v/1e8), uint32(v%1e8)
	at := len(b)
	if hi >= 10 {
		b = extend(b, 10)
		putDigits2(b[at:], hi)
		at += 2
	} else {
		b = extend(b, 9)
		b[at] = byte('0' + hi)
		at++
	}
	d := b[at : at+8]
	putDigits2(d, lo/1000000)
	putDigits2(d[2:], lo/10000%100)
	putDigits2(d[4:], lo/100%100)
	putDigits2(d[6:], lo%100)
	return b
}

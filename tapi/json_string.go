package tapi

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/ctibridge/ctibridge/tapi/wordbytes"
)

// appendJSONString appends s as a JSON string exactly as encoding/json does with HTML escaping
// (its default): <, > and & as \u003c etc., control characters as \n or \u00XX, invalid UTF-8
// as \ufffd, U+2028 and U+2029 escaped.
//
// The common string needs no escape: its bytes are tested and copied 8 (or 4) at a time in
// one pass, the last word overlapping the one before, rather than tested and then copied by
// a call of memmove, which costs more than the copy itself for the short strings of events
// (names, numbers, handles).
func appendJSONString(dst []byte, s string) []byte {
	n, at := len(s), len(dst)
	dst = extend(dst, n+2)
	dst[at] = '"'
	d := dst[at+1 : at+1+n]
	switch {
	case n >= 8:
		i := 0
		for ; i+8 <= n; i += 8 {
			x := wordbytes.Load8(s[i:])
			if !safeWord(x) {
				return appendEscaped(dst[:at+1], s, i)
			}
			binary.LittleEndian.PutUint64(d[i:], x)
		}
		if i < n {
			x := wordbytes.Load8(s[n-8:])
			if !safeWord(x) {
				return appendEscaped(dst[:at+1], s, i)
			}
			binary.LittleEndian.PutUint64(d[n-8:], x)
		}
	case n >= 4:
		lo, hi := wordbytes.Load4(s), wordbytes.Load4(s[n-4:])
		if !safeWord(uint64(lo) | uint64(hi)<<32) {
			return appendEscaped(dst[:at+1], s, 0)
		}
		binary.LittleEndian.PutUint32(d, lo)
		binary.LittleEndian.PutUint32(d[n-4:], hi)
	case n > 0:
		// s[0], s[n/2] and s[n-1] are all of s's 1 to 3 bytes; the rest of the word is
		// filled with a letter, which needs no escape.
		a, b, c := s[0], s[n/2], s[n-1]
		if !safeWord(uint64(a) | uint64(b)<<8 | uint64(c)<<16 | 0x6161616161<<24) {
			return appendEscaped(dst[:at+1], s, 0)
		}
		d[0], d[n/2], d[n-1] = a, b, c
	}
	dst[at+1+n] = '"'
	return dst
}

// extend returns b with n more bytes, of any value: the caller writes them all.
func extend(b []byte, n int) []byte {
	if n <= cap(b)-len(b) {
		return b[:len(b)+n]
	}
	return append(b, make([]byte, n)...)
}

// appendEscaped is appendJSONString from s[i], the first byte that may need escaping, after
// the opening quote.
func appendEscaped(dst []byte, s string, i int) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// safe8 reports whether the 8 bytes of s are all jsonSafe (safeWord).
func safe8(s string) bool { return safeWord(wordbytes.Load8(s)) }

// safeWord reports whether the 8 bytes of x are all jsonSafe, testing them at once: no byte
// below 0x20, none with the high bit set (not ASCII), none equal to '"', '\\', '<', '>' or '&'.
// (v - lo) &^ v has a byte's high bit set where v has a zero byte, and nowhere if none is.
//
// Written without a helper for the zero test, so that it is inlined (within the compiler's
// budget) into appendJSONString's loop: a call per word cost as much as the test.
func safeWord(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q, b, a := x^'"'*lo, x^'\\'*lo, x^'&'*lo
	l := (x ^ '<'*lo) &^ (2 * lo) // '<' (0x3c) and '>' (0x3e) differ in one bit
	bad := x | (x-0x20*lo)&^x     // high bit, or below 0x20
	return (bad|(q-lo)&^q|(b-lo)&^b|(a-lo)&^a|(l-lo)&^l)&hi == 0
}

// jsonSafe marks the bytes a JSON string carries as they are: ASCII other than control
// characters, the quote, the backslash and the HTML characters <, > and &.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendJSONString appends s as a JSON string, escaped exactly as encoding/json's Marshal
// escapes strings.
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

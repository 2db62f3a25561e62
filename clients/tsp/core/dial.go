package tspcore

import (
	"strings"
	"unicode"

	"github.com/ctibridge/ctibridge/tapi"
)

// CleanDialString turns what a TAPI application passes as a destination into the number the
// bridge dials. Applications hand over dialable strings ("T0301234567", "0 30-123 45 67") and
// canonical addresses ("+49 (30) 1234567", "+49 (0)30 1234567 | sub ^ Name"): the tone/pulse
// prefix, spaces, dashes, dots, slashes and brackets go, a "(0)" trunk prefix after the
// country code goes, and subaddress and name parts after '|', '^' or CR/LF are dropped.
// Dial modifiers the bridge cannot carry out (',' 'W' '@' '$' '?' '!') are refused.
func CleanDialString(s string) (string, error) {
	in := s
	if i := strings.IndexAny(s, "|^\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == 'T' || s[0] == 't' || s[0] == 'P' || s[0] == 'p') {
		s = s[1:]
	}
	if strings.HasPrefix(s, "+") {
		// "+49 (0)30 ..." carries the national trunk prefix for humans only.
		s = strings.Replace(s, "(0)", "", 1)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r >= 'A' && r <= 'D', r >= 'a' && r <= 'd':
			b.WriteRune(unicode.ToUpper(r))
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '/', r == '(', r == ')', r == '\t':
		case strings.ContainsRune(",Ww@$?!", r):
			return "", lineErr(tapi.LINEERR_INVALADDRESS, "dial string %q: modifier %q at %d is not supported; pass digits only", in, r, i)
		default:
			return "", lineErr(tapi.LINEERR_INVALADDRESS, "dial string %q: character %q at %d is not dialable (want 0-9 * # A-D, optional leading +)", in, r, i)
		}
	}
	out := b.String()
	if out == "" || out == "+" {
		return "", lineErr(tapi.LINEERR_INVALADDRESS, "dial string %q holds no digits", in)
	}
	return out, nil
}

package lookup

import (
	"context"
	"strings"
)

// Contact is what a source knows about a number.
type Contact struct {
	Name    string `json:"name"`
	Company string `json:"company,omitempty"`
	// Source names the source that answered ("config", "directory", "ldap", "http").
	Source string `json:"source"`
}

// Source finds the contact of one number. found is false when the source does not know the
// number; err is set when the source could not be asked (a not-found answer is no error).
// Lookup must return when ctx ends.
type Source interface {
	Name() string
	Lookup(ctx context.Context, number string) (c Contact, found bool, err error)
}

// Normalize returns number without separators: spaces, '-', '.', '/', '(' and ')' go, and so
// does a "tel:" prefix (vCard 4); a leading '+' stays. It returns "" for a string that is not
// a telephone number (letters, or no digit at all).
func Normalize(number string) string {
	if normalized(number) {
		return number // the engine asks for the numbers of each call, mostly plain digits
	}
	return normalize(number)
}

// normalize is Normalize, building the normalized number.
func normalize(number string) string {
	s := strings.TrimSpace(number)
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
	}
	var b strings.Builder
	b.Grow(len(s))
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '*' || r == '#':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && i < len(s)-1:
			b.WriteRune(r)
		case strings.ContainsRune(" \t-./()\u00a0", r):
		default:
			return ""
		}
	}
	if digits == 0 {
		return ""
	}
	return b.String()
}

// normalized reports whether Normalize would give number back unchanged: digits, '*' and
// '#', a leading '+' before more, and at least one digit.
func normalized(number string) bool {
	digits := 0
	for i := 0; i < len(number); i++ {
		switch c := number[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '*' || c == '#':
		case c == '+' && i == 0 && len(number) > 1:
		default:
			return false
		}
	}
	return digits > 0
}

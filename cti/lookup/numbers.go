package lookup

import (
	"slices"
	"strings"
)

// Numbering is what Alternates needs to know of a PBX's numbering plan.
type Numbering struct {
	Country             string // country code without '+', e.g. "49"
	OutsidePrefix       string // digits that seize an outside line, e.g. "0"
	TrunkPrefix         string // national (trunk) prefix, e.g. "0"
	InternationalPrefix string // international call prefix, e.g. "00"
}

// Alternates returns number (normalised) followed by the other forms the numbering makes of
// it: the E.164 form, the national form, and both with the outside-line prefix. A PBX reports
// an outside caller as "+4930123456", "030123456" or "0030123456" depending on its setup, and
// a directory may hold any of them. Where a form can be read two ways (with outside prefix
// and trunk prefix "0", "0033..." is an outside line to 033... or the international 0033...),
// the forms of both readings are given. With a zero Numbering only the normalised form is.
func Alternates(number string, n Numbering) []string {
	k := Normalize(number)
	if k == "" {
		return nil
	}
	out := []string{k}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if n.Country == "" {
		return out
	}
	var e164s []string
	read := func(s string) {
		switch {
		case strings.HasPrefix(s, "+"):
			e164s = append(e164s, s)
			return
		case n.InternationalPrefix != "" && strings.HasPrefix(s, n.InternationalPrefix):
			e164s = append(e164s, "+"+s[len(n.InternationalPrefix):])
		}
		// A national number: the trunk prefix, then a significant number, which never starts
		// with the trunk prefix again (and is longer than an extension).
		if nsn, ok := strings.CutPrefix(s, n.TrunkPrefix); ok && n.TrunkPrefix != "" && len(nsn) > 3 &&
			!strings.HasPrefix(nsn, n.TrunkPrefix) {
			e164s = append(e164s, "+"+n.Country+nsn)
		}
	}
	read(k)
	if rest, ok := strings.CutPrefix(k, n.OutsidePrefix); ok && n.OutsidePrefix != "" && !strings.HasPrefix(k, "+") {
		before := len(e164s)
		read(rest)
		if len(e164s) > before {
			add(rest)
		}
	}
	for _, e := range e164s {
		add(e)
		if nsn, ok := strings.CutPrefix(e, "+"+n.Country); ok && n.TrunkPrefix != "" {
			add(n.TrunkPrefix + nsn)
			add(n.OutsidePrefix + n.TrunkPrefix + nsn)
		} else if n.InternationalPrefix != "" {
			add(n.InternationalPrefix + e[1:])
			add(n.OutsidePrefix + n.InternationalPrefix + e[1:])
		}
	}
	return out
}

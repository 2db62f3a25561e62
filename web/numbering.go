package web

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"

	"github.com/ctibridge/ctibridge/tapi/wire"
)

// cleanNumber removes separators and checks that what is left is a dial string (the rule of
// the wire protocol: wire.CleanNumber).
func cleanNumber(s string) (string, error) { return wire.CleanNumber(s) }

// ToDial turns a number as a CRM or a person writes it into what the PBX dials. Accepted are
// E.164 ("+49 30 1234567"), the international form ("0049 30 1234567"), the national form
// ("(030) 123-4567"), a local number of the PBX's area ("1234567"; or, where the plan has no
// trunk prefix in front of national numbers, "212 555 1234"), and extensions (at most
// ExtensionDigits digits) and codes with "*" or "#", which pass unchanged. Everything else is
// checked with the numbering library and dialled as outside prefix + the local number (same
// area, where the country dials locally), + national prefix and national number (same
// country), or + international prefix and the full number. A number the library says is not
// valid is refused with an error saying why. When ExtensionDigits is 0 a number without a
// prefix cannot be told from an extension: it passes unchanged.
func (n Numbering) ToDial(number string) (string, error) {
	d, err := cleanNumber(number)
	if err != nil {
		return "", err
	}
	if n.Country == "" {
		return d, nil
	}
	if strings.ContainsAny(d, "*#") {
		if strings.HasPrefix(d, "+") {
			return "", errors.New("an E.164 number has digits only after the +")
		}
		return d, nil // a feature code
	}
	if !strings.HasPrefix(d, "+") && len(d) <= n.ExtensionDigits {
		return d, nil
	}
	p, err := n.readInput(d)
	if err != nil || p == nil {
		return d, err
	}
	return n.dialForm(p), nil
}

// readInput reads a number a person wrote; nil without error when it is no outside number
// (no prefix, and extensions cannot be told apart).
func (n Numbering) readInput(d string) (*phonenumbers.PhoneNumber, error) {
	if rest, ok := strings.CutPrefix(d, "+"); ok {
		return validNumber(rest)
	}
	if rest, ok := strings.CutPrefix(d, n.InternationalPrefix); ok && n.InternationalPrefix != "" && rest != "" {
		return validNumber(rest)
	}
	if rest, ok := strings.CutPrefix(d, n.NationalPrefix); ok && n.NationalPrefix != "" && rest != "" {
		return validNumber(n.Country + rest)
	}
	if n.ExtensionDigits == 0 {
		return nil, nil
	}
	if n.Area != "" {
		if p, err := validNumber(n.Country + n.Area + d); err == nil {
			return p, nil
		}
	}
	if p, err := validNumber(n.Country + d); err == nil {
		return p, nil
	}
	if n.Area != "" {
		return nil, fmt.Errorf("%s is neither a valid local number of area %s nor a valid national number of +%s", d, n.Area, n.Country)
	}
	return nil, fmt.Errorf("%s is not a valid national number of +%s", d, n.Country)
}

// dialForm is what the PBX dials for a valid number.
func (n Numbering) dialForm(p *phonenumbers.PhoneNumber) string {
	nsn := phonenumbers.GetNationalSignificantNumber(p)
	cc := fmt.Sprint(p.GetCountryCode())
	if cc != n.Country {
		return n.OutsidePrefix + n.InternationalPrefix + cc + nsn
	}
	if n.Area != "" {
		// Same area by the library's reading of the area code, so that a mobile or service
		// number that happens to start with the area's digits is not taken for a local one.
		if _, m, err := countryRegion(n.Country); err == nil && localDialling(m) {
			if l := phonenumbers.GetLengthOfGeographicalAreaCode(p); l > 0 && l < len(nsn) && nsn[:l] == n.Area {
				return n.OutsidePrefix + nsn[l:]
			}
		}
	}
	return n.OutsidePrefix + n.NationalPrefix + nsn
}

// ToE164 turns a number as the PBX reports it into E.164; it is the inverse of ToDial.
// Extensions (at most ExtensionDigits digits), numbers with "*" or "#" and numbers that no
// reading makes valid are returned unchanged; valid E.164 numbers are normalised. The PBX may
// report outside numbers with the outside prefix (as they are dialled back) or without;
// readings are tried in this order, and the first the numbering library finds valid is taken:
// with the outside prefix removed, then as reported; in each, the international form, then
// the national form, then (last) a local number of the area or a national number without
// trunk prefix. So a number that reads validly both ways is read as dialled with the outside
// prefix, and a prefix beats a local reading ("0301234567" with outside prefix 0 in Berlin
// is +49301234567, not the local number 301234567).
func (n Numbering) ToE164(number string) string {
	if n.Country == "" || number == "" || len(number) <= n.ExtensionDigits {
		return number
	}
	k := e164Key{n, number}
	e164Cache.Lock()
	v, ok := e164Cache.m[k]
	e164Cache.Unlock()
	if !ok {
		v = n.toE164(number)
		e164Cache.Lock()
		if len(e164Cache.m) >= e164CacheSize {
			clear(e164Cache.m)
		}
		e164Cache.m[k] = v
		e164Cache.Unlock()
	}
	return v
}

// e164Cache remembers ToE164's answers: the library's checks take tens of microseconds a
// reading, and the same numbers come again and again (every REST view of a call, every
// journal page). It is emptied when full.
var e164Cache = struct {
	sync.Mutex
	m map[e164Key]string
}{m: map[e164Key]string{}}

const e164CacheSize = 8192

type e164Key struct {
	n      Numbering
	number string
}

func (n Numbering) toE164(number string) string {
	d, err := cleanNumber(number)
	if err != nil {
		return number
	}
	if rest, ok := strings.CutPrefix(d, "+"); ok {
		if p, err := validNumber(rest); err == nil {
			return phonenumbers.Format(p, phonenumbers.E164)
		}
		return number
	}
	if !allDigits(d) || len(d) <= n.ExtensionDigits {
		return number
	}
	for _, c := range n.readings(d) {
		if p, err := validNumber(c); err == nil {
			return phonenumbers.Format(p, phonenumbers.E164)
		}
	}
	return number
}

// readings lists the full numbers (country code first, no "+") a reported digit string may
// stand for, most likely first (see ToE164).
func (n Numbering) readings(d string) []string {
	type body struct {
		s        string
		stripped bool // the outside prefix was removed
	}
	bodies := make([]body, 0, 2)
	if rest, ok := strings.CutPrefix(d, n.OutsidePrefix); ok && n.OutsidePrefix != "" && len(rest) > n.ExtensionDigits {
		bodies = append(bodies, body{rest, true})
	}
	bodies = append(bodies, body{d, false})
	var prefixed, local []string
	for _, b := range bodies {
		if rest, ok := strings.CutPrefix(b.s, n.InternationalPrefix); ok && n.InternationalPrefix != "" && rest != "" {
			prefixed = append(prefixed, rest)
		}
		if rest, ok := strings.CutPrefix(b.s, n.NationalPrefix); ok && n.NationalPrefix != "" && rest != "" {
			prefixed = append(prefixed, n.Country+rest)
		}
		// Without any prefix, a number as reported may be an extension of unknown length.
		if b.stripped || n.ExtensionDigits > 0 {
			if n.Area != "" {
				local = append(local, n.Country+n.Area+b.s)
			}
			local = append(local, n.Country+b.s)
		}
	}
	return append(prefixed, local...)
}

// validNumber parses a full number (country code first, without "+") and checks it with the
// numbering library; the error says what is wrong with it.
func validNumber(digits string) (*phonenumbers.PhoneNumber, error) {
	if !allDigits(digits) || digits == "" {
		return nil, errors.New("an E.164 number has digits only after the +")
	}
	p, err := phonenumbers.Parse("+"+digits, phonenumbers.UNKNOWN_REGION)
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return nil, fmt.Errorf("+%s does not start with a country calling code", digits)
		case errors.Is(err, phonenumbers.ErrTooShortNSN):
			return nil, fmt.Errorf("+%s is too short to be a phone number", digits)
		}
		return nil, fmt.Errorf("+%s: %v", digits, err)
	}
	if phonenumbers.IsValidNumber(p) {
		return p, nil
	}
	region := phonenumbers.GetRegionCodeForCountryCode(int(p.GetCountryCode()))
	switch phonenumbers.IsPossibleNumberWithReason(p) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return nil, fmt.Errorf("+%s does not start with a country calling code", digits)
	case phonenumbers.TOO_SHORT:
		return nil, fmt.Errorf("+%s is too short for a number of %s (+%d)", digits, region, p.GetCountryCode())
	case phonenumbers.TOO_LONG:
		return nil, fmt.Errorf("+%s is too long for a number of %s (+%d)", digits, region, p.GetCountryCode())
	}
	return nil, fmt.Errorf("+%s is not a valid number of %s (+%d)", digits, region, p.GetCountryCode())
}

package web

import (
	"fmt"
	"strings"

	"github.com/ctibridge/ctibridge/tapi/wire"
)

// cleanNumber removes separators and checks that what is left is a dial string (the rule of
// the wire protocol: wire.CleanNumber).
func cleanNumber(s string) (string, error) { return wire.CleanNumber(s) }

// ToDial turns a number a CRM stored (E.164 like "+49301234567", or an extension, or a dial
// string) into what the PBX dials: E.164 becomes outside prefix + local, national or
// international form; everything else passes unchanged apart from separators.
func (n Numbering) ToDial(number string) (string, error) {
	d, err := cleanNumber(number)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(d, "+") || n.Country == "" {
		return d, nil
	}
	e := d[1:]
	if !allDigits(e) {
		return "", fmt.Errorf("an E.164 number has digits only after the +")
	}
	national, ok := strings.CutPrefix(e, n.Country)
	if !ok {
		return n.OutsidePrefix + n.InternationalPrefix + e, nil
	}
	if n.Area != "" {
		if local, ok := strings.CutPrefix(national, n.Area); ok && local != "" {
			return n.OutsidePrefix + local, nil
		}
	}
	return n.OutsidePrefix + n.NationalPrefix + national, nil
}

// ToE164 turns a number as the PBX reports it into E.164; it is the inverse of ToDial.
// Internal extensions (at most ExtensionDigits long) and numbers with "*" or "#" are returned
// unchanged. A number starting with the outside prefix is read as the PBX dials it: the rest
// is international (international prefix), national (national prefix) or local. Without the
// outside prefix the same three forms apply. PBXs that present trunk caller IDs with the
// outside prefix (so that they can be called back) therefore round-trip exactly.
func (n Numbering) ToE164(number string) string {
	if n.Country == "" || number == "" {
		return number
	}
	d, err := cleanNumber(number)
	if err != nil || strings.HasPrefix(d, "+") {
		return number
	}
	if !allDigits(d) || len(d) <= n.ExtensionDigits {
		return number
	}
	if n.OutsidePrefix != "" {
		if rest, ok := strings.CutPrefix(d, n.OutsidePrefix); ok && len(rest) > n.ExtensionDigits {
			d = rest
		}
	}
	if rest, ok := strings.CutPrefix(d, n.InternationalPrefix); ok && n.InternationalPrefix != "" && rest != "" {
		return "+" + rest
	}
	if rest, ok := strings.CutPrefix(d, n.NationalPrefix); ok && n.NationalPrefix != "" && rest != "" {
		return "+" + n.Country + rest
	}
	return "+" + n.Country + n.Area + d
}

package web

import (
	"github.com/ctibridge/ctibridge/tapi"

	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The numbering plans of the countries come from libphonenumber's metadata
// (github.com/nyaruka/phonenumbers): a PBX's configuration names its country calling code, the
// library knows the country's trunk prefixes, area codes and which numbers are valid.

var planMetadata struct {
	once     sync.Once
	byRegion map[string]*phonenumbers.PhoneMetadata
}

// regionMetadata is the library's metadata of a region ("DE"), nil if it has none.
func regionMetadata(region string) *phonenumbers.PhoneMetadata {
	planMetadata.once.Do(func() {
		planMetadata.byRegion = map[string]*phonenumbers.PhoneMetadata{}
		col, err := phonenumbers.MetadataCollection()
		if err != nil {
			return // the library's embedded metadata is broken: every country is unknown
		}
		for _, m := range col.GetMetadata() {
			planMetadata.byRegion[m.GetId()] = m
		}
	})
	return planMetadata.byRegion[region]
}

// countryRegion is the main region ("DE", "US" for 1, "GB" for 44) of a country calling code
// given as digits, or an error naming the code when the library does not know it.
func countryRegion(country string) (string, *phonenumbers.PhoneMetadata, error) {
	cc, err := strconv.Atoi(country)
	if err != nil || cc <= 0 || len(country) > 3 || country[0] == '0' {
		return "", nil, fmt.Errorf("country %q is not a country calling code (1 to 3 digits, e.g. 49)", country)
	}
	region := phonenumbers.GetRegionCodeForCountryCode(cc)
	m := regionMetadata(region)
	if m == nil || region == phonenumbers.UNKNOWN_REGION {
		return "", nil, fmt.Errorf("country %q is not a country calling code the numbering library knows", country)
	}
	return region, m, nil
}

// CountryPrefixes returns the national (trunk) and international prefixes of the country with
// calling code country, as the numbering library has them: "0" and "00" for 49, "1" and
// "011" for 1, "" and "00" for 39 (Italy has no trunk prefix). Countries whose international
// prefix depends on the carrier have no single one: the error says to configure it.
func CountryPrefixes(country string) (national, international string, err error) {
	region, m, err := countryRegion(country)
	if err != nil {
		return "", "", err
	}
	national = m.GetNationalPrefix()
	// The preferred prefix is the one to dial where several work (it may contain "~", wait
	// for a tone); otherwise the prefix is a pattern, usable when it is plain digits.
	for _, p := range []string{m.GetPreferredInternationalPrefix(), m.GetInternationalPrefix()} {
		if p != "" && allDigits(p) {
			return national, p, nil
		}
	}
	return national, "", fmt.Errorf("the numbering library has no single international prefix for country %s (%s): set international_prefix", country, region)
}

// localDialling tells whether the country's plan lets a subscriber in the same area dial
// without the area code (the library lists local-only lengths for it: DE, GB, US; not FR or
// CH, whose numbers are always dialled in full).
func localDialling(m *phonenumbers.PhoneMetadata) bool {
	return len(m.GetGeneralDesc().GetPossibleLengthLocalOnly()) > 0 ||
		len(m.GetFixedLine().GetPossibleLengthLocalOnly()) > 0
}

// Presenter returns how numbers of a PBX with this plan are shown to clients: ToE164 with the
// country's default prefixes, or nil when there is no plan (numbers stay as the PBX reports
// them). WebSocket events, REST and webhooks all present numbers through it.
func (n Numbering) Presenter() tapi.NumberMap {
	if n.Country == "" {
		return nil
	}
	return n.withDefaults().ToE164
}

// withDefaults fills the prefixes the plan leaves empty with the country's; an unknown
// country is left for check to report.
func (n Numbering) withDefaults() Numbering {
	national, international, _ := CountryPrefixes(n.Country)
	if n.NationalPrefix == "" {
		n.NationalPrefix = national
	}
	if n.InternationalPrefix == "" {
		n.InternationalPrefix = international
	}
	return n
}

// Validate reports the first problem of the plan, after the defaults New applies, naming
// the field ("country ...").
func (n Numbering) Validate() error { return n.withDefaults().check() }

func (n Numbering) check() error {
	for _, f := range []struct{ name, v string }{{"country", n.Country}, {"area", n.Area},
		{"outside_prefix", n.OutsidePrefix}, {"national_prefix", n.NationalPrefix},
		{"international_prefix", n.InternationalPrefix}} {
		if !allDigits(f.v) {
			return fmt.Errorf("%s %q must be digits only", f.name, f.v)
		}
	}
	if n.Country == "" {
		return errors.New("country is empty")
	}
	if _, _, err := countryRegion(n.Country); err != nil {
		return fmt.Errorf("country: %v", err)
	}
	if n.InternationalPrefix == "" {
		_, _, err := CountryPrefixes(n.Country)
		return fmt.Errorf("international_prefix: %v", err)
	}
	if n.ExtensionDigits < 0 || n.ExtensionDigits > 12 {
		return fmt.Errorf("extension_digits %d is outside 0..12", n.ExtensionDigits)
	}
	return nil
}

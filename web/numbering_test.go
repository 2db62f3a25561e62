package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plan is a PBX's numbering with the defaults New applies (the country's prefixes from the
// numbering library).
func plan(t *testing.T, n Numbering) Numbering {
	t.Helper()
	c := Config{Numbering: map[string]Numbering{"pbx": n}}
	c.applyDefaults()
	require.NoError(t, c.validate())
	return c.Numbering["pbx"]
}

// The demo plan of a PBX in Berlin, and one in each of the other countries of the table, each
// with an area code and an outside-line prefix.
var (
	planDE = Numbering{Country: "49", Area: "30", OutsidePrefix: "0", ExtensionDigits: 3}
	planUS = Numbering{Country: "1", Area: "212", OutsidePrefix: "9", ExtensionDigits: 4}
	planUK = Numbering{Country: "44", Area: "20", OutsidePrefix: "9", ExtensionDigits: 4}
	planFR = Numbering{Country: "33", Area: "1", OutsidePrefix: "0", ExtensionDigits: 3}
	planCH = Numbering{Country: "41", Area: "44", OutsidePrefix: "0", ExtensionDigits: 3}
)

// TestNumberingTable: what a CRM or a person writes, what the PBX dials, and the E.164 number
// the API shows for what the PBX reports back.
func TestNumberingTable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n          Numbering
		in, dial   string
		e164       string // ToE164(dial); "" means dial itself (extensions, codes)
		roundTrips bool   // ToDial(e164) == dial as well
	}{
		// Germany, Berlin, outside line 0: local numbers in the area, national otherwise.
		{"DE national form, same area", planDE, "(030) 123-4567", "01234567", "+49301234567", true},
		{"DE E.164", planDE, "+49 30 1234567", "01234567", "+49301234567", true},
		{"DE international form", planDE, "0049 30 1234567", "01234567", "+49301234567", true},
		{"DE local", planDE, "1234567", "01234567", "+49301234567", true},
		{"DE other area", planDE, "089 1234567", "00891234567", "+49891234567", true},
		{"DE mobile", planDE, "0151 12345678", "0015112345678", "+4915112345678", true},
		{"DE mobile E.164", planDE, "+49 151 12345678", "0015112345678", "+4915112345678", true},
		{"DE abroad", planDE, "+44 20 7123 4567", "000442071234567", "+442071234567", true},
		{"DE to US", planDE, "+1 (212) 555-1234", "00012125551234", "+12125551234", true},
		{"DE extension", planDE, "201", "201", "", false},
		{"DE feature code", planDE, "*21#", "*21#", "", false},

		// United States, Manhattan, outside line 9: seven-digit local, 1 + ten digits national.
		{"US national, same area", planUS, "(212) 555-1234", "95551234", "+12125551234", true},
		{"US E.164", planUS, "+1 212 555 1234", "95551234", "+12125551234", true},
		{"US with trunk prefix", planUS, "1-212-555-1234", "95551234", "+12125551234", true},
		{"US local", planUS, "555-1234", "95551234", "+12125551234", true},
		{"US other area", planUS, "310 555 1234", "913105551234", "+13105551234", true},
		{"US mobile", planUS, "+1 917 555 0123", "919175550123", "+19175550123", true},
		{"US abroad, international form", planUS, "011 44 20 7123 4567", "9011442071234567", "+442071234567", true},
		{"US to Germany", planUS, "+49 30 1234567", "901149301234567", "+49301234567", true},
		{"US extension", planUS, "2001", "2001", "", false},

		// United Kingdom, London, outside line 9.
		{"UK national, same area", planUK, "020 7123 4567", "971234567", "+442071234567", true},
		{"UK E.164", planUK, "+44 20 7123 4567", "971234567", "+442071234567", true},
		{"UK local", planUK, "7123 4567", "971234567", "+442071234567", true},
		{"UK other area", planUK, "0161 496 0000", "901614960000", "+441614960000", true},
		{"UK mobile", planUK, "07911 123456", "907911123456", "+447911123456", true},
		{"UK abroad", planUK, "00 49 30 1234567", "90049301234567", "+49301234567", true},

		// France, Paris, outside line 0: a closed plan, every number dialled in full.
		{"FR national, same area", planFR, "01 23 45 67 89", "00123456789", "+33123456789", true},
		{"FR E.164", planFR, "+33 1 23 45 67 89", "00123456789", "+33123456789", true},
		{"FR other area", planFR, "04 72 12 34 56", "00472123456", "+33472123456", true},
		{"FR mobile", planFR, "06 12 34 56 78", "00612345678", "+33612345678", true},
		{"FR abroad", planFR, "+41 44 123 45 67", "00041441234567", "+41441234567", true},

		// Switzerland, Zurich, outside line 0: closed too, the area code is always dialled.
		{"CH national, same area", planCH, "044 123 45 67", "00441234567", "+41441234567", true},
		{"CH E.164", planCH, "+41 44 123 45 67", "00441234567", "+41441234567", true},
		{"CH local", planCH, "123 45 67", "00441234567", "+41441234567", true},
		{"CH other area", planCH, "031 123 45 67", "00311234567", "+41311234567", true},
		{"CH mobile", planCH, "079 123 45 67", "00791234567", "+41791234567", true},
		{"CH abroad", planCH, "+33 6 12 34 56 78", "00033612345678", "+33612345678", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := plan(t, tc.n)
			d, err := n.ToDial(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.dial, d, "ToDial(%q)", tc.in)
			want := tc.e164
			if want == "" {
				want = tc.dial
			}
			assert.Equal(t, want, n.ToE164(d), "ToE164(%q)", d)
			if tc.roundTrips {
				back, err := n.ToDial(tc.e164)
				require.NoError(t, err)
				assert.Equal(t, tc.dial, back, "ToDial(%q)", tc.e164)
			}
		})
	}
}

// TestNumberingReported: numbers as PBXs report them, with or without the outside prefix.
func TestNumberingReported(t *testing.T) {
	for _, tc := range []struct {
		n        Numbering
		reported string
		e164     string
	}{
		{planDE, "0301234567", "+49301234567"},  // national, without outside prefix (issue 14)
		{planDE, "00301234567", "+49301234567"}, // outside prefix + national
		{planDE, "01234567", "+49301234567"},    // outside prefix + local
		{planDE, "1234567", "+49301234567"},     // local
		{planDE, "0891234567", "+49891234567"},  // another area
		{planDE, "00891234567", "+49891234567"}, // outside prefix + another area
		{planDE, "015112345678", "+4915112345678"},
		{planDE, "000442071234567", "+442071234567"}, // outside + international
		{planDE, "+49 30 1234567", "+49301234567"},   // E.164 is normalised
		{planDE, "+4930 1", "+4930 1"},               // not a valid number: as reported
		{planDE, "201", "201"},
		{planDE, "*21#", "*21#"},
		{planUS, "2125551234", "+12125551234"}, // ten digits
		{planUS, "12125551234", "+12125551234"},
		{planUS, "5551234", "+12125551234"},
		{planUS, "912125551234", "+12125551234"},
		{planUK, "02071234567", "+442071234567"},
		{planUK, "91234", "91234"}, // no reading is valid
		{planFR, "0612345678", "+33612345678"},
		{planCH, "0441234567", "+41441234567"},
		{planCH, "1234567", "+41441234567"},
	} {
		n := plan(t, tc.n)
		assert.Equal(t, tc.e164, n.ToE164(tc.reported), "%s: ToE164(%q)", tc.n.Country, tc.reported)
		assert.Equal(t, tc.e164, n.ToE164(tc.reported), "%s: ToE164(%q) again (cached)", tc.n.Country, tc.reported)
	}
	assert.Equal(t, "0301234", (Numbering{}).ToE164("0301234"), "no numbering plan passes through")
}

func TestNumberingRefusesInvalid(t *testing.T) {
	de := plan(t, planDE)
	for in, why := range map[string]string{
		"":                "no digits",
		"+":               "no digits",
		"call me":         "is not allowed",
		"12a":             "is not allowed",
		"+49#1":           "digits only after the +",
		"+49 1":           "too short",
		"+999 1234567":    "country calling code",
		"0049 30 1":       "not a valid number",
		"030 1":           "not a valid number",
		"+44 20 7123 456": "not a valid number", // one digit short for London
	} {
		_, err := de.ToDial(in)
		if assert.Error(t, err, "ToDial(%q)", in) {
			assert.Contains(t, err.Error(), why, "ToDial(%q)", in)
		}
	}
	_, err := plan(t, planUS).ToDial("123-4567") // exchange codes do not start with 1: read as 1 + 234567
	assert.ErrorContains(t, err, "+1234567 is too short for a number of US (+1)")
	_, err = plan(t, planFR).ToDial("1234")
	assert.ErrorContains(t, err, "1234 is neither a valid local number of area 1 nor a valid national number of +33")
}

// TestNumberingWithoutExtensionLength: when extension_digits is unknown, numbers without a
// prefix may be extensions and pass; numbers with one are still converted.
func TestNumberingWithoutExtensionLength(t *testing.T) {
	n := plan(t, Numbering{Country: "49", Area: "30", OutsidePrefix: "0"})
	for in, want := range map[string]string{"201": "201", "1234567": "1234567", "030 1234567": "01234567", "+49891234567": "00891234567"} {
		d, err := n.ToDial(in)
		require.NoError(t, err)
		assert.Equal(t, want, d, "ToDial(%q)", in)
	}
	assert.Equal(t, "201", n.ToE164("201"))
	assert.Equal(t, "+49301234567", n.ToE164("01234567"), "the outside prefix marks an outside number")
}

func TestNumberingDefaultsFromCountry(t *testing.T) {
	for country, want := range map[string][2]string{"49": {"0", "00"}, "1": {"1", "011"}, "44": {"0", "00"},
		"33": {"0", "00"}, "41": {"0", "00"}, "39": {"", "00"}, "7": {"8", "810"}, "61": {"0", "0011"}} {
		np, ip, err := CountryPrefixes(country)
		require.NoError(t, err, country)
		assert.Equal(t, want, [2]string{np, ip}, country)
	}
	n := plan(t, Numbering{Country: "49", NationalPrefix: "9", InternationalPrefix: "99", ExtensionDigits: 3})
	assert.Equal(t, [2]string{"9", "99"}, [2]string{n.NationalPrefix, n.InternationalPrefix}, "configured prefixes win")
	d, err := n.ToDial("+44 20 7123 4567")
	require.NoError(t, err)
	assert.Equal(t, "99442071234567", d)

	for _, tc := range []struct {
		n   Numbering
		err string
	}{
		{Numbering{Country: "999"}, `country "999" is not a country calling code the numbering library knows`},
		{Numbering{Country: "4949"}, "not a country calling code (1 to 3 digits"},
		{Numbering{Country: "049"}, "not a country calling code (1 to 3 digits"},
		{Numbering{Country: "55"}, "no single international prefix for country 55 (BR): set international_prefix"},
	} {
		c := Config{Numbering: map[string]Numbering{"pbx": tc.n}}
		c.applyDefaults()
		assert.ErrorContains(t, c.validate(), tc.err)
	}
	c := Config{Numbering: map[string]Numbering{"pbx": {Country: "55", InternationalPrefix: "0021"}}}
	c.applyDefaults()
	assert.NoError(t, c.validate(), "a configured international prefix is enough")
}

package lookup

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"+49 (30) 123-45":  "+493012345",
		"tel:+1-555-0100":  "+15550100",
		" 201 ":            "201",
		"030/1234.567":     "0301234567",
		"*21#":             "*21#",
		"+":                "",
		"":                 "",
		"call me":          "",
		"0800 FLOWERS":     "",
		"+49\u00a030 1234": "+49301234",
	} {
		assert.Equal(t, want, Normalize(in), "Normalize(%q)", in)
	}
}

func TestAlternates(t *testing.T) {
	de := Numbering{Country: "49", OutsidePrefix: "0", TrunkPrefix: "0", InternationalPrefix: "00"}
	us := Numbering{Country: "1", OutsidePrefix: "9", TrunkPrefix: "1", InternationalPrefix: "011"}
	for _, tc := range []struct {
		in   string
		n    Numbering
		want []string
	}{
		{"201", de, []string{"201"}},
		{"+49 30 1234567", de, []string{"+49301234567", "0301234567", "00301234567"}},
		{"0301234567", de, []string{"0301234567", "+49301234567", "00301234567"}},
		// Two readings: the international +30 1234567, and an outside line to 030 1234567.
		{"00301234567", de, []string{"00301234567", "0301234567", "+301234567", "000301234567", "+49301234567"}},
		{"+33 1 23 45 67 89", de, []string{"+33123456789", "0033123456789", "00033123456789"}},
		{"0033123456789", de, []string{"0033123456789", "033123456789", "+33123456789", "00033123456789", "+4933123456789"}},
		{"+1 212 555 0100", us, []string{"+12125550100", "12125550100", "912125550100"}},
		{"912125550100", us, []string{"912125550100", "12125550100", "+12125550100"}},
		{"+49301234567", Numbering{}, []string{"+49301234567"}},
		{"not a number", de, nil},
	} {
		assert.Equal(t, tc.want, Alternates(tc.in, tc.n), "Alternates(%q)", tc.in)
	}
}

// FuzzNormalized: a number Normalize gives back as it is (without building it) is one that
// building gives back unchanged.
func FuzzNormalized(f *testing.F) {
	for _, s := range []string{"201", "+4930", "*21#", "+", "+*", "++1", " 201", "2 01", "tel:201", "#", "0", "+0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if normalized(s) && normalize(s) != s {
			t.Fatalf("normalized(%q) but normalize gives %q", s, normalize(s))
		}
		if !normalized(s) && normalize(s) == s && s != "" {
			t.Fatalf("%q is its own normal form but normalized says no", s)
		}
	})
}

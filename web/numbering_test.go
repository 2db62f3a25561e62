package web

import "testing"

func TestNumberingRoundTrip(t *testing.T) {
	de := Config{Numbering: map[string]Numbering{"hq": {Country: "49", Area: "30", OutsidePrefix: "0", ExtensionDigits: 3}}}
	de.applyDefaults()
	us := Config{Numbering: map[string]Numbering{"ny": {Country: "1", Area: "212", OutsidePrefix: "9", ExtensionDigits: 4}}}
	us.applyDefaults()
	for _, tc := range []struct {
		n          Numbering
		e164, dial string
	}{
		{de.Numbering["hq"], "+49301234567", "01234567"},           // same area: local
		{de.Numbering["hq"], "+49891234567", "00891234567"},        // other area: national
		{de.Numbering["hq"], "+4415712345678", "0004415712345678"}, // abroad: international
		{us.Numbering["ny"], "+12125551234", "95551234"},
		{us.Numbering["ny"], "+13105551234", "913105551234"},
		{us.Numbering["ny"], "+442071234567", "9011442071234567"},
	} {
		d, err := tc.n.ToDial(tc.e164)
		if err != nil || d != tc.dial {
			t.Errorf("ToDial(%s) = %q, %v; want %q", tc.e164, d, err, tc.dial)
		}
		if back := tc.n.ToE164(d); back != tc.e164 {
			t.Errorf("ToE164(%s) = %q; want %q", d, back, tc.e164)
		}
	}
	n := de.Numbering["hq"]
	for in, want := range map[string]string{"201": "201", "*21#": "*21#", "0891234567": "+4930891234567",
		"000441234567": "+441234567", "0441234567": "+4930441234567", "1234567": "+49301234567", "+4930 1": "+4930 1"} {
		if got := n.ToE164(in); got != want {
			t.Errorf("ToE164(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"201": "201", "+49 (30) 123-4567": "01234567", "*21#": "*21#"} {
		if got, err := n.ToDial(in); err != nil || got != want {
			t.Errorf("ToDial(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "+", "call me", "12a", "+49#1"} {
		if _, err := n.ToDial(bad); err == nil {
			t.Errorf("ToDial(%q) accepted", bad)
		}
	}
	if got := (Numbering{}).ToE164("0301234"); got != "0301234" {
		t.Errorf("no numbering plan must pass through, got %q", got)
	}
}

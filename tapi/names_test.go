package tapi

import (
	"encoding/json"
	"testing"
)

// FuzzUnmarshalMask: where the scan of the encoder's form answers, encoding/json decodes the
// same names to the same mask.
func FuzzUnmarshalMask(f *testing.F) {
	for _, s := range []string{`[]`, `["LINECALLPARTYID_ADDRESS"]`, `["LINECALLPARTYID_NAME","LINECALLPARTYID_ADDRESS"]`,
		`[ "LINECALLPARTYID_NAME" ]`, `null`, `["LINECALLPARTYID_NAME",]`, `["LINECALLPARTYID_\\u004eAME"]`,
		`["LINECALLPARTYID_NAME""LINECALLPARTYID_ADDRESS"]`, `["X"]`, `[`, `["`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := callPartyIDNames.scanMask(b)
		var names []string
		err := json.Unmarshal(b, &names)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("scan took %q (0x%x), encoding/json refuses it: %v", b, m, err)
		}
		var want uint32
		for _, n := range names {
			want |= callPartyIDNames.byName[n]
		}
		if m != want {
			t.Fatalf("%q: scan 0x%x, encoding/json 0x%x", b, m, want)
		}
	})
}

// TestScanMaskForms: the encoder's form is scanned; other forms fall to encoding/json with
// the same result or its error.
func TestScanMaskForms(t *testing.T) {
	for _, c := range []struct {
		in     string
		want   CallPartyID
		scan   bool
		errors bool
	}{
		{`[]`, 0, true, false},
		{`["LINECALLPARTYID_NAME","LINECALLPARTYID_ADDRESS"]`, LINECALLPARTYID_NAME | LINECALLPARTYID_ADDRESS, true, false},
		{`[ "LINECALLPARTYID_NAME" ]`, LINECALLPARTYID_NAME, false, false},
		{`["LINECALLPARTYID_\u004eAME"]`, LINECALLPARTYID_NAME, false, false},
		{`null`, 0, false, false},
		{`["LINECALLPARTYID_NAME",]`, 0, false, true},
		{`["LINECALLPARTYID_NOPE"]`, 0, false, true},
	} {
		_, scanned := callPartyIDNames.scanMask([]byte(c.in))
		var v CallPartyID
		err := json.Unmarshal([]byte(c.in), &v)
		if scanned != c.scan || (err != nil) != c.errors || v != c.want {
			t.Errorf("%s: scanned %v, got 0x%x, %v; want scanned %v, 0x%x, error %v", c.in, scanned, uint32(v), err, c.scan, uint32(c.want), c.errors)
		}
	}
}

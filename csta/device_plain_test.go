package csta

import "testing"

// FuzzNormalisePlainDevice: the shortcut for plain identifiers gives what the full
// normalisation gives, for any value.
func FuzzNormalisePlainDevice(f *testing.F) {
	for _, s := range []string{"", "201", "+4930123", "N<+4930123>;noa=nk", "201;x=1", " 201", "201 ", "201\t",
		"\u00a0201", "201\u00a0", "201\u0085", "\u2003201", "Line71001", "N<201>Line71001", "a<b", "é201", "201é", "<>", ";"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n1, m1 := normaliseDevice(raw)
		n2, m2 := normaliseDecorated(raw)
		if n1 != n2 || m1 != m2 {
			t.Errorf("%q: plain (%q, %q), decorated (%q, %q)", raw, n1, m1, n2, m2)
		}
	})
}

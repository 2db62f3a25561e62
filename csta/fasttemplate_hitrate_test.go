package csta

import (
	"bytes"
	"testing"
)

// TestDecodeTemplateOSVStream reads OpenScape Voice's events (the samples in testdata) as a
// link would on calls after calls: ServiceInitiated, Originated, Delivered and so on, each
// with other numbers (every digit moved on by the call's number). They give what Decode gives,
// and each one after the first of its kind is replayed by a template.
func TestDecodeTemplateOSVStream(t *testing.T) {
	var osv [][]byte
	for _, doc := range sampleDocs(t) {
		if _, took := decodeFast(doc); took && bytes.Contains(doc, []byte("siemens")) {
			osv = append(osv, doc)
		}
	}
	if len(osv) < 3 {
		t.Fatalf("%d OpenScape Voice events", len(osv))
	}
	d := newLinkDoc()
	const calls = 200
	for i := range calls {
		for _, doc := range osv {
			checkLinkDecode(t, d, revalue(doc, func(r []byte) []byte {
				return bytes.Map(func(c rune) rune {
					if c >= '0' && c <= '9' {
						return '0' + (c-'0'+rune(i))%10
					}
					return c
				}, r)
			}))
		}
	}
	want := uint64((calls - 1) * len(osv))
	t.Logf("%d of %d documents replayed", d.tmpl.replays, d.tmpl.docs)
	if d.tmpl.replays != want {
		t.Fatalf("%d of %d documents replayed, want %d", d.tmpl.replays, d.tmpl.docs, want)
	}
}

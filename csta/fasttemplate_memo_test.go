package csta

import (
	"bytes"
	"testing"
	"unsafe"
)

// TestDecodeTemplateDeviceMemo: a replay reads a device whose text is the last device's once
// (devMemo). Every pair of values of every template document is made the same text (the
// first's, a new number, a decorated one with references) or two numbers of one length, the
// others kept, and each such document, decoded by a link decoder right after the template's,
// gives what Decode gives.
func TestDecodeTemplateDeviceMemo(t *testing.T) {
	for _, doc := range templateDocs(t) {
		n := 0
		revalue(doc, func(r []byte) []byte { n++; return r })
		d := newLinkDoc()
		for i := range n {
			for j := i + 1; j < n; j++ {
				for _, v := range [][2][]byte{{}, {[]byte("55501"), []byte("55501")}, {[]byte("55501"), []byte("55502")},
					{[]byte("N&lt;+4930555&gt;;noa=nk"), []byte("N&lt;+4930555&gt;;noa=nk")}} {
					k, first := 0, []byte(nil)
					variant := revalue(doc, func(r []byte) []byte {
						defer func() { k++ }()
						switch {
						case k == i && v[0] == nil:
							first = r
						case k == i:
							return v[0]
						case k == j && v[0] == nil:
							return first
						case k == j:
							return v[1]
						}
						return r
					})
					checkLinkDecode(t, d, doc)
					checkLinkDecode(t, d, variant)
				}
			}
		}
	}
}

// The memo is the last device's: a device that differs from it in one byte, in its length or
// only in a reference is read anew.
func TestDevMemoRecall(t *testing.T) {
	var m devMemo
	var dst DeviceID
	if m.recall([]byte("201"), nil) {
		t.Fatal("an empty memo recalled a device")
	}
	src := Device("201")
	m.note([]byte("201"), unsafe.Pointer(&src))
	for _, run := range []string{"202", "2010", "20", "201 ", "2&#48;1"} {
		if m.recall([]byte(run), unsafe.Pointer(&dst)) {
			t.Errorf("%q recalled the memo of 201", run)
		}
	}
	if !m.recall([]byte("201"), unsafe.Pointer(&dst)) || dst != src {
		t.Errorf("201 recalled %#v, want %#v", dst, src)
	}
	if !bytes.Equal(m.run, []byte("201")) {
		t.Errorf("memo run %q", m.run)
	}
}

package csta

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func addXMLSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "xml", "*.xml"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<A><![CDATA[x<y]]>&#x41;&amp;<!-- c --><b:c xmlns:b="u"/></A>`))
}

// FuzzDecode: no input panics; whatever decodes re-encodes, and the re-encoding decodes to
// the same value and encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		if _, ok := m.(*UnknownMessage); ok {
			return
		}
		first, err := Encode(nil, m, Ed4)
		if err != nil {
			t.Fatalf("encode of decoded %T: %v", m, err)
		}
		back, err := Decode(first)
		if err != nil {
			t.Fatalf("decode of own encoding: %v\n%s", err, first)
		}
		second, err := Encode(nil, back, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("unstable encoding:\n%s\n%s", first, second)
		}
	})
}

// FuzzScanXML checks the scanner differentially against encoding/xml: when both accept a
// document, both see the same elements (local names) with the same character data.
func FuzzScanXML(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var d xdoc
		errScan := parseXML(&d, data)
		ref, errRef := referenceTree(data)
		if errScan != nil || errRef != nil {
			return
		}
		got := scannerTree(&d, 0)
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("trees differ\nscanner: %+v\nencoding/xml: %+v", got, ref)
		}
	})
}

type refNode struct {
	Local    string
	Text     string
	Children []*refNode
}

func scannerTree(d *xdoc, n int32) *refNode {
	r := &refNode{Local: d.nodes[n].local, Text: d.textOf(n)}
	for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
		r.Children = append(r.Children, scannerTree(d, c))
	}
	return r
}

// referenceTree builds the same shape with encoding/xml, accepting only what a CSTA document
// is: exactly one root element, nothing but white space, comments and PIs outside it.
func referenceTree(data []byte) (*refNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root *refNode
	var stack []*refNode
	var texts []string
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if err.Error() == "EOF" && root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, errSecondRoot
			}
			n := &refNode{Local: tk.Name.Local}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			}
			stack = append(stack, n)
			texts = append(texts, "")
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].Local != tk.Name.Local {
				return nil, errSecondRoot
			}
			stack[len(stack)-1].Text = strings.TrimSpace(texts[len(texts)-1])
			stack = stack[:len(stack)-1]
			texts = texts[:len(texts)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(tk)) > 0 {
					return nil, errSecondRoot
				}
				continue
			}
			texts[len(texts)-1] += string(tk)
		case xml.Directive:
			return nil, errSecondRoot
		}
	}
}

var errSecondRoot = &DecodeError{Offset: -1, Reason: "not a single-root document"}

func BenchmarkDecodeDeliveredEvent(b *testing.B) {
	data := readFixture(b, "osv-DeliveredEvent.xml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDeliveredEventCompact(b *testing.B) {
	m := mustDecode(b, readFixture(b, "osv-DeliveredEvent.xml"))
	data, _ := Encode(nil, m, Ed4)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDeliveredEvent(b *testing.B) {
	m := mustDecode(b, readFixture(b, "osv-DeliveredEvent.xml"))
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = Encode(buf[:0], m, Ed4); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDeliveredEventEncodingXML is the reflection-based baseline the scanner replaces.
func BenchmarkDecodeDeliveredEventEncodingXML(b *testing.B) {
	data := readFixture(b, "osv-DeliveredEvent.xml")
	type dev struct {
		ID string `xml:"deviceIdentifier"`
	}
	type delivered struct {
		CrossRef string `xml:"monitorCrossRefID"`
		Conn     struct {
			CallID   string `xml:"callID"`
			DeviceID string `xml:"deviceID"`
		} `xml:"connection"`
		Alerting dev    `xml:"alertingDevice"`
		Calling  dev    `xml:"callingDevice"`
		Called   dev    `xml:"calledDevice"`
		State    string `xml:"localConnectionInfo"`
		Cause    string `xml:"cause"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var v delivered
		if err := xml.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

package csta

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeEquivalence: a document Decode accepts decodes to the same message when written
// in another form that means the same XML: character data as entities, as CDATA or split by
// comments, empty elements with end tags, attributes re-quoted. Switches differ in exactly
// these; the scanner's fast paths (plain text, no attributes, known names) must not make one
// form decode differently from another. Only the raw copies of the source (Extensions,
// UnknownMessage.Raw) may differ.
func FuzzDecodeEquivalence(f *testing.F) {
	addXMLSeeds(f)
	for _, dir := range []string{"FuzzDecode", "FuzzScanXML", "FuzzDecodeFast"} { // the other fuzzers' corpora
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", dir, "*"))
		for _, p := range files {
			docs, err := readCorpusEntry(p)
			if err != nil {
				f.Fatal(err)
			}
			for _, d := range docs {
				f.Add(d)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		want := comparable(t, m)
		for _, style := range []rewriteStyle{rewriteEscaped, rewriteCDATA, rewriteSplit} {
			doc, ok := rewriteXML(data, style)
			if !ok {
				return // encoding/xml does not accept it: no reference form
			}
			got, err := Decode(doc)
			if err != nil {
				t.Fatalf("style %d: decode of the rewritten document: %v\noriginal: %q\nrewritten: %q", style, err, data, doc)
			}
			if g := comparable(t, got); g != want {
				t.Fatalf("style %d: results differ\noriginal:  %s\nrewritten: %s\ndocs: %q\n%q", style, want, g, data, doc)
			}
		}
	})
}

type rewriteStyle int

const (
	rewriteEscaped rewriteStyle = iota // text with every special character as a reference
	rewriteCDATA                       // text as CDATA sections
	rewriteSplit                       // text cut in two by a comment
)

// rewriteXML writes data's elements again, token by token as encoding/xml reads them, without
// comments and processing instructions.
func rewriteXML(data []byte, style rewriteStyle) ([]byte, bool) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out bytes.Buffer
	depth := 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return out.Bytes(), true
		}
		if err != nil {
			return nil, false
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			out.WriteString("<" + rawName(tk.Name))
			for _, a := range tk.Attr {
				out.WriteString(" " + rawName(a.Name) + `="`)
				_ = xml.EscapeText(&out, []byte(a.Value))
				out.WriteString(`"`)
			}
			out.WriteString(">")
			depth++
		case xml.EndElement:
			out.WriteString("</" + rawName(tk.Name) + ">")
			depth--
		case xml.CharData:
			if depth > 0 {
				writeText(&out, tk, style)
			}
		}
	}
}

func writeText(out *bytes.Buffer, text []byte, style rewriteStyle) {
	switch {
	case style == rewriteCDATA && !bytes.Contains(text, []byte("]]>")) && !bytes.ContainsRune(text, '\r'):
		out.WriteString("<![CDATA[")
		out.Write(text)
		out.WriteString("]]>")
	case style == rewriteSplit && len(text) > 1:
		cut := len(text) / 2
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		_ = xml.EscapeText(out, text[:cut])
		out.WriteString("<!-- cut -->")
		_ = xml.EscapeText(out, text[cut:])
	default:
		_ = xml.EscapeText(out, text)
	}
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// comparable is m's type and JSON form without the raw copies of the source.
func comparable(t *testing.T, m Message) string {
	t.Helper()
	v := reflect.New(reflect.TypeOf(m).Elem())
	v.Elem().Set(reflect.ValueOf(m).Elem())
	clearRaw(v.Elem())
	j, err := json.Marshal(v.Interface())
	if err != nil {
		t.Fatalf("%T: %v", m, err)
	}
	return reflect.TypeOf(m).String() + " " + string(j)
}

func clearRaw(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case !sf.IsExported():
		case f.Kind() == reflect.Struct:
			clearRaw(f)
		case f.Type() == reflect.TypeOf([]byte(nil)) && (sf.Name == "Extensions" || sf.Name == "Raw"):
			f.SetBytes(nil)
		}
	}
}

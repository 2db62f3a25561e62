package csta

import (
	"bytes"
	"reflect"
	"testing"
)

// What real switches vary from event to event besides the values, and what ECMA-323 allows
// in a value: a link's decoder must give what Decode gives for a stream of such documents,
// whether a template fits them or not (a replay that differs would show a wrong call state).

// valueHazards replace one run of character data (a value) by what a switch may send there.
var valueHazards = map[string]func(run []byte) []byte{
	"amp":          func(r []byte) []byte { return cat(r, "&amp;x") },
	"charref":      func(r []byte) []byte { return cat([]byte("&#43;"), string(r)) },
	"hexref":       func(r []byte) []byte { return cat([]byte("&#x2B;"), string(r)) },
	"charrefdigit": func(r []byte) []byte { return cat(r[:len(r)-1], "&#5"+string(r[len(r)-1])+";") },
	"cdata":        func(r []byte) []byte { return cat([]byte("<![CDATA["), string(r)+"]]>") },
	"cdatapart":    func(r []byte) []byte { return cat(r[:1], "<![CDATA["+string(r[1:])+"]]>") },
	"cdataempty":   func(r []byte) []byte { return cat(r, "<![CDATA[]]>") },
	"comment":      func(r []byte) []byte { return cat(r[:1], "<!-- c -->"+string(r[1:])) },
	"commentfirst": func(r []byte) []byte { return cat([]byte("<!--c-->"), string(r)) },
	"commentlast":  func(r []byte) []byte { return cat(r, "<!--c-->") },
	"pi":           func(r []byte) []byte { return cat(r[:1], "<?pi x?>"+string(r[1:])) },
	"inner space":  func(r []byte) []byte { return cat(r[:1], " "+string(r[1:])) },
	"inner tab":    func(r []byte) []byte { return cat(r[:1], "\t\n"+string(r[1:])) },
	"outer space":  func(r []byte) []byte { return cat([]byte("\n\t "), string(r)+" \n") },
	"crlf":         func(r []byte) []byte { return cat(r, "\r\n") },
	"nbsp":         func(r []byte) []byte { return cat(r, "\u00a0") },
	"gt":           func(r []byte) []byte { return cat(r, ">") },
	"quote":        func(r []byte) []byte { return cat(r, `"'`) },
}

func cat(b []byte, s string) []byte { return append(append([]byte(nil), b...), s...) }

// xelem is an element of a document: its start tag [start, open), its end tag [close, end)
// (close == open == end for <x/>).
type xelem struct {
	start, nameEnd, open, close, end int
	empty                            bool
}

// xelements lists the elements of doc in document order (the simple documents switches send:
// no '>' in attribute values).
func xelements(doc []byte) []xelem {
	var els []xelem
	var stack []int
	for i := 0; i < len(doc); i++ {
		if doc[i] != '<' || i+1 >= len(doc) {
			continue
		}
		switch c := doc[i+1]; {
		case c == '/':
			e := &els[stack[len(stack)-1]]
			stack = stack[:len(stack)-1]
			e.close = i
			e.end = i + bytes.IndexByte(doc[i:], '>') + 1
		case isFastNameStart(c):
			n := i + 1
			for n < len(doc) && (isNameByte(doc[n]) || doc[n] == ':') {
				n++
			}
			gt := i + bytes.IndexByte(doc[i:], '>') + 1
			e := xelem{start: i, nameEnd: n, open: gt}
			if doc[gt-2] == '/' {
				e.empty, e.close, e.end = true, gt, gt
			} else {
				stack = append(stack, len(els))
			}
			els = append(els, e)
		}
	}
	return els
}

// elementHazards change the k-th element of doc (its index in xelements, never the root);
// nil when the change does not apply to it.
var elementHazards = map[string]func(doc []byte, e xelem) []byte{
	"attribute": func(doc []byte, e xelem) []byte {
		return splice(doc, e.nameEnd, e.nameEnd, ` typeOfNumber="dialingNumber"`)
	},
	"attribute value": func(doc []byte, e xelem) []byte {
		return splice(doc, e.nameEnd, e.nameEnd, ` typeOfNumber="other"`)
	},
	"prefix": func(doc []byte, e xelem) []byte {
		if bytes.IndexByte(doc[e.start:e.nameEnd], ':') >= 0 {
			return nil
		}
		root := xelements(doc)[0]
		out := doc
		if !e.empty {
			out = splice(out, e.close+2, e.close+2, "csta:")
		}
		out = splice(out, e.start+1, e.start+1, "csta:")
		return splice(out, root.nameEnd, root.nameEnd, ` xmlns:csta="`+string(rootNamespace(doc))+`"`)
	},
	"empty form": func(doc []byte, e xelem) []byte {
		name := string(doc[e.start+1 : e.nameEnd])
		if e.empty {
			return splice(doc, e.open-2, e.open, "></"+name+">")
		}
		if len(bytes.TrimSpace(doc[e.open:e.close])) > 0 {
			return nil
		}
		return splice(doc, e.open-1, e.end, "/>")
	},
	"absent": func(doc []byte, e xelem) []byte { return splice(doc, e.start, e.end, "") },
	"comment after": func(doc []byte, e xelem) []byte {
		return splice(doc, e.end, e.end, "<!-- x -->")
	},
}

func splice(doc []byte, from, to int, s string) []byte {
	return append(append(append([]byte(nil), doc[:from]...), s...), doc[to:]...)
}

// rootNamespace is the root's default namespace, or ECMA-323 ed4's when it has none.
func rootNamespace(doc []byte) []byte {
	const attr = `xmlns="`
	i := bytes.Index(doc, []byte(attr))
	if i < 0 {
		return []byte("http://www.ecma-international.org/standards/ecma-323/csta/ed4")
	}
	rest := doc[i+len(attr):]
	return rest[:bytes.IndexByte(rest, '"')]
}

// hazardStream is what a link reads of doc and its variant: each first and then after the
// other (the template of one tried on the other), with other digits in between.
func hazardStream(doc, variant []byte) [][]byte {
	digits := revalues["digits"]
	return [][]byte{doc, variant, revalue(variant, digits), doc, revalue(doc, digits), variant, variant, doc}
}

// TestDecodeTemplateValueHazards: values with references, CDATA, comments, processing
// instructions, white space inside and refused bytes, in each value of each event in turn.
func TestDecodeTemplateValueHazards(t *testing.T) {
	var replays uint64
	for _, doc := range append(templateDocs(t), sampleDocs(t)...) {
		for name, h := range valueHazards {
			for k := 0; ; k++ {
				n, done := 0, true
				variant := revalue(doc, func(r []byte) []byte {
					n++
					if n-1 != k {
						return r
					}
					done = false
					return h(r)
				})
				if done {
					break
				}
				d := newLinkDoc()
				for _, b := range hazardStream(doc, variant) {
					checkLinkDecodeNamed(t, d, name, b)
				}
				replays += d.tmpl.replays
			}
		}
	}
	requireReplays(t, replays)
}

// TestDecodeTemplateElementHazards: attributes added or changed, a namespace prefix on one
// element only, <x/> for <x></x> and back, an optional element absent (then present), a
// comment between elements, for each element of each event in turn.
func TestDecodeTemplateElementHazards(t *testing.T) {
	var replays uint64
	for _, doc := range append(templateDocs(t), sampleDocs(t)...) {
		els := xelements(doc)
		for name, h := range elementHazards {
			for _, e := range els[1:] {
				variant := h(doc, e)
				if variant == nil {
					continue
				}
				d := newLinkDoc()
				for _, b := range hazardStream(doc, variant) {
					checkLinkDecodeNamed(t, d, name, b)
				}
				replays += d.tmpl.replays
			}
		}
		// An attribute whose value changes from one document to the next.
		for _, e := range els[1:] {
			d := newLinkDoc()
			a, b := elementHazards["attribute"](doc, e), elementHazards["attribute value"](doc, e)
			for _, x := range hazardStream(a, b) {
				checkLinkDecodeNamed(t, d, "attribute changes", x)
			}
			replays += d.tmpl.replays
		}
	}
	requireReplays(t, replays)
}

// requireReplays fails a hazard test whose streams never came to a replay (it would test
// the fast decoder only).
func requireReplays(t *testing.T, replays uint64) {
	t.Helper()
	if replays == 0 {
		t.Fatal("no document was replayed")
	}
	t.Logf("%d replays", replays)
}

func checkLinkDecodeNamed(t *testing.T, d *xdoc, name string, doc []byte) {
	t.Helper()
	got, gerr := d.decode(doc)
	want, werr := Decode(doc)
	if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: link decoder %#v (%v)\nDecode %#v (%v)\nof %q", name, got, gerr, want, werr, doc)
	}
}

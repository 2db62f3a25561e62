package csta

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// templateDocs are events as switches and the simulator send them: the simulator's events of
// every profile (the FuzzDecodeFast corpus) and fastEventMessages in both forms of
// BenchmarkDecodeEvents.
func templateDocs(t testing.TB) [][]byte {
	var docs [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodeFast", "*"))
	for _, p := range files {
		ds, err := readCorpusEntry(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, ds...)
	}
	for _, m := range fastEventMessages() {
		d, err := Encode(nil, m, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d, bytes.Replace(d, []byte("<cause>"), []byte(osvTrailer+"<cause>"), 1))
	}
	return docs
}

// sampleDocs are real switches' documents with their quirks (OpenScape Voice's line break
// after the declaration and its elements the fast decoder skips, prefixes, no namespace).
func sampleDocs(t testing.TB) [][]byte {
	var docs [][]byte
	paths, _ := filepath.Glob(filepath.Join("testdata", "xml", "*.xml"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	// OpenScape Voice's OriginatedEvent as it came on the wire, a frame: its body.
	frames, _ := filepath.Glob(filepath.Join("testdata", "*.frame"))
	for _, p := range frames {
		bodies, err := readFrameBody(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, bodies[len(bodies)-1])
	}
	return docs
}

// TestDecodeTemplateSamples: a real switch's event that the fast decoder takes makes a
// template (the same document again is replayed), and its variants decode as Decode decodes
// them. Text in the elements the decoder skips may differ from the template's (a switch's
// network device, media characteristics): it is read into nothing.
func TestDecodeTemplateSamples(t *testing.T) {
	templates := 0
	for _, doc := range sampleDocs(t) {
		d := newLinkDoc()
		checkLinkDecode(t, d, doc)
		m, err := Decode(doc)
		if _, took := decodeFast(doc); err != nil || !took {
			continue
		}
		k := d.tmpl.bySlot[nameSlot([]byte(m.MessageName()))]
		if k == nil || !k.t[0].ok {
			t.Fatalf("no template of %s", doc)
		}
		if _, fits := k.t[0].match(doc, nil); !fits {
			t.Fatalf("the template does not fit its own document %s", doc)
		}
		// Other numbers everywhere, also in the elements the decoder skips: still a replay.
		if _, fits := k.t[0].match(revalue(doc, revalues["digits"]), nil); !fits {
			t.Errorf("the template does not fit its document with other digits %s", doc)
		}
		templates++
		for _, f := range revalues {
			checkLinkDecode(t, d, revalue(doc, f))
			checkLinkDecode(t, d, doc)
		}
	}
	if templates == 0 {
		t.Fatal("no sample made a template")
	}
	t.Logf("%d samples made templates", templates)
}

// revalue changes the character data of doc that is not white space only by f (the bytes
// between '>' and the next '<').
func revalue(doc []byte, f func(run []byte) []byte) []byte {
	var out []byte
	for i := 0; i < len(doc); {
		j := bytes.IndexByte(doc[i:], '>')
		if j < 0 {
			return append(out, doc[i:]...)
		}
		out = append(out, doc[i:i+j+1]...)
		i += j + 1
		k := bytes.IndexByte(doc[i:], '<')
		if k < 0 {
			return append(out, doc[i:]...)
		}
		run := doc[i : i+k]
		if len(bytes.TrimSpace(run)) > 0 {
			run = f(run)
		}
		out = append(out, run...)
		i += k
	}
	return out
}

// Value changes: same shape (the template replays) or not (it must not, or give the same).
var revalues = map[string]func([]byte) []byte{
	"digits": func(r []byte) []byte {
		return bytes.Map(func(c rune) rune {
			if c >= '0' && c <= '8' {
				return c + 1
			}
			return c
		}, r)
	},
	"case":    bytes.ToUpper,
	"longer":  func(r []byte) []byte { return append(append([]byte(nil), r...), "7"...) },
	"shorter": func(r []byte) []byte { return r[:len(r)-1] },
	"entity": func(r []byte) []byte {
		return append([]byte("N&lt;"), append(append([]byte(nil), r...), "&gt;;noa=nk"...)...)
	},
	"spaced": func(r []byte) []byte { return append(append([]byte(" "), r...), " \n"...) },
	"empty":  func([]byte) []byte { return nil },
	"space":  func([]byte) []byte { return []byte("  ") },
	"bool": func(r []byte) []byte {
		return map[bool][]byte{true: []byte("false"), false: []byte("1")}[string(r) == "true"]
	},
	"number":   func([]byte) []byte { return []byte("1234567890") },
	"timezone": func(r []byte) []byte { return bytes.Replace(r, []byte("Z"), []byte("+01:00"), 1) },
	"refused":  func(r []byte) []byte { return append([]byte("\r"), r...) },
}

// TestDecodeTemplateReplay decodes a document into a link decoder's template and then its
// variants by the template: those that differ in values only must replay, and whatever
// replays must be what the generic decoder makes of the variant.
func TestDecodeTemplateReplay(t *testing.T) {
	replayed := 0
	for _, doc := range templateDocs(t) {
		for name, f := range revalues {
			variant := revalue(doc, f)
			d := newLinkDoc()
			m, err := d.decode(doc)
			if err != nil {
				t.Fatalf("%v: %s", err, doc)
			}
			if _, took := decodeFast(doc); !took {
				continue
			}
			k := d.tmpl.bySlot[nameSlot([]byte(m.MessageName()))]
			if k == nil || !k.t[0].ok {
				t.Fatalf("no template of %s", doc)
			}
			runs, ok := k.t[0].match(variant, nil)
			var got Message
			if ok {
				got, ok = d.replay(&k.t[0], variant, runs)
			}
			if !ok {
				if name == "digits" { // the others change skipped elements' text too
					t.Errorf("%s: no replay of\n%s\nby\n%s", name, variant, doc)
				}
				continue
			}
			replayed++
			want, err := decodeGeneric(variant)
			if err != nil {
				t.Fatalf("%s: generic: %v\n%s", name, err, variant)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: replay %#v\ngeneric %#v\nof %s", name, got, want, variant)
			}
		}
	}
	t.Logf("%d replays", replayed)
}

// TestDecodeTemplateStream reads a stream of events of every kind and shape, each followed by
// its variants, through one link decoder, as a link does: each gives what Decode gives.
func TestDecodeTemplateStream(t *testing.T) {
	d := newLinkDoc()
	lists := 0 // events with a connection list replayed
	for range 3 {
		for _, doc := range templateDocs(t) {
			for _, f := range revalues {
				for _, b := range [][]byte{doc, revalue(doc, f)} {
					replays := d.tmpl.replays
					if l := eventList(checkLinkDecode(t, d, b)); l != nil && len(*l) > 0 && d.tmpl.replays > replays {
						lists++
					}
				}
			}
		}
	}
	if lists == 0 {
		t.Fatal("no event with a connection list was replayed")
	}
	t.Logf("%d of %d documents replayed, %d with a connection list", d.tmpl.replays, d.tmpl.docs, lists)
}

// checkLinkDecode fails unless d decodes doc as a fresh decoder does; it returns d's message.
func checkLinkDecode(t *testing.T, d *xdoc, doc []byte) Message {
	t.Helper()
	got, gerr := d.decode(doc)
	want, werr := Decode(doc)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("link decoder: %v, Decode: %v\n%q", gerr, werr, doc)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("link decoder %#v\nDecode %#v\nof %q", got, want, doc)
	}
	return got
}

// FuzzDecodeTemplate: a document decoded by a link decoder right after another one (whose
// template it may be) gives what Decode gives.
func FuzzDecodeTemplate(f *testing.F) {
	docs := append(templateDocs(f), sampleDocs(f)...)
	for i, doc := range docs {
		f.Add(doc, revalue(doc, revalues["digits"]))
		f.Add(doc, docs[(i+1)%len(docs)])
	}
	// A connection list with an item less, or an item's member twice, after the list.
	for _, doc := range listDocs(f) {
		for _, e := range xelements(doc) {
			switch string(doc[e.start+1 : e.nameEnd]) {
			case "connectionListItem":
				f.Add(doc, splice(doc, e.start, e.end, ""))
			case "newConnection", "endpoint":
				f.Add(doc, splice(doc, e.end, e.end, string(revalue(doc[e.start:e.end], revalues["digits"]))))
			}
		}
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		d := newLinkDoc()
		_, _ = d.decode(first)
		checkLinkDecode(t, d, second)
		checkLinkDecode(t, d, first)
	})
}

// TestDecodeTemplateTwoShapes: a kind that comes in two shapes in turn (a DeliveredEvent of
// an internal and of an external call) keeps a template of each, and both replay.
func TestDecodeTemplateTwoShapes(t *testing.T) {
	internal := &DeliveredEvent{EventCommon: EventCommon{MonitorCrossRefID: "1000000158", LocalConnectionInfo: StateAlerting, Cause: "newCall"},
		Connection: ConnectionID{CallID: "C1", DeviceID: Device("13417")}, AlertingDevice: Device("13417"),
		CallingDevice: Device("10153"), CalledDevice: Device("13417")}
	external := *internal
	external.CallingDevice, external.NetworkCallingDevice = Device("+49301671400"), Device("+49301671400")
	var docs [][]byte
	for _, m := range []Message{internal, &external} {
		d, err := Encode(nil, m, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	d := newLinkDoc()
	for i := range 20 {
		doc := revalue(docs[i%2], func(r []byte) []byte {
			return bytes.ReplaceAll(r, []byte("1"), []byte{'0' + byte(i%10)})
		})
		checkLinkDecode(t, d, doc)
	}
	k := d.tmpl.bySlot[nameSlot([]byte("DeliveredEvent"))]
	if !k.t[0].ok || !k.t[1].ok || k.miss != 0 {
		t.Fatalf("templates %v %v, %d misses in a row", k.t[0].ok, k.t[1].ok, k.miss)
	}
	for i := range 2 {
		doc := revalue(docs[i], func(r []byte) []byte { return bytes.ReplaceAll(r, []byte("3"), []byte("4")) })
		runs, ok := k.t[0].match(doc, nil)
		tm := &k.t[0]
		if !ok {
			tm = &k.t[1]
			runs, ok = tm.match(doc, nil)
		}
		if !ok {
			t.Fatalf("no template fits %s", doc)
		}
		if _, ok := d.replay(tm, doc, runs); !ok {
			t.Fatalf("no replay of %s", doc)
		}
	}
}

// FuzzDecodeTemplateValues: an event whose k-th character data is replaced by any bytes
// (markup, references, white space, refused bytes included), read by a link decoder right
// after the event as it was (its template), gives what Decode gives.
func FuzzDecodeTemplateValues(f *testing.F) {
	docs := templateDocs(f)
	for i, v := range []string{"2001", "", " ", "N&lt;1&gt;", "a<b/>c", "&amp;", "\r1", "1234567890", "x]]>", "true", "T1"} {
		f.Add(uint16(i*7), uint8(i), []byte(v))
	}
	f.Fuzz(func(t *testing.T, which uint16, k uint8, value []byte) {
		doc := docs[int(which)%len(docs)]
		n := 0
		variant := revalue(doc, func(r []byte) []byte {
			n++
			if n-1 == int(k)%16 {
				return value
			}
			return r
		})
		d := newLinkDoc()
		checkLinkDecode(t, d, doc)
		checkLinkDecode(t, d, variant)
		checkLinkDecode(t, d, doc)
	})
}

// TestDecodeTemplateShapeChanges: a kind that comes in several shapes, each for a few events
// in turn (a switch's DeliveredEvent of internal, external and redirected calls), misses only
// the first document of each shape while it has no more shapes than it keeps templates of;
// with more, it misses once at each change of shape and replays the rest; documents of a kind
// that never repeat their shape make it back off.
func TestDecodeTemplateShapeChanges(t *testing.T) {
	internal := &DeliveredEvent{EventCommon: EventCommon{MonitorCrossRefID: "1000000158", LocalConnectionInfo: StateAlerting, Cause: "newCall"},
		Connection: ConnectionID{CallID: "C1", DeviceID: Device("13417")}, AlertingDevice: Device("13417"),
		CallingDevice: Device("10153"), CalledDevice: Device("13417")}
	external, redirected := *internal, *internal
	external.NetworkCallingDevice = Device("+49301671400")
	redirected.LastRedirectionDevice = Device("13418")
	var shapes [][]byte
	for _, m := range []Message{internal, &external, &redirected} {
		d, err := Encode(nil, m, Ed4)
		if err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, d)
	}
	const runs, run = 30, 4
	inTurn := func(shapes [][]byte) *xdoc {
		d := newLinkDoc()
		for i := range runs * run {
			doc := revalue(shapes[i/run%len(shapes)], func(r []byte) []byte {
				return bytes.ReplaceAll(r, []byte("1"), []byte{'0' + byte(i%10)})
			})
			checkLinkDecode(t, d, doc)
		}
		return d
	}
	if d, want := inTurn(shapes), uint64(runs*run-len(shapes)); d.tmpl.replays != want {
		t.Errorf("%d shapes: %d of %d documents replayed, want %d", len(shapes), d.tmpl.replays, d.tmpl.docs, want)
	}
	for j := 0; len(shapes) <= templatesPerKind; j++ { // one shape more than it keeps
		shapes = append(shapes, bytes.Replace(shapes[0], []byte("<cause>"), []byte("<s"+strconv.Itoa(j)+"/><cause>"), 1))
	}
	d := inTurn(shapes)
	if want := uint64(runs * (run - 1)); d.tmpl.replays != want {
		t.Errorf("%d shapes: %d of %d documents replayed, want %d", len(shapes), d.tmpl.replays, d.tmpl.docs, want)
	}
	// A shape of its own for each document: the kind waits between tries.
	k := d.tmpl.bySlot[nameSlot([]byte("DeliveredEvent"))]
	for i := range 150 {
		doc := bytes.Replace(shapes[0], []byte("<cause>"), []byte("<x"+strconv.Itoa(i)+"/><cause>"), 1)
		checkLinkDecode(t, d, doc)
	}
	if k.miss != maxTemplateMiss || k.wait == 0 {
		t.Errorf("after documents of new shapes: %d misses in a row, waiting %d", k.miss, k.wait)
	}
}

package csta

import (
	"reflect"
	"time"
	"unsafe"
)

// Event templates: a link's events of one kind come in nearly the same bytes, event after
// event: the same elements in the same order, with the same white space and namespace, only
// the identifiers, states and timestamps differ. The link's decoder (newLinkDoc) keeps the
// last event of each kind that the fast decoder (codec_fastevent.go) read as a template: the
// document, the event decoded from it, and where each value it took from the text stands
// (a cut) with what it was read into. A next document of the kind is checked against the
// template's bytes around the cuts; when every byte outside the cuts is the same and each
// cut is again a run of character data up to the next '<', the fast decoder would have read
// the document the same way, element by element, and differ only in those values: the event
// is then the template's event with the values read again, without reading a single tag.
// Anything else (another shape, a value now empty or of white space only, a refused byte)
// goes to the fast decoder as before, which then records the document as the new template.
// A connection list's values are cuts into its items, the replay copying the template's list
// (fasttemplate_list.go). A member whose value does not come from one cut (an element read
// twice) makes no template (frecorder.bad). TestDecodeTemplate* and FuzzDecodeTemplate* hold
// replays to the generic decoder, also for what real switches vary (fasttemplate_hazard_test.go).

// tplOp is what a cut's value is read as, into the field at the cut's offset in the event.
type tplOp uint8

const (
	opText       tplOp = iota // a string (textOf)
	opDevice                  // Device(text)
	opDeviceIntl              // Device(text) with '+' before the number (an explicitPublic international)
	opBool                    // boolOf
	opInt                     // at most nine digits (digits)
	opTime                    // ParseTimestamp of the text
	opRawStart                // a mark: where <extensions> starts
	opRawEnd                  // a mark: where it ends; its bytes are copied into the field
	opSkipped                 // the text of an element the decoder skips: any, read into nothing
	opList                    // a mark: where a connection list starts; the event gets its own copy
)

// tcut is one value of a template: [start, end) of its character data in the template's
// document (start == end for a mark), and the field it is read into: in the event, or in
// the item elem-1 of the list of the last opList mark before it.
type tcut struct {
	start, end int32
	op         tplOp
	elem       uint16
	off        uintptr // the field's offset in the event or item
}

// eventTemplate is a document of one event kind that the fast decoder took.
type eventTemplate struct {
	doc  []byte
	cuts []tcut
	lits []tlit         // by cut: the template's bytes before it, and its value
	tail string         // the template's bytes after the last cut
	ev   unsafe.Pointer // the struct of the event decoded from doc (a private copy)
	kind *eventKind
	ok   bool // usable: the document made a template
}

// tlit is what match compares a cut with: the template's bytes between the cut before it and
// the cut, and the cut's own. They are views of eventTemplate.doc, whose bytes change only in
// set, which makes them again.
type tlit struct {
	lit, val string
}

// kindTemplates are the templates of one event kind: its last shapes, the most recently used
// first. A kind often comes in several: a switch's DeliveredEvent of an internal, an external,
// a redirected and a queued call (OpenScape Voice adds or drops servicesPermitted, the
// network called device, the redirection's cause: seven shapes in the simulator's osv
// profile, where two templates replayed 81.8 % of a round's events, four 84.1 %, eight 96.3 %),
// so eight are kept.
type kindTemplates struct {
	t    [templatesPerKind]eventTemplate
	miss uint8  // documents in a row that no template fitted (at most maxTemplateMiss)
	wait uint16 // documents to read without templates, after a miss
}

// templatesPerKind is how many shapes of one event kind a link's decoder keeps. A miss tries
// each (a comparison that stops at the first differing byte; the back-off bounds how often).
const templatesPerKind = 8

// The back-off after misses: the first freeMisses in a row cost nothing (a kind that comes in
// more shapes than two, as a switch's DeliveredEvent with and without optional members, misses
// once or twice at each change of shape and its next document is the new shape's template
// again); after that a kind whose documents never repeat their shape waits 1, 3, 7 ...
// documents, and tries at most one document in 64.
const (
	freeMisses      = 2
	maxTemplateMiss = freeMisses + 6
)

// trun is where a cut is in a document that fits the template: its character data, or the
// position of a mark; same when the data is the template's own (which its event holds).
type trun struct {
	start, end   int32
	entity, same bool
}

// frecorder notes the cuts while the fast decoder reads a document for a template.
type frecorder struct {
	kind   *eventKind // the event's
	base   uintptr    // the event's address and size
	size   uintptr
	cuts   []tcut
	claims [][2]uintptr // the member fields written, as [offset, end)
	bad    bool
	list   listRecord // the connection list being read
}

func (r *frecorder) reset(ev memberEvent, kind *eventKind) {
	r.kind = kind
	v := reflect.ValueOf(ev)
	r.base, r.size = uintptr(v.UnsafePointer()), v.Type().Elem().Size()
	r.cuts, r.claims, r.bad = r.cuts[:0], r.claims[:0], false
	r.list = listRecord{}
}

// offset is dst's offset in the event, ok false when the field of size n is not in it.
func (r *frecorder) offset(dst unsafe.Pointer, n uintptr) (uintptr, bool) {
	p := uintptr(dst)
	if p < r.base || p+n > r.base+r.size {
		return 0, false
	}
	return p - r.base, true
}

// claim notes that a member writes the field dst of size n: a field written by two members
// (an element twice, two names for one member) makes no template, for the later write could
// be one that no cut repeats.
func (r *frecorder) claim(dst unsafe.Pointer, n uintptr) {
	off, ok := r.offset(dst, n)
	if !ok {
		r.bad = true
		return
	}
	for _, c := range r.claims[r.list.claims:] {
		if off < c[1] && c[0] < off+n {
			r.bad = true
			return
		}
	}
	r.claims = append(r.claims, [2]uintptr{off, off + n})
}

// value notes that the text of the leaf just read (s.last) went into dst, read as op; a leaf
// of white space only is no cut, the template's bytes and event holding it.
func (r *frecorder) value(s *fscan, op tplOp, dst unsafe.Pointer, n uintptr) {
	if op == opDevice && s.intl {
		op = opDeviceIntl
	}
	s.intl = false
	start, end := s.last[0], s.last[1]
	s.last = noLeaf
	if start < 0 {
		return
	}
	r.cut(tcut{start: start, end: end, op: op}, dst, n)
}

// member is claim and value for a member field.
func (r *frecorder) member(s *fscan, op tplOp, dst unsafe.Pointer, n uintptr) {
	r.claim(dst, n)
	r.value(s, op, dst, n)
}

// part is value for a part of a member, read at most once (its bit in seen).
func (r *frecorder) part(s *fscan, seen *uint8, bit uint8, op tplOp, dst unsafe.Pointer, n uintptr) {
	if *seen&bit != 0 {
		r.bad = true
	}
	*seen |= bit
	r.value(s, op, dst, n)
}

// skipped notes the text [start, end) of an element the fast decoder skips: a document whose
// text differs there is decoded alike, so it is a cut that is read into nothing.
func (r *frecorder) skipped(start, end int) {
	if len(r.cuts) > 0 && int32(start) < r.cuts[len(r.cuts)-1].end {
		r.bad = true
		return
	}
	r.cuts = append(r.cuts, tcut{start: int32(start), end: int32(end), op: opSkipped})
}

// mark notes a position of the document (opRawStart, opRawEnd).
func (r *frecorder) mark(at int, op tplOp, dst unsafe.Pointer, n uintptr) {
	r.cut(tcut{start: int32(at), end: int32(at), op: op}, dst, n)
}

func (r *frecorder) cut(c tcut, dst unsafe.Pointer, n uintptr) {
	off, ok := r.offset(dst, n)
	if !ok || (len(r.cuts) > 0 && c.start < r.cuts[len(r.cuts)-1].end) {
		r.bad = true
		return
	}
	c.off, c.elem = off, r.list.elem
	r.cuts = append(r.cuts, c)
}

// noLeaf is fscan.last when no leaf text is there to note.
var noLeaf = [2]int32{-1, -1}

// set makes t the template of doc, decoded into ev, with r's cuts.
func (t *eventTemplate) set(r *frecorder, doc []byte, ev memberEvent) {
	t.ok = !r.bad
	if !t.ok {
		return
	}
	t.doc = append(t.doc[:0], doc...)
	t.cuts = append(t.cuts[:0], r.cuts...)
	t.lits, t.tail = t.lits[:0], ""
	tpos := 0
	for _, c := range t.cuts {
		t.lits = append(t.lits, tlit{lit: bytesView(t.doc[tpos:c.start]), val: bytesView(t.doc[c.start:c.end])})
		tpos = int(c.end)
	}
	t.tail = bytesView(t.doc[tpos:])
	t.kind = r.kind
	_, t.ev = r.kind.clone(reflect.ValueOf(ev).UnsafePointer())
	t.ownLists() // the caller has ev's
}

// match reports whether data has t's bytes everywhere but at the cuts, and at each cut
// character data that is not white space only (noted in runs, by cut).
func (t *eventTemplate) match(data []byte, runs []trun) ([]trun, bool) {
	rest := data // what follows the last cut matched
	for i := range t.lits {
		l := &t.lits[i]
		if len(rest) < len(l.lit) || string(rest[:len(l.lit)]) != l.lit {
			return runs, false
		}
		rest = rest[len(l.lit):]
		start := int32(len(data) - len(rest))
		n := len(l.val)
		if n == 0 {
			runs = append(runs, trun{start: start, end: start})
			continue
		}
		// The template's value again (a state, a cause, a party that did not change) needs
		// no check: the template's run was checked, and it ends at the same '<'. A value of
		// the template's length, ending at the same '<', of text bytes only, is the run
		// textRun reads, checked a word at a time (identifiers, stamps and states keep their
		// length from event to event).
		if len(rest) > n && rest[n] == '<' {
			if string(rest[:n]) == l.val {
				rest = rest[n:]
				runs = append(runs, trun{start: start, end: start + int32(n), same: true})
				continue
			}
			if textWords(rest, 0, n) {
				rest = rest[n:]
				runs = append(runs, trun{start: start, end: start + int32(n)})
				continue
			}
		}
		s := fscan{b: data, i: int(start)}
		_, entity, space, ok := s.textRun()
		if !ok || space {
			return runs, false
		}
		rest = data[s.i:]
		runs = append(runs, trun{start: start, end: int32(s.i), entity: entity})
	}
	return runs, string(rest) == t.tail
}

// replay decodes data, which fits t (match gave runs): t's event with the cuts' values read
// from data.
func (d *xdoc) replay(t *eventTemplate, data []byte, runs []trun) (Message, bool) {
	ev, base := d.cloneEvent(t.kind, t.ev)
	s := fscan{b: data, d: d}
	raw := 0
	var items unsafe.Pointer // the first item of the list being replayed
	var dev devMemo
	runs = runs[:len(t.cuts)]
	for i := range t.cuts {
		c, r := &t.cuts[i], &runs[i]
		if r.same {
			continue // the template's value, which its event holds already (never a mark)
		}
		switch c.op {
		case opList:
			items = d.ownBlockList(unsafe.Add(base, c.off))
		case opRawStart:
			raw = int(r.start)
		case opRawEnd:
			*(*[]byte)(unsafe.Add(base, c.off)) = d.rawBytes(data[raw:r.start])
		case opSkipped:
		case opDevice:
			p, run := cutField(base, items, c), data[r.start:r.end]
			if !dev.recall(run, p) {
				*(*DeviceID)(p) = Device(s.value(run, r.entity))
				dev.note(run, p)
			}
		default:
			if !s.apply(c, cutField(base, items, c), data[r.start:r.end], r.entity) {
				return nil, false
			}
		}
	}
	return ev, true
}

// devMemo is the last device (opDevice) a replay read: an event names one party in several
// members (a DeliveredEvent's connection, alerting and called device), and the same text run
// is the same DeviceID (Device of the same value: the run's references, if any, are the same
// too), read once.
type devMemo struct {
	run []byte
	dev DeviceID
	ok  bool
}

// recall sets the device at p to the memo's when run is the memo's text.
func (m *devMemo) recall(run []byte, p unsafe.Pointer) bool {
	if !m.ok || string(run) != string(m.run) {
		return false
	}
	*(*DeviceID)(p) = m.dev
	return true
}

// note makes the device just read into p from run the memo's.
func (m *devMemo) note(run []byte, p unsafe.Pointer) {
	m.run, m.dev, m.ok = run, *(*DeviceID)(p), true
}

// apply reads a cut's text run into its field p as the fast decoder reads it.
func (s *fscan) apply(c *tcut, p unsafe.Pointer, run []byte, entity bool) bool {
	switch c.op {
	case opText:
		*(*string)(p) = s.value(run, entity)
	case opDevice, opDeviceIntl:
		dev := Device(s.value(run, entity))
		if c.op == opDeviceIntl && dev.Number != "" && dev.Number[0] != '+' {
			dev.Number = "+" + dev.Number
		}
		*(*DeviceID)(p) = dev
	case opBool:
		v := s.value(run, entity)
		*(*bool)(p) = v == "true" || v == "1" || v == "TRUE" || v == "True"
	case opInt:
		n, ok := digitsOf(s.value(run, entity))
		if !ok {
			return false
		}
		*(*int)(p) = n
	case opTime:
		stamp := bytesView(trimASCIISpace(run)) // parsed, not kept
		if entity {
			stamp = s.value(run, true)
		}
		*(*time.Time)(p) = s.d.stamps.stamp(stamp)
	default:
		return false
	}
	return true
}

// eventTemplates are a link decoder's templates, by the nameTable slot of the root's name.
type eventTemplates struct {
	bySlot [nameTableSize]*kindTemplates
	rec    frecorder
	runs   []trun
	blocks []eventBlock         // by eventKind.id
	items  []ConnectionListItem // the block replayed lists are cut from (ownBlockList)
	// Documents of an event kind read, and those replayed by a template (the hit rate).
	docs, replays uint64
}

// newLinkDoc is newDoc for a link's reader, which keeps event templates.
func newLinkDoc() *xdoc {
	d := newDoc()
	d.tmpl = &eventTemplates{blocks: newBlocks()}
	return d
}

// decodeEvent is decodeFastEvent by a template of slot (the root's name) when data fits
// one, recording data as the latest template otherwise.
func (d *xdoc) decodeEvent(data []byte, slot int) (Message, bool) {
	if d.tmpl == nil || slot < 0 {
		return d.decodeFastEvent(data, nil)
	}
	d.tmpl.docs++
	k := d.tmpl.bySlot[slot]
	if k == nil {
		k = new(kindTemplates)
		d.tmpl.bySlot[slot] = k
	}
	if k.wait > 0 {
		k.wait--
		return d.decodeFastEvent(data, nil)
	}
	tried := false
	for i := range k.t {
		t := &k.t[i]
		if !t.ok {
			continue
		}
		tried = true
		runs, fits := t.match(data, d.tmpl.runs[:0])
		d.tmpl.runs = runs
		if !fits {
			continue
		}
		if m, ok := d.replay(t, data, runs); ok {
			k.toFront(i)
			k.miss = 0
			d.tmpl.replays++
			return m, true
		}
	}
	if tried {
		k.miss = min(k.miss+1, maxTemplateMiss)
		k.wait = 1<<max(k.miss, freeMisses)>>freeMisses - 1
	}
	m, ok := d.decodeFastEvent(data, &d.tmpl.rec)
	if !ok {
		return nil, false
	}
	last := len(k.t) - 1
	k.t[last].set(&d.tmpl.rec, data, m.(memberEvent)) // in place of the least recently used
	k.toFront(last)
	return m, true
}

// toFront makes template i the first, the ones before it each one place later (their buffers
// move with them: a template's arrays are reused when it is set again).
func (k *kindTemplates) toFront(i int) {
	if i == 0 {
		return
	}
	t := k.t[i]
	copy(k.t[1:i+1], k.t[:i])
	k.t[0] = t
}

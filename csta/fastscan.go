package csta

import (
	"encoding/binary"
	"unsafe"
)

// The fast event decoder's scanner (codec_fastevent.go): it reads the one form of XML that
// switches send events in, straight off the bytes, without building the element tree. It
// accepts a subset of what parseXML accepts: names of ASCII letters, digits, '_', '-', '.'
// with at most one prefix; attributes quoted with plain ASCII values; character data of
// printable ASCII, tab and LF with the five predefined entities; no mixed content where a
// value is read. Anything else (comments, CDATA, character references, CR, non-ASCII, ']',
// a second processing instruction, deep nesting) makes it give up, and the caller falls back
// to the generic decoder, which then gives its own result or error.

// fscan is a position in a document being read by the fast event decoder.
type fscan struct {
	b     []byte
	i     int
	depth int
	d     *xdoc // the text block values are copied into (str)
	// For a template (fasttemplate.go): the span of the text of the last leaf read (noLeaf
	// when it had none), whether the device being read is an explicitPublic international,
	// and the recorder (nil when the document is not recorded).
	last [2]int32
	intl bool
	rec  *frecorder
}

// ftag is a start tag just read, as offsets into the document (it is passed around a lot).
type ftag struct {
	start int32 // offset of '<'
	local int32 // offset of the local name (after the prefix's ':')
	end   int32 // end of the name
	empty bool  // <x/>
}

func (s *fscan) local(t ftag) []byte { return s.b[t.local:t.end] }

// localView is t's local name as a string over the document's bytes (a name is never
// empty): for comparing and looking up only, never to keep.
func (s *fscan) localView(t ftag) string {
	return unsafe.String(&s.b[t.local], int(t.end-t.local))
}

// fastMaxDepth is well below parseXML's maxDepth, so the fast path never takes a document the
// generic decoder refuses for its nesting.
const fastMaxDepth = 24

// Classes of a byte for the fast scanner, as bits so that a run is checked with one table
// load and one test per byte.
const (
	ftText   = 1 << iota // printable ASCII but space, '<', '&', ']'
	ftSpace              // space, tab, LF
	ftLT                 // '<': character data ends
	ftAmp                // '&': a predefined entity must follow
	ftRefuse             // anything the fast scanner leaves to parseXML: CR, ']', controls, non-ASCII
	ftQuote              // '"' or '\'': ends an attribute value
	ftAttr               // may stand in an attribute value: ftText but quotes, and space
)

var fastClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '<':
			t[c] = ftLT
		case c == '&':
			t[c] = ftAmp
		case c == ' ' || c == '\t' || c == '\n':
			t[c] = ftSpace
		case c == ']' || c >= 0x7F || c < 0x20:
			t[c] = ftRefuse
		case c == '"' || c == '\'':
			t[c] = ftText | ftQuote
		default:
			t[c] = ftText
		}
		if c == ' ' || t[c] == ftText {
			t[c] |= ftAttr
		}
	}
	return t
}()

var fastNameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isNameByte(byte(c))
	}
	return t
}()

func isFastNameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// name reads a qualified name at s.i, [prefix:]local, both ASCII, and returns where its
// local part starts; ok is false when there is none.
func (s *fscan) name() (local int, ok bool) {
	b, start := s.b, s.i
	if start >= len(b) || !isFastNameStart(b[start]) {
		return 0, false
	}
	local = start
	i := nameRun(b, start+1)
	if i+1 < len(b) && b[i] == ':' && isFastNameStart(b[i+1]) {
		local = i + 1
		i = nameRun(b, i+2)
	}
	s.i = i
	return local, true
}

// nameRun is the end of the name bytes from b[i] on (a loop of its own: the scanner's
// hottest, once per byte of every element name).
func nameRun(b []byte, i int) int {
	for i < len(b) && fastNameByte[b[i]] {
		i++
	}
	return i
}

func (s *fscan) skipSpace() int {
	n := 0
	for s.i < len(s.b) && isSpaceByte(s.b[s.i]) {
		s.i++
		n++
	}
	return n
}

// startTag reads `<name attr="v" ...>` or `<name .../>` at s.i ('<').
func (s *fscan) startTag() (ftag, bool) {
	t := ftag{start: int32(s.i)}
	s.i++
	local, ok := s.name()
	if !ok {
		return t, false
	}
	t.local, t.end = int32(local), int32(s.i)
	// Most elements have no attributes.
	if s.i < len(s.b) && s.b[s.i] == '>' {
		s.i++
		return t, true
	}
	if s.i+1 < len(s.b) && s.b[s.i] == '/' && s.b[s.i+1] == '>' {
		s.i += 2
		t.empty = true
		return t, true
	}
	t.empty, ok = s.attributes()
	return t, ok
}

// attributes reads the attributes of a start tag and its end, '>' or '/>' (empty).
func (s *fscan) attributes() (empty, ok bool) {
	var seen [4][]byte
	nseen := 0
	for {
		sp := s.skipSpace()
		if s.i >= len(s.b) {
			return false, false
		}
		switch s.b[s.i] {
		case '>':
			s.i++
			return false, true
		case '/':
			if s.i+1 < len(s.b) && s.b[s.i+1] == '>' {
				s.i += 2
				return true, true
			}
			return false, false
		}
		if sp == 0 || nseen == len(seen) {
			return false, false
		}
		start := s.i
		if _, ok := s.name(); !ok {
			return false, false
		}
		an := s.b[start:s.i]
		for _, prev := range seen[:nseen] {
			if string(prev) == string(an) {
				return false, false
			}
		}
		seen[nseen] = an
		nseen++
		if !s.attrValue() {
			return false, false
		}
	}
}

// attrValue reads `="value"` (or single quotes) after an attribute name; the value must be
// printable ASCII without '<' and '&'.
func (s *fscan) attrValue() bool {
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '=' {
		return false
	}
	s.i++
	s.skipSpace()
	if s.i >= len(s.b) || (s.b[s.i] != '"' && s.b[s.i] != '\'') {
		return false
	}
	b, q := s.b, s.b[s.i]
	for i := s.i + 1; ; i++ {
		for i < len(b) && fastClass[b[i]]&ftAttr != 0 {
			i++
		}
		if i >= len(b) || fastClass[b[i]]&ftQuote == 0 {
			return false
		}
		if b[i] == q {
			s.i = i + 1
			return true
		}
	}
}

// endTag reads the end tag of t (white space allowed before '>') at s.i.
func (s *fscan) endTag(t ftag) bool {
	b := s.b[s.i:]
	q := s.b[t.start+1 : t.end]
	n := len(q)
	if len(b) < n+3 || b[0] != '<' || b[1] != '/' || string(b[2:2+n]) != string(q) {
		return false
	}
	if b[2+n] == '>' {
		s.i += n + 3
		return true
	}
	s.i += 2 + n
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '>' {
		return false
	}
	s.i++
	return true
}

// textRun reads character data up to the next '<', checking it; entity says whether it has
// references, space whether it is white space only.
func (s *fscan) textRun() (run []byte, entity, space, ok bool) {
	rest := s.b[s.i:]
	var seen uint8
	i := 0
	for i+8 <= len(rest) && textWord(binary.LittleEndian.Uint64(rest[i:])) {
		seen = ftText // identifiers and stamps are runs of such words
		i += 8
	}
	for {
		for i < len(rest) && fastClass[rest[i]]&(ftLT|ftAmp|ftRefuse) == 0 {
			seen |= fastClass[rest[i]]
			i++
		}
		if i >= len(rest) || rest[i] != '&' {
			break
		}
		n := entityLen(rest[i:])
		if n == 0 {
			return nil, false, false, false
		}
		entity = true
		seen |= ftText
		i += n
	}
	if i >= len(rest) || rest[i] != '<' {
		return nil, false, false, false // refused byte, or the document ends inside an element
	}
	s.i += i
	return rest[:i], entity, seen&ftText == 0, true
}

// textWord reports whether the eight bytes of x are all ftText: printable ASCII but space,
// '<', '&' and ']'. Each test is exact for a word of ASCII bytes (the first term refuses
// others): a borrow out of a byte happens only past a byte that makes the test true itself.
func textWord(x uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	lt, amp, rb := x^(lsb*'<'), x^(lsb*'&'), x^(lsb*']')
	return (x|(x-lsb*0x21)|(x+lsb)|(lt-lsb)|(amp-lsb)|(rb-lsb))&msb == 0
}

// textWords reports whether the n > 0 bytes at b[i:] are all ftText (textWord), a word at a
// time: the last word overlaps the one before it, and a value shorter than a word is read
// with the bytes after it (b must hold eight from i) taken as text.
func textWords(b []byte, i, n int) bool {
	if n <= 0 || i < 0 || i+max(n, 8) > len(b) {
		return false
	}
	if n < 8 {
		keep := uint64(1)<<(8*n) - 1
		return textWord(binary.LittleEndian.Uint64(b[i:])&keep | 0x6161616161616161&^keep)
	}
	end := i + n - 8
	for ; i < end; i += 8 {
		if !textWord(binary.LittleEndian.Uint64(b[i:])) {
			return false
		}
	}
	return textWord(binary.LittleEndian.Uint64(b[end:]))
}

// entityLen is the length of the predefined entity reference at b[0] ('&'), 0 for another.
func entityLen(b []byte) int {
	for _, e := range [...]string{"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"} {
		if len(b) >= len(e) && string(b[:len(e)]) == e {
			return len(e)
		}
	}
	return 0
}

// atChild reports whether a child element's start tag is at s.i.
func (s *fscan) atChild() bool {
	return s.i+1 < len(s.b) && s.b[s.i] == '<' && isFastNameStart(s.b[s.i+1])
}

// open reads the content of t up to its first child or through its end tag. A leaf's text
// (trimmed, entities decoded, copied) is returned with leaf set; otherwise s.i is at the
// first child's '<', and the text before it was white space.
func (s *fscan) open(t ftag) (text string, leaf, ok bool) {
	run, entity, leaf, ok := s.openRun(t)
	if !leaf || len(run) == 0 {
		return "", leaf, ok
	}
	return s.value(run, entity), true, ok
}

// openRun is open with a leaf's text as it stands in the document (nil when it is white
// space only).
func (s *fscan) openRun(t ftag) (run []byte, entity, leaf, ok bool) {
	s.last = noLeaf
	if t.empty {
		return nil, false, true, true
	}
	start := s.i
	run, entity, space, ok := s.textRun()
	if !ok {
		return nil, false, false, false
	}
	if s.endTag(t) {
		if space {
			return nil, false, true, true
		}
		s.last = [2]int32{int32(start), int32(start + len(run))}
		return run, entity, true, true
	}
	if !space || !s.atChild() {
		return nil, false, false, false // mixed content, comment, CDATA, ...: parseXML's
	}
	return nil, false, false, true
}

// leaf reads t's content, which must be character data only.
func (s *fscan) leaf(t ftag) (string, bool) {
	text, leaf, ok := s.open(t)
	return text, ok && leaf
}

// leafView is leaf for a value that is looked at and dropped while the document is read:
// without entity references it is a view of the document's bytes, not a copy.
func (s *fscan) leafView(t ftag) (string, bool) {
	run, entity, leaf, ok := s.openRun(t)
	if !ok || !leaf {
		return "", false
	}
	if entity {
		return s.value(run, true), true
	}
	return bytesView(trimASCIISpace(run)), true
}

// next reads white space, then the next child's start tag (more) or the end tag of parent.
func (s *fscan) next(parent ftag) (child ftag, more, ok bool) {
	if s.i < len(s.b) && s.b[s.i] != '<' {
		if _, _, space, ok := s.textRun(); !ok || !space {
			return child, false, false
		}
	}
	if s.i+1 >= len(s.b) {
		return child, false, false
	}
	if s.b[s.i+1] == '/' {
		return child, false, s.endTag(parent)
	}
	if !isFastNameStart(s.b[s.i+1]) {
		return child, false, false
	}
	child, ok = s.startTag()
	return child, ok, ok
}

// enter and leave bound the nesting of elements being read.
func (s *fscan) enter() bool { s.depth++; return s.depth < fastMaxDepth }
func (s *fscan) leave()      { s.depth-- }

// skip reads and discards t's content, checking it as the fast scanner checks everything.
func (s *fscan) skip(t ftag) bool {
	if t.empty {
		return true
	}
	if !s.enter() {
		return false
	}
	for {
		start := s.i
		_, _, space, ok := s.textRun()
		if !ok {
			return false
		}
		if !space && s.rec != nil {
			s.rec.skipped(start, s.i)
		}
		if s.endTag(t) {
			s.leave()
			return true
		}
		if !s.atChild() {
			return false
		}
		c, ok := s.startTag()
		if !ok || !s.skip(c) {
			return false
		}
	}
}

// value copies a text run into the document's text block, trimmed and with its entity
// references decoded.
func (s *fscan) value(run []byte, entity bool) string {
	run = trimASCIISpace(run)
	if !entity {
		return s.d.str(run)
	}
	d := s.d
	if len(run) > cap(d.text)-len(d.text) {
		d.text = make([]byte, 0, max(textArena, len(run)))
	}
	n := len(d.text)
	for i := 0; i < len(run); {
		c := run[i]
		if c != '&' {
			d.text = append(d.text, c)
			i++
			continue
		}
		switch run[i+1] {
		case 'l':
			d.text = append(d.text, '<')
		case 'g':
			d.text = append(d.text, '>')
		case 'q':
			d.text = append(d.text, '"')
		case 'a':
			if run[i+2] == 'm' {
				d.text = append(d.text, '&')
			} else {
				d.text = append(d.text, '\'')
			}
		}
		i += entityLen(run[i:])
	}
	return d.strAt(n)
}

func trimASCIISpace(b []byte) []byte {
	for len(b) > 0 && isSpaceByte(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpaceByte(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// strAt returns the bytes appended to the text block since n as a string (see str).
func (d *xdoc) strAt(n int) string {
	if len(d.text) == n {
		return ""
	}
	return unsafe.String(&d.text[n], len(d.text)-n)
}

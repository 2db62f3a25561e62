package csta

import "bytes"

// A fast path for the four small messages of a resync: a switchover with 100,000 devices
// sends 100,000 MonitorStart and SnapshotDevice requests and gets as many responses, nearly
// all in the one shape this codec writes them in (most switches write the same). Such a
// document is recognised byte by byte, without building the element tree; anything else
// (other prefixes or namespaces declared otherwise, white space, optional elements,
// entities, comments, non-ASCII text) goes to the generic decoder, which gives the same
// result for every document the fast path takes (TestDecodeFastEquivalence, FuzzDecodeFast).

// fastShape is one message's document: the root's content is before, a text, after (or
// before alone when there is no text).
type fastShape struct {
	root    string
	before  string
	after   string
	hasText bool
	empty   string // when set, a second accepted content without text (<x/> for <x></x>)
	build   func(text []byte) Message
}

var fastShapes = []fastShape{
	{root: "MonitorStartResponse", before: "<monitorCrossRefID>", after: "</monitorCrossRefID>", hasText: true,
		build: func(t []byte) Message { return &MonitorStartResponse{MonitorCrossRefID: MonitorCrossRefID(t)} }},
	{root: "SnapshotDeviceResponse",
		before: "<crossRefIDorSnapshotData><snapshotData></snapshotData></crossRefIDorSnapshotData>",
		empty:  "<crossRefIDorSnapshotData><snapshotData/></crossRefIDorSnapshotData>",
		build:  func([]byte) Message { return &SnapshotDeviceResponse{} }},
	{root: "MonitorStart", before: "<monitorObject><deviceObject>", after: "</deviceObject></monitorObject>", hasText: true,
		build: func(t []byte) Message { return &MonitorStart{MonitorObject: Device(string(t))} }},
	{root: "SnapshotDevice", before: "<snapshotObject>", after: "</snapshotObject>", hasText: true,
		build: func(t []byte) Message { return &SnapshotDevice{SnapshotObject: Device(string(t))} }},
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>`

// decodeFast decodes data when it is one of fastShapes exactly, or an event the fast event
// decoder takes (codec_fastevent.go); ok is false otherwise.
func (d *xdoc) decodeFast(data []byte) (m Message, ok bool) {
	// White space may follow the declaration (OpenScape Voice sends a line break there).
	b := bytes.TrimPrefix(data, []byte(xmlDecl))
	for len(b) > 0 && isSpaceByte(b[0]) { // bytes.TrimLeft builds its set on every call
		b = b[1:]
	}
	if len(b) < 2 || b[0] != '<' {
		return d.decodeFastEvent(data, nil)
	}
	n := 1
	for n < len(b) && isNameByte(b[n]) {
		n++
	}
	root := b[1:n]
	var s *fastShape
	for i := range fastShapes {
		if string(root) == fastShapes[i].root {
			s = &fastShapes[i]
			break
		}
	}
	if s == nil {
		return d.decodeEvent(data, nameSlot(root))
	}
	b, ok = skipRootTag(b[n:])
	if !ok {
		return nil, false
	}
	if b, ok = trimRootEnd(b, root); !ok {
		return nil, false
	}
	return s.match(b)
}

// trimRootEnd cuts `</root>` off the end of b; nothing may follow it.
func trimRootEnd(b, root []byte) ([]byte, bool) {
	n := len(b) - len(root) - 3
	if n < 0 || string(b[n:n+2]) != "</" || string(b[n+2:len(b)-1]) != string(root) || b[len(b)-1] != '>' {
		return nil, false
	}
	return b[:n], true
}

// match decodes the root's content b when it is the shape's.
func (s *fastShape) match(b []byte) (Message, bool) {
	if !s.hasText {
		if string(b) == s.before || (s.empty != "" && string(b) == s.empty) {
			return s.build(nil), true
		}
		return nil, false
	}
	if len(b) < len(s.before)+len(s.after) || !bytes.HasPrefix(b, []byte(s.before)) || !bytes.HasSuffix(b, []byte(s.after)) {
		return nil, false
	}
	text := b[len(s.before) : len(b)-len(s.after)]
	for _, c := range text {
		if !plainTextByte(c) {
			return nil, false
		}
	}
	return s.build(text), true
}

// skipRootTag skips the rest of the root's start tag: ">" or ` xmlns="namespace">`.
func skipRootTag(b []byte) ([]byte, bool) {
	if len(b) > 0 && b[0] == '>' {
		return b[1:], true
	}
	const open = ` xmlns="`
	if !bytes.HasPrefix(b, []byte(open)) {
		return nil, false
	}
	b = b[len(open):]
	q := bytes.IndexByte(b, '"')
	if q < 0 || q+1 >= len(b) || b[q+1] != '>' {
		return nil, false
	}
	for _, c := range b[:q] {
		if !plainTextByte(c) {
			return nil, false
		}
	}
	return b[q+2:], true
}

// isNameByte: the ASCII bytes of an element name without a prefix.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

// plainTextByte: printable ASCII that needs no unescaping, trimming or checking in character
// data or an attribute value (no space, '<', '&', '>', ']', quotes).
func plainTextByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '<' && c != '&' && c != '>' && c != ']' && c != '"' && c != '\''
}

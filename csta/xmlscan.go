package csta

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A purpose-built XML scanner. encoding/xml with reflection costs tens of microseconds and
// dozens of allocations per CSTA event; the bridge decodes every event of every monitored
// device, so this scanner builds a flat element tree in one pass with few allocations.
// It accepts the XML that switches send (namespaces and prefixes, comments, processing
// instructions, CDATA, character and predefined entity references) and rejects DOCTYPE
// declarations and anything malformed. It is fuzzed differentially against encoding/xml.

// xnode is one element. Children form a singly linked list by index into xdoc.nodes.
type xnode struct {
	local      string // local name (prefix stripped)
	prefix     string
	first      int32 // first child, -1 if none
	last       int32 // last child while parsing
	next       int32 // next sibling, -1 if none
	start, end int32 // byte span of the whole element in src
	// Character data: the first raw segment as a span; decoded text when the element had
	// entities, CDATA or several segments (then cooked is set).
	tStart, tEnd int32
	cooked       bool
	text         string
}

// xdoc is a parsed document; node 0 is the root element. It is also the decoder's state
// from one document to the next (text block, recent values), so one goroutine uses it at a
// time: a link's reader keeps its own, Decode takes one from docPool.
type xdoc struct {
	src    []byte
	text   []byte // block that text values are copied into (str); never rewritten
	raws   []byte // block that raw copies are cut from (rawBytes); never rewritten
	nodes  []xnode
	rootNS string // namespace of the root element, if declared
	// values are recent text values by a hash of their bytes (str): device and call IDs,
	// cross-reference IDs and states repeat from event to event, and a repeated one is
	// then neither copied nor given block space.
	values [valueSlots]string
	tmpl   *eventTemplates // a link reader's event templates (newLinkDoc), nil for others
	stamps stampCache      // the minute of the last timestamp read by the fast decoder
}

// DecodeError reports malformed XML or a message whose content is invalid.
type DecodeError struct {
	Offset  int    // byte offset in the document, -1 when not positional
	Message string // message name, when known
	Reason  string
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("csta: decode")
	if e.Message != "" {
		b.WriteString(" " + e.Message)
	}
	if e.Offset >= 0 {
		b.WriteString(" at byte " + strconv.Itoa(e.Offset))
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

func scanErr(off int, format string, args ...any) error {
	return &DecodeError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// maxDepth bounds nesting so hostile input cannot make the stack grow without limit.
const maxDepth = 64

// parseXML scans src into d, reusing d's node slice.
func parseXML(d *xdoc, src []byte) error {
	d.src = src
	d.nodes = d.nodes[:0]
	d.rootNS = ""
	if len(src) > 1<<30 {
		return scanErr(0, "document too large")
	}
	var stack [maxDepth]int32
	depth := 0
	rootDone := false
	i := 0
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	for i < len(src) {
		lt := bytes.IndexByte(src[i:], '<')
		if lt < 0 {
			lt = len(src) - i
		}
		if lt > 0 {
			seg := src[i : i+lt]
			if depth == 0 {
				if !isSpace(seg) {
					return scanErr(i, "text outside the root element")
				}
			} else if err := d.addText(stack[depth-1], i, seg, false); err != nil {
				return err
			}
			i += lt
			if i >= len(src) {
				break
			}
		}
		// src[i] == '<'
		rest := src[i:]
		var second byte
		if len(rest) > 1 {
			second = rest[1]
		}
		switch {
		case second != '?' && second != '!' && second != '/':
			if rootDone {
				return scanErr(i, "second root element")
			}
			if depth == maxDepth {
				return scanErr(i, "elements nested deeper than %d", maxDepth)
			}
			idx, n, selfClose, err := d.startTag(src, i, depth == 0)
			if err != nil {
				return err
			}
			if depth > 0 {
				parent := &d.nodes[stack[depth-1]]
				if parent.last >= 0 {
					d.nodes[parent.last].next = idx
				} else {
					parent.first = idx
				}
				parent.last = idx
			}
			i += n
			if selfClose {
				d.nodes[idx].end = int32(i)
				if depth == 0 {
					rootDone = true
				}
			} else {
				stack[depth] = idx
				depth++
			}
		case second == '/':
			if depth == 0 {
				return scanErr(i, "unexpected end tag")
			}
			top := &d.nodes[stack[depth-1]]
			n := endNameLen(rest[2:], top.prefix, top.local)
			if n == 0 {
				return scanErr(i, "end tag without a name")
			}
			name := rest[2 : 2+n]
			j := 2 + n
			for j < len(rest) && isSpaceByte(rest[j]) {
				j++
			}
			if j >= len(rest) || rest[j] != '>' {
				return scanErr(i, "malformed end tag")
			}
			if !sameQName(name, top.prefix, top.local) {
				return scanErr(i, "end tag </%s> does not match <%s>", name, qname(top.prefix, top.local))
			}
			top.end = int32(i + j + 1)
			depth--
			if depth == 0 {
				rootDone = true
			}
			i += j + 1
		case second == '?':
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				return scanErr(i, "unterminated processing instruction")
			}
			target := rest[2 : 2+end]
			if depth > 0 || rootDone || len(d.nodes) > 0 {
				if n := nameLen(target); n == 3 && strings.EqualFold(string(target[:3]), "xml") {
					return scanErr(i, "XML declaration not at the start")
				}
			}
			if nameLen(target) == 0 {
				return scanErr(i, "processing instruction without target")
			}
			i += 2 + end + 2
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return scanErr(i, "unterminated comment")
			}
			if bytes.Contains(rest[4:4+end], []byte("--")) {
				return scanErr(i, "'--' inside comment")
			}
			i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest[9:], []byte("]]>"))
			if end < 0 {
				return scanErr(i, "unterminated CDATA section")
			}
			if depth == 0 {
				return scanErr(i, "CDATA outside the root element")
			}
			if err := d.addText(stack[depth-1], i+9, rest[9:9+end], true); err != nil {
				return err
			}
			i += 9 + end + 3
		case bytes.HasPrefix(rest, []byte("<!")):
			return scanErr(i, "DOCTYPE and other declarations are not accepted")
		default:
			return scanErr(i, "malformed markup")
		}
	}
	if depth > 0 {
		return scanErr(len(src), "unexpected end of document inside <%s>", d.nodes[stack[depth-1]].local)
	}
	if !rootDone {
		return scanErr(len(src), "no root element")
	}
	return nil
}

// startTag parses `<name attr="v" ...>` at src[i]; returns the node index and bytes consumed.
func (d *xdoc) startTag(src []byte, i int, root bool) (int32, int, bool, error) {
	rest := src[i:]
	n := nameLen(rest[1:])
	if n == 0 {
		return 0, 0, false, scanErr(i, "'<' not followed by a name")
	}
	name := rest[1 : 1+n]
	prefix, local := splitQName(name)
	if local == "" {
		return 0, 0, false, scanErr(i, "invalid element name %q", name)
	}
	node := xnode{local: local, prefix: prefix, first: -1, last: -1, next: -1, start: int32(i), tStart: -1}
	j := 1 + n
	// Most elements have no attributes: <name> and <name/> need none of the loop below.
	if j < len(rest) && rest[j] == '>' {
		d.nodes = append(d.nodes, node)
		return int32(len(d.nodes) - 1), j + 1, false, nil
	}
	if j+1 < len(rest) && rest[j] == '/' && rest[j+1] == '>' {
		d.nodes = append(d.nodes, node)
		return int32(len(d.nodes) - 1), j + 2, true, nil
	}
	var seen [8][]byte // attribute names, to reject duplicates in the common small case
	nseen := 0
	for {
		sp := j
		for j < len(rest) && isSpaceByte(rest[j]) {
			j++
		}
		if j >= len(rest) {
			return 0, 0, false, scanErr(i, "unterminated start tag <%s>", name)
		}
		if rest[j] == '>' {
			j++
			break
		}
		if rest[j] == '/' {
			if j+1 < len(rest) && rest[j+1] == '>' {
				d.nodes = append(d.nodes, node)
				return int32(len(d.nodes) - 1), j + 2, true, nil
			}
			return 0, 0, false, scanErr(i+j, "'/' not followed by '>' in <%s>", name)
		}
		if sp == j {
			return 0, 0, false, scanErr(i+j, "attributes of <%s> must be separated by space", name)
		}
		an := nameLen(rest[j:])
		if an == 0 {
			return 0, 0, false, scanErr(i+j, "invalid attribute in <%s>", name)
		}
		aname := rest[j : j+an]
		j += an
		for j < len(rest) && isSpaceByte(rest[j]) {
			j++
		}
		if j >= len(rest) || rest[j] != '=' {
			return 0, 0, false, scanErr(i+j, "attribute %s of <%s> has no value", aname, name)
		}
		j++
		for j < len(rest) && isSpaceByte(rest[j]) {
			j++
		}
		if j >= len(rest) || (rest[j] != '"' && rest[j] != '\'') {
			return 0, 0, false, scanErr(i+j, "attribute %s of <%s> is not quoted", aname, name)
		}
		q := rest[j]
		end := bytes.IndexByte(rest[j+1:], q)
		if end < 0 {
			return 0, 0, false, scanErr(i+j, "unterminated value of attribute %s", aname)
		}
		raw := rest[j+1 : j+1+end]
		if bytes.IndexByte(raw, '<') >= 0 {
			return 0, 0, false, scanErr(i+j, "'<' in value of attribute %s", aname)
		}
		j += end + 2
		for k := 0; k < nseen; k++ {
			if bytes.Equal(seen[k], aname) {
				return 0, 0, false, scanErr(i, "duplicate attribute %s in <%s>", aname, name)
			}
		}
		if nseen < len(seen) {
			seen[nseen] = aname
			nseen++
		}
		// Only the root's namespace declaration is kept; other values are checked, not copied.
		isNS := root && ((prefix == "" && string(aname) == "xmlns") || (prefix != "" && sameQName(aname, "xmlns", prefix)))
		if bytes.IndexByte(raw, '&') < 0 {
			if !utf8.Valid(raw) {
				return 0, 0, false, scanErr(i+j, "invalid UTF-8")
			}
			if isNS {
				d.rootNS = intern(raw) // the editions' namespaces are known names
			}
			continue
		}
		val, err := unescape(raw, i+j)
		if err != nil {
			return 0, 0, false, err
		}
		if isNS {
			d.rootNS = val
		}
	}
	d.nodes = append(d.nodes, node)
	return int32(len(d.nodes) - 1), j, false, nil
}

// addText records character data for node idx. Only the trimmed concatenation is ever read,
// so white space before any text is dropped without allocating (pretty-printed documents have
// it between every pair of elements).
func (d *xdoc) addText(idx int32, off int, seg []byte, cdata bool) error {
	nd := &d.nodes[idx]
	hasText := nd.cooked || nd.tStart >= 0
	// One pass over the segment classifies it; the common text (ASCII, no entity, no CR)
	// needs no other.
	var all uint8 = clsSpace | clsTextSpecial
	var any uint8
	for _, c := range seg {
		k := byteClass[c]
		all &= k
		any |= k
	}
	if !hasText && all&clsSpace != 0 {
		return nil // white space only (or empty)
	}
	if any&clsTextSpecial == 0 {
		if !hasText {
			nd.tStart, nd.tEnd = int32(off), int32(off+len(seg))
			return nil
		}
		return d.addCooked(nd, off, seg, cdata)
	}
	if !cdata {
		if k := bytes.Index(seg, []byte("]]>")); k >= 0 {
			return scanErr(off+k, "']]>' in character data")
		}
	}
	if !utf8.Valid(seg) {
		return scanErr(off, "invalid UTF-8 in character data")
	}
	plain := bytes.IndexByte(seg, '\r') < 0 && (cdata || bytes.IndexByte(seg, '&') < 0)
	if plain && !hasText {
		nd.tStart, nd.tEnd = int32(off), int32(off+len(seg))
		return nil
	}
	return d.addCooked(nd, off, seg, cdata)
}

// addCooked appends a segment that needs decoding, or that follows earlier text, to the
// node's decoded text.
func (d *xdoc) addCooked(nd *xnode, off int, seg []byte, cdata bool) error {
	if bytes.IndexByte(seg, '\r') >= 0 {
		// XML 1.0 §2.11: CR LF and lone CR become LF before anything else is parsed.
		seg = bytes.ReplaceAll(seg, []byte("\r\n"), []byte("\n"))
		seg = bytes.ReplaceAll(seg, []byte("\r"), []byte("\n"))
	}
	var s string
	if cdata {
		s = string(seg)
	} else {
		var err error
		if s, err = unescape(seg, off); err != nil {
			return err
		}
	}
	switch {
	case nd.cooked:
		nd.text += s
	case nd.tStart >= 0:
		nd.text = string(d.src[nd.tStart:nd.tEnd]) + s
	default:
		nd.text = s
	}
	nd.cooked = true
	return nil
}

// textOf returns the element's character data with surrounding white space removed.
func (d *xdoc) textOf(idx int32) string {
	nd := &d.nodes[idx]
	if nd.cooked {
		return strings.TrimSpace(nd.text)
	}
	if nd.tStart < 0 {
		return ""
	}
	return d.str(bytes.TrimSpace(d.src[nd.tStart:nd.tEnd]))
}

// textView is textOf without the copy: a view of the document's bytes, only to be read
// before the document is done (a timestamp that is parsed, not kept).
func (d *xdoc) textView(idx int32) string {
	nd := &d.nodes[idx]
	if nd.cooked || nd.tStart < 0 {
		return d.textOf(idx)
	}
	return bytesView(bytes.TrimSpace(d.src[nd.tStart:nd.tEnd]))
}

// bytesView is b as a string sharing its bytes: only for a value looked at and dropped
// while b is unchanged.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// child returns the first child element with the given local name, or -1.
func (d *xdoc) child(idx int32, local string) int32 {
	for c := d.nodes[idx].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].local == local {
			return c
		}
	}
	return -1
}

// unescape decodes predefined entities and character references.
func unescape(b []byte, off int) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		if !utf8.Valid(b) {
			return "", scanErr(off, "invalid UTF-8")
		}
		return string(b), nil
	}
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); {
		if b[i] != '&' {
			k := bytes.IndexByte(b[i:], '&')
			if k < 0 {
				k = len(b) - i
			}
			out.Write(b[i : i+k])
			i += k
			continue
		}
		semi := bytes.IndexByte(b[i:], ';')
		if semi < 0 {
			return "", scanErr(off+i, "unterminated entity reference")
		}
		switch ent := b[i+1 : i+semi]; string(ent) {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "quot":
			out.WriteByte('"')
		case "apos":
			out.WriteByte('\'')
		default:
			r, ok := charRef(string(ent))
			if !ok {
				return "", scanErr(off+i, "unknown entity &%s;", ent)
			}
			out.WriteRune(r)
		}
		i += semi + 1
	}
	res := out.String()
	if !utf8.ValidString(res) {
		return "", scanErr(off, "invalid UTF-8")
	}
	return res, nil
}

// charRef decodes "#65" or "#x41" into a rune that XML allows.
func charRef(ent string) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	var v uint64
	var err error
	if ent[1] == 'x' {
		if len(ent) < 3 {
			return 0, false
		}
		v, err = strconv.ParseUint(ent[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(ent[1:], 10, 32)
	}
	if err != nil {
		return 0, false
	}
	r := rune(v)
	if !isXMLChar(r) {
		return 0, false
	}
	return r, true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

package csta

import "bytes"

// Names and byte classes of the XML scanner (xmlscan.go): the parts it runs for every element.

// nameLen returns the length of the XML name at the start of b (ASCII letters, digits, '_',
// '-', '.', ':' and any non-ASCII byte), 0 when b does not start with a name.
func nameLen(b []byte) int {
	if len(b) == 0 || byteClass[b[0]]&clsNameStart == 0 {
		return 0
	}
	n := 1
	for n < len(b) && byteClass[b[n]]&clsName != 0 {
		n++
	}
	return n
}

// endNameLen is nameLen for an end tag's name, quicker when it is the open element's
// qualified name followed by a byte that cannot continue a name (the name then has that
// length, since the start tag's name was all name bytes).
func endNameLen(b []byte, prefix, local string) int {
	n := len(local)
	if prefix != "" {
		n += len(prefix) + 1
	}
	if len(b) > n && byteClass[b[n]]&clsName == 0 && sameQName(b[:n], prefix, local) {
		return n
	}
	return nameLen(b)
}

// Byte classes, so that the scanner's loops test one table entry per byte.
const (
	clsNameStart   = 1 << iota // may start a name
	clsName                    // may continue a name
	clsSpace                   // XML white space
	clsTextSpecial             // in character data, needs a closer look: '&', '\r', ']', non-ASCII
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':', c >= 0x80:
			t[c] |= clsNameStart | clsName
		case (c >= '0' && c <= '9') || c == '-' || c == '.':
			t[c] |= clsName
		}
		if isSpaceByte(byte(c)) {
			t[c] |= clsSpace
		}
		if c == '&' || c == '\r' || c == ']' || c >= 0x80 {
			t[c] |= clsTextSpecial
		}
	}
	return t
}()

// splitQName splits prefix:local at the first colon, as encoding/xml does.
func splitQName(name []byte) (prefix, local string) {
	if i := bytes.IndexByte(name, ':'); i > 0 && i < len(name)-1 {
		return intern(name[:i]), intern(name[i+1:])
	}
	return "", intern(name)
}

// intern returns the known element name equal to b without allocating, or a new string.
// The known names sit in an open-addressed table with a hash of a few bytes: every element
// of every event is looked up, and a Go map's string hashing and probing was a fifth of the
// decode (issue 18).
func intern(b []byte) string {
	if i := nameSlot(b); i >= 0 {
		return nameTable[i]
	}
	return string(b)
}

// nameSlot is the index in nameTable of the known name equal to b, -1 when b is none: one
// index per known name, fixed once the name is in, so tables can be kept by it (fastEvents).
func nameSlot(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	for i := nameHash(b); ; i = (i + 1) & (nameTableSize - 1) {
		s := nameTable[i]
		if s == "" {
			return -1
		}
		if s == string(b) {
			return int(i)
		}
	}
}

// nameTableSize is a power of two, about four times the number of known names (about 270)
// so that probe runs stay short, and small (16 KiB) so that it stays in cache between the
// events of a quiet link; internNames refuses to fill it beyond half.
const nameTableSize = 1024

// nameTable holds every element name the codec reads or writes (internNames, at init).
var (
	nameTable  [nameTableSize]string
	nameTableN int
)

// nameHash mixes the length and four bytes of a non-empty name: the known names differ in
// one of them nearly always, and a collision only costs a probe.
func nameHash(b []byte) uint32 {
	n := len(b)
	h := uint32(n)*0x9E3779B1 ^ uint32(b[0])<<5 ^ uint32(b[n-1])<<11 ^ uint32(b[n/2])<<17 ^ uint32(b[n/3])<<23
	h ^= h >> 13
	h *= 0x85EBCA6B
	h ^= h >> 16
	return h & (nameTableSize - 1)
}

func internNames(names ...string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		i := nameHash([]byte(n))
		for nameTable[i] != "" && nameTable[i] != n {
			i = (i + 1) & (nameTableSize - 1)
		}
		if nameTable[i] == n {
			continue
		}
		if nameTableN >= nameTableSize/2 {
			panic("csta: too many known element names for nameTable")
		}
		nameTable[i] = n
		nameTableN++
	}
}

func sameQName(name []byte, prefix, local string) bool {
	if prefix == "" {
		return string(name) == local
	}
	return len(name) == len(prefix)+1+len(local) &&
		string(name[:len(prefix)]) == prefix && name[len(prefix)] == ':' &&
		string(name[len(prefix)+1:]) == local
}

package tspcore

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"

	"github.com/ctibridge/ctibridge/tapi"
)

// field is one member of a TAPI structure: its tapi.h type and name, and the TSPI version that
// added it (0: present since TAPI 1.4).
type field struct {
	typ, name string
	since     uint32
}

// typeSize is the size in bytes of the member types the TAPI structures use on Windows x64
// (every one is 4-byte aligned or, SYSTEMTIME, 2-byte aligned at a 4-byte boundary).
var typeSize = map[string]int{"DWORD": 4, "HLINE": 4, "LINEDIALPARAMS": 16, "GUID": 16, "SYSTEMTIME": 16}

// layout is a TAPI variable-size structure: a fixed part (which grows with the version) and
// strings or blobs placed after it, addressed by dwXxxSize/dwXxxOffset pairs.
type layout struct {
	name   string
	fields []field
	offset map[string]int
}

func newLayout(name string, fields []field) *layout {
	l := &layout{name: name, fields: fields, offset: map[string]int{}}
	off := 0
	for _, f := range fields {
		l.offset[f.name] = off
		off += typeSize[f.typ]
	}
	return l
}

// fixedSize is the size of the fixed part as a TSP of version v must fill it.
func (l *layout) fixedSize(v uint32) int {
	n := 0
	for _, f := range l.fields {
		if f.since <= v {
			n += typeSize[f.typ]
		}
	}
	return n
}

// varWriter fills a caller's buffer with one structure. TAPI's rule for a buffer that is too
// small: the fixed part must fit (else LINEERR_STRUCTURETOOSMALL); variable parts that do not
// fit are left out, and dwNeededSize tells the caller how much to allocate.
type varWriter struct {
	l      *layout
	buf    []byte
	fixed  int
	used   int
	needed int
}

// newVarWriter checks buf (whose first DWORD is dwTotalSize, as the caller set it) and clears
// everything after dwTotalSize.
func newVarWriter(l *layout, buf []byte, version uint32) (*varWriter, error) {
	fixed := l.fixedSize(version)
	if len(buf) < 4 {
		return nil, lineErr(tapi.LINEERR_STRUCTURETOOSMALL, "%s: buffer of %d bytes cannot hold dwTotalSize", l.name, len(buf))
	}
	total := int(binary.LittleEndian.Uint32(buf))
	if total > len(buf) {
		return nil, lineErr(tapi.LINEERR_INVALPOINTER, "%s: dwTotalSize %d exceeds the %d bytes given", l.name, total, len(buf))
	}
	if total < fixed {
		return nil, lineErr(tapi.LINEERR_STRUCTURETOOSMALL, "%s: dwTotalSize %d is below the %d bytes of version %#x", l.name, total, fixed, version)
	}
	buf = buf[:total]
	clear(buf[4:])
	return &varWriter{l: l, buf: buf, fixed: fixed, used: fixed, needed: fixed}, nil
}

// set writes a DWORD member. Members beyond the negotiated version's fixed part are skipped.
func (w *varWriter) set(name string, v uint32) {
	off, ok := w.l.offset[name]
	if !ok {
		panic(fmt.Sprintf("tspcore: %s has no member %s", w.l.name, name)) // programming error
	}
	if off+4 <= w.fixed {
		binary.LittleEndian.PutUint32(w.buf[off:], v)
	}
}

// blob appends data and points prefix+"Size"/prefix+"Offset" at it when it fits.
func (w *varWriter) blob(prefix string, data []byte) {
	if len(data) == 0 {
		return
	}
	if start, ok := w.place(data); ok {
		w.set(prefix+"Size", uint32(len(data)))
		w.set(prefix+"Offset", uint32(start))
	}
}

// place appends data to the variable part and returns where it starts; ok is false when it
// does not fit (it still counts in dwNeededSize).
func (w *varWriter) place(data []byte) (start int, ok bool) {
	// Keep variable parts DWORD-aligned, as TAPI's own structures do.
	start = (w.needed + 3) &^ 3
	w.needed = start + len(data)
	if w.needed > len(w.buf) || start < w.used {
		return start, false
	}
	copy(w.buf[start:], data)
	w.used = w.needed
	return start, true
}

// str appends s as NUL-terminated UTF-16LE (STRINGFORMAT_UNICODE).
func (w *varWriter) str(prefix, s string) {
	if s == "" {
		return
	}
	w.blob(prefix, utf16z(s))
}

// finish writes dwNeededSize and dwUsedSize.
func (w *varWriter) finish() {
	w.set("dwNeededSize", uint32(w.needed))
	w.set("dwUsedSize", uint32(w.used))
}

func utf16z(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u)+2)
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

package csta

import (
	"encoding/binary"
	"unsafe"
)

// The values a decoder makes of a document's text (xmlscan.go, fastscan.go): copied into text
// blocks, and shared with earlier documents' when they repeat.

// valueSlots is the size of xdoc.values (a power of two), 16 KiB: at ctibench's saturation
// (5,000 devices) 72 % of values are found there, 83 % with 8,192 slots (128 KiB per link,
// not worth it). maxSharedValue bounds what is kept (identifiers, not free text).
const (
	valueSlots     = 1 << valueBits
	maxSharedValue = 64
)

// valueBits is log2(valueSlots): a value's slot is the top bits of its hash (valueHash).
const valueBits = 10

// valueHash hashes a value for its slot in xdoc.values: a multiply per eight bytes, whose
// top bits depend on every byte (maphash's call and seeding cost more than the values, of
// five to forty bytes, take). Values that collide only share a slot: the slot is compared
// before use, so a poor spread costs copies, never a wrong value.
func valueHash(b []byte) uint64 {
	const m1, m2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9
	n := len(b)
	h := uint64(n) * m1
	switch {
	case n >= 8:
		for i := 0; i+8 < n; i += 8 {
			h = (h ^ binary.LittleEndian.Uint64(b[i:])) * m2
		}
		h ^= binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		h ^= uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	default:
		for i, c := range b {
			h ^= uint64(c) << (8 * i)
		}
	}
	return h * m2
}

// textArena is the size of the blocks the text values of documents are copied into.
const textArena = 256

// str returns b as a string: the same value as an earlier document's when it is still in
// d.values, otherwise a copy in the text block (copyStr).
func (d *xdoc) str(b []byte) string {
	if len(b) == 0 || len(b) > maxSharedValue {
		return d.copyStr(b)
	}
	slot := &d.values[valueHash(b)>>(64-valueBits)]
	if *slot == string(b) {
		return *slot
	}
	s := d.copyStr(b)
	*slot = s
	return s
}

// copyStr copies b into the document's text block and returns it as a string: one
// allocation per block instead of one per value. Bytes once written to a block never change
// (a full block is left to the strings that point into it and a new one begun), so the
// strings stay valid after the document is done; a block lives as long as any of its strings.
func (d *xdoc) copyStr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(d.text)-len(d.text) {
		d.text = make([]byte, 0, max(textArena, len(b)))
	}
	n := len(d.text)
	d.text = append(d.text, b...)
	return unsafe.String(&d.text[n], len(b))
}

// raw returns a copy of the element's bytes as they appeared in the document (an event's
// <extensions>), cut from a block of its own (rawBytes).
func (d *xdoc) raw(idx int32) []byte {
	nd := &d.nodes[idx]
	return d.rawBytes(d.src[nd.start:nd.end])
}

// rawArena is the size of the blocks raw copies are cut from, and maxArenaRaw the largest
// copy cut from one. An event's <extensions> (about 100 bytes with a switch's send time,
// a few hundred with OpenScape Voice's private data) differs in every event and lives as
// long as the event, while a value of the text block (str) may live as long as a call or a
// line in the engine: apart, the values do not pin blocks of raw bytes, and raw copies take
// one allocation per about eighty events instead of one per two (a block as large as a link
// decoder's block of events, eventblock.go, which lives as long).
const (
	rawArena    = 8192
	maxArenaRaw = 512
)

// rawBytes copies b into the raw block; the copy's capacity ends with it, so an append
// cannot reach the next copy. Like the text block's, a raw block's bytes never change once
// written.
func (d *xdoc) rawBytes(b []byte) []byte {
	if len(b) == 0 || len(b) > maxArenaRaw {
		return append([]byte(nil), b...)
	}
	if len(b) > cap(d.raws)-len(d.raws) {
		d.raws = make([]byte, 0, rawArena)
	}
	n := len(d.raws)
	d.raws = append(d.raws, b...)
	return d.raws[n : n+len(b) : n+len(b)]
}

package csta

import (
	"fmt"
	"reflect"
)

// Hooks for the external tests of this package (package csta_test).

// FastEquivalent reports whether the fast path takes data, and fails unless it then gives
// what the generic decoder gives.
func FastEquivalent(data []byte) (took bool, mismatch string) {
	fast, ok := decodeFast(data)
	if !ok {
		return false, ""
	}
	generic, err := decodeGeneric(data)
	if err != nil {
		return true, "the generic decoder rejects it: " + err.Error()
	}
	if !reflect.DeepEqual(fast, generic) {
		return true, fmt.Sprintf("fast %#v, generic %#v", fast, generic)
	}
	return true, ""
}

// decodeFast, decodeFastEvent and decodeGeneric are the decoder's paths with a document from
// docPool, as Decode takes it, so that its recent values carry over between calls.
func decodeFast(data []byte) (Message, bool) {
	return withDoc(func(d *xdoc) (Message, bool) { return d.decodeFast(data) })
}

func decodeFastEvent(data []byte) (Message, bool) {
	return withDoc(func(d *xdoc) (Message, bool) { return d.decodeFastEvent(data, nil) })
}

func decodeGeneric(data []byte) (Message, error) {
	var err error
	m, _ := withDoc(func(d *xdoc) (Message, bool) {
		var m Message
		m, err = d.decodeGeneric(data)
		d.src = nil
		return m, err == nil
	})
	return m, err
}

func withDoc(f func(d *xdoc) (Message, bool)) (Message, bool) {
	d := docPool.Get().(*xdoc)
	defer docPool.Put(d)
	return f(d)
}

// LinkDecoder returns the decoder of one link's reader (with event templates), for a stream
// of documents.
func LinkDecoder() func(data []byte) (Message, error) { return newLinkDoc().decode }

// LinkDecoderStats is LinkDecoder with the count of the documents it took by the event path
// and of those it replayed by a template.
func LinkDecoderStats() (decode func(data []byte) (Message, error), stats func() (docs, replays uint64)) {
	d := newLinkDoc()
	return d.decode, func() (uint64, uint64) { return d.tmpl.docs, d.tmpl.replays }
}

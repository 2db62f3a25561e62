package tapi

import (
	"strconv"
	"time"
)

// ObjectWriter appends a JSON object member by member the way the wire encoder does (same
// string escaping, tapi.h names, RFC 3339 times, parties omitted when zero), for records of
// other packages that must match encoding/json byte for byte without reflection (the store's
// call journal). The first failure is kept and returned by End.
type ObjectWriter struct{ w jsonWriter }

// NewObjectWriter starts an object at the end of b.
func NewObjectWriter(b []byte) ObjectWriter {
	return ObjectWriter{w: jsonWriter{b: append(b, '{')}}
}

// Key appends a member's name and separator; the value follows with Raw or a nested object.
func (o *ObjectWriter) Key(name string) { o.w.keyBare(name) }

// Raw appends bytes as they are (brackets and commas of nested arrays and objects).
func (o *ObjectWriter) Raw(b ...byte) { o.w.b = append(o.w.b, b...) }

// Str appends a string member.
func (o *ObjectWriter) Str(name, v string) {
	o.w.keyBare(name)
	o.w.b = appendJSONString(o.w.b, v)
}

// Int appends an integer member.
func (o *ObjectWriter) Int(name string, v int64) {
	o.w.keyBare(name)
	o.w.b = strconv.AppendInt(o.w.b, v, 10)
}

// Time appends a time member (RFC 3339, as time.Time's MarshalJSON).
func (o *ObjectWriter) Time(name string, t time.Time) {
	o.w.keyBare(name)
	o.w.timeValue(t)
}

// Origin appends a call origin by its tapi.h name (LINECALLORIGIN_*), as MarshalText names
// it, from the wire encoder's table: MarshalText's copy of the name was an allocation per
// member, two per call record (a quarter of the objects the Redis store's writes allocated).
func (o *ObjectWriter) Origin(name string, v CallOrigin) { o.named(name, callOriginNames, uint32(v)) }

// Reason appends a call reason by its tapi.h name (LINECALLREASON_*), as Origin does.
func (o *ObjectWriter) Reason(name string, v CallReason) { o.named(name, callReasonNames, uint32(v)) }

func (o *ObjectWriter) named(name string, t *nameTable, v uint32) {
	o.w.keyBare(name)
	o.w.b = append(o.w.b, o.w.nameJSON(t, v)...)
}

// Party appends a party member unless the party is zero (omitzero).
func (o *ObjectWriter) Party(name string, p *PartyID) {
	if !p.IsZero() {
		o.w.keyBare(name)
		o.w.partyObject(p)
	}
}

// End closes the object and returns the bytes, or the first failure.
func (o *ObjectWriter) End() ([]byte, error) {
	o.w.b = append(o.w.b, '}')
	return o.w.b, o.w.err
}

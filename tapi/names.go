package tapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
)

// nameEntry pairs a tapi.h constant value with its name.
type nameEntry struct {
	value uint32
	name  string
}

// nameTable maps one tapi.h constant family (e.g. LINECALLSTATE_) between values and names.
// The JSON wire form uses the names so that it reads like tapi.h and survives renumbering.
type nameTable struct {
	prefix  string
	entries []nameEntry
	byValue map[uint32]string
	byName  map[string]uint32
	// bitJSON holds the JSON strings (quoted names) of the single-bit members by bit
	// position, and otherJSON those of the rest, for the wire encoder: most families are
	// bit values, found without a map look-up.
	bitJSON   [32]string
	otherJSON map[uint32]string
}

func newNameTable(prefix string, entries []nameEntry) *nameTable {
	t := &nameTable{
		prefix:  prefix,
		entries: entries,
		byValue: make(map[uint32]string, len(entries)),
		byName:  make(map[string]uint32, len(entries)),
	}
	for _, e := range entries {
		t.byValue[e.value] = e.name
		t.byName[e.name] = e.value
		q := string(appendJSONString(nil, e.name))
		if e.value != 0 && e.value&(e.value-1) == 0 {
			t.bitJSON[bits.TrailingZeros32(e.value)] = q
		} else {
			if t.otherJSON == nil {
				t.otherJSON = map[uint32]string{}
			}
			t.otherJSON[e.value] = q
		}
	}
	return t
}

// json returns the name of v as a JSON string; ok is false when v is not a member.
func (t *nameTable) json(v uint32) (q string, ok bool) {
	if v != 0 && v&(v-1) == 0 {
		q = t.bitJSON[bits.TrailingZeros32(v)]
		return q, q != ""
	}
	q, ok = t.otherJSON[v]
	return q, ok
}

// name returns the tapi.h name of v, or a hex form when v is not a member of the family.
func (t *nameTable) name(v uint32) string {
	if n, ok := t.byValue[v]; ok {
		return n
	}
	return fmt.Sprintf("%s0x%08X", t.prefix, v)
}

func (t *nameTable) marshal(v uint32) ([]byte, error) {
	n, ok := t.byValue[v]
	if !ok {
		return nil, fmt.Errorf("tapi: 0x%08X is not a %s* value", v, t.prefix)
	}
	return []byte(n), nil
}

func (t *nameTable) unmarshal(b []byte) (uint32, error) {
	v, ok := t.byName[string(b)]
	if !ok {
		return 0, fmt.Errorf("tapi: %q is not a %s* name", b, t.prefix)
	}
	return v, nil
}

// maskNames lists the names of the bits set in m, lowest bit first.
func (t *nameTable) maskNames(m uint32) ([]string, error) {
	names := make([]string, 0, bits.OnesCount32(m))
	for m != 0 {
		bit := m & -m
		n, ok := t.byValue[bit]
		if !ok {
			return nil, fmt.Errorf("tapi: bit 0x%08X is not a %s* value", bit, t.prefix)
		}
		names = append(names, n)
		m &^= bit
	}
	return names, nil
}

func (t *nameTable) marshalMask(m uint32) ([]byte, error) {
	names, err := t.maskNames(m)
	if err != nil {
		return nil, err
	}
	return json.Marshal(names)
}

func (t *nameTable) unmarshalMask(b []byte) (uint32, error) {
	if m, ok := t.scanMask(b); ok {
		return m, nil
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return 0, fmt.Errorf("tapi: %s* mask must be a JSON array of names: %w", t.prefix, err)
	}
	var m uint32
	for _, n := range names {
		v, ok := t.byName[n]
		if !ok {
			return 0, fmt.Errorf("tapi: %q is not a %s* name", n, t.prefix)
		}
		m |= v
	}
	return m, nil
}

// scanMask reads a mask in the form tapi's encoder writes it, ["NAME","NAME"] without spaces,
// without encoding/json, which cost a follower instance more than the rest of an event's
// decoding (every party ID of every call has a mask). ok is false for any other form
// (spaces, escapes, null, an unknown name), which the general decoder then answers.
func (t *nameTable) scanMask(b []byte) (m uint32, ok bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return 0, false
	}
	for b = b[1 : len(b)-1]; len(b) > 0; {
		if b[0] != '"' {
			return 0, false
		}
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 {
			return 0, false
		}
		v, found := t.byName[string(b[1:1+end])] // a name holds no escape: a known one is whole
		if !found {
			return 0, false
		}
		m |= v
		if b = b[end+2:]; len(b) > 0 {
			if len(b) == 1 || b[0] != ',' {
				return 0, false
			}
			b = b[1:]
		}
	}
	return m, true
}

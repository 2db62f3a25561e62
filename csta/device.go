package csta

import "strings"

// DeviceID is a CSTA device identifier as the PBX sent it, with a normalised form.
//
// Switches decorate identifiers: OpenScape Voice sends `N<+4930123>;noa=nk` or
// `N<7868772298>Line71001;displayNumber=...`. Raw keeps the wire value for echoing back to the
// PBX; Number is the bare dialable part used for matching and display.
type DeviceID struct {
	Raw    string // exactly as on the wire; what is sent back to the PBX
	Number string // normalised: the part inside N<...>, or Raw when undecorated
	// Name is the text after the closing '>' and before ';' when it reads as a name. OSV
	// puts other labels there too: a line or trunk identifier such as `Line71001` (letters
	// followed by digits, or digits alone) is not a name and leaves Name empty.
	Name string
	// Absent names the CHOICE a switch sent instead of an identifier: "notKnown",
	// "notRequired", "restricted", "notSpecified"; empty when an identifier is present.
	Absent string
}

// Device builds a DeviceID from a wire value, normalising vendor decoration.
func Device(raw string) DeviceID {
	d := DeviceID{Raw: raw}
	d.Number, d.Name = normaliseDevice(raw)
	return d
}

// IsZero reports whether no identifier and no absence reason is set.
func (d DeviceID) IsZero() bool { return d.Raw == "" && d.Absent == "" }

// Known reports whether an identifier is present.
func (d DeviceID) Known() bool { return d.Raw != "" }

// String returns the normalised number, or the absence reason.
func (d DeviceID) String() string {
	if d.Raw == "" {
		return d.Absent
	}
	return d.Number
}

// normaliseDevice strips `N<...>` decoration and `;param=value` suffixes.
func normaliseDevice(raw string) (number, name string) {
	if plainDevice(raw) {
		return raw, "" // most identifiers: what decorated would return, without its searches
	}
	return normaliseDecorated(raw)
}

// plainDevice reports whether raw has nothing for normaliseDecorated to strip: no '<', no
// ';', and no white space at either end (a byte of a multi-byte character there, which may
// be Unicode white space, is left to normaliseDecorated too).
func plainDevice(raw string) bool {
	if raw == "" {
		return true
	}
	if plainEnd[raw[0]] == 0 || plainEnd[raw[len(raw)-1]] == 0 {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] == '<' || raw[i] == ';' {
			return false
		}
	}
	return true
}

// plainEnd marks the bytes that strings.TrimSpace never trims: ASCII but white space.
var plainEnd = func() (t [256]uint8) {
	for c := range 0x80 {
		if !strings.ContainsRune("\t\n\v\f\r ", rune(c)) {
			t[c] = 1
		}
	}
	return t
}()

// normaliseDecorated is normaliseDevice for any raw value.
func normaliseDecorated(raw string) (number, name string) {
	s := strings.TrimSpace(raw)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
			number = s[i+1 : i+1+j]
			rest := s[i+2+j:]
			if k := strings.IndexByte(rest, ';'); k >= 0 {
				rest = rest[:k]
			}
			rest = strings.TrimSpace(rest)
			if isLineLabel(rest) {
				rest = ""
			}
			return strings.TrimSpace(number), rest
		}
	}
	if k := strings.IndexByte(s, ';'); k >= 0 {
		s = s[:k]
	}
	return s, ""
}

// isLineLabel reports whether s is a line or trunk label rather than a name: optional
// letters, then at least one digit, nothing else (`Line71001`, `T1`, `4711`).
func isLineLabel(s string) bool {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ConnectionID identifies one device's participation in one call (ECMA-269 §6.1.2).
// Both members are optional in the standard; some switches omit CallID.
type ConnectionID struct {
	CallID   string
	DeviceID DeviceID
}

// IsZero reports whether neither member is set.
func (c ConnectionID) IsZero() bool { return c.CallID == "" && c.DeviceID.IsZero() }

// ConnectionListItem is one entry of the connection list in Transferred and Conferenced events.
type ConnectionListItem struct {
	NewConnection ConnectionID
	OldConnection ConnectionID
	Endpoint      DeviceID
}

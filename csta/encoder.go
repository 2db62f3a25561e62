package csta

import "strconv"

// encoder appends ECMA-323 XML. Element names are constants of this package; only character
// data needs escaping.
type encoder struct{ b []byte }

func (e *encoder) root(name, ns string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, ` xmlns="`...)
	e.b = append(e.b, ns...)
	e.b = append(e.b, `">`...)
}

func (e *encoder) open(name string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, '>')
}

func (e *encoder) close(name string) {
	e.b = append(e.b, '<', '/')
	e.b = append(e.b, name...)
	e.b = append(e.b, '>')
}

func (e *encoder) empty(name string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
	e.b = append(e.b, '/', '>')
}

func (e *encoder) text(s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			e.b = append(e.b, "&lt;"...)
		case '>':
			e.b = append(e.b, "&gt;"...)
		case '&':
			e.b = append(e.b, "&amp;"...)
		case '"':
			e.b = append(e.b, "&quot;"...)
		case '\'':
			e.b = append(e.b, "&apos;"...)
		case '\r':
			e.b = append(e.b, "&#xD;"...)
		default:
			e.b = append(e.b, c)
		}
	}
}

// leaf writes <name>v</name>, or nothing when v is empty.
func (e *encoder) leaf(name, v string) {
	if v != "" {
		e.leafAlways(name, v)
	}
}

func (e *encoder) leafAlways(name, v string) {
	e.open(name)
	e.text(v)
	e.close(name)
}

func (e *encoder) boolLeaf(name string, v bool) {
	if v {
		e.leafAlways(name, "true")
	} else {
		e.leafAlways(name, "false")
	}
}

func (e *encoder) intLeaf(name string, v int) {
	if v != 0 {
		e.leafAlways(name, strconv.Itoa(v))
	}
}

func devWire(d DeviceID) string {
	if d.Raw != "" {
		return d.Raw
	}
	return d.Number
}

// conn writes a ConnectionID element, or nothing when it is zero.
func (e *encoder) conn(name string, c ConnectionID) {
	if c.IsZero() {
		return
	}
	e.open(name)
	e.leaf("callID", c.CallID)
	if c.DeviceID.Absent != "" && c.DeviceID.Raw == "" {
		e.open("deviceID")
		e.empty(c.DeviceID.Absent)
		e.close("deviceID")
	} else {
		e.leaf("deviceID", devWire(c.DeviceID))
	}
	e.close(name)
}

// subject writes an event's device member: <name><deviceIdentifier>raw</deviceIdentifier></name>,
// or <name><notKnown/></name> for an absent identifier; nothing when zero.
func (e *encoder) subject(name string, d DeviceID) {
	if d.IsZero() {
		return
	}
	e.open(name)
	if d.Raw == "" && d.Number == "" {
		e.empty(d.Absent)
	} else {
		e.leafAlways("deviceIdentifier", devWire(d))
	}
	e.close(name)
}

// device writes a request's device member as plain text content.
func (e *encoder) device(name string, d DeviceID) {
	if d.IsZero() {
		return
	}
	if d.Raw == "" && d.Number == "" {
		e.open(name)
		e.empty(d.Absent)
		e.close(name)
		return
	}
	e.leafAlways(name, devWire(d))
}

func (e *encoder) connectionList(name string, items []ConnectionListItem) {
	if len(items) == 0 {
		return
	}
	e.open(name)
	for _, it := range items {
		e.open("connectionListItem")
		e.conn("newConnection", it.NewConnection)
		e.conn("oldConnection", it.OldConnection)
		if !it.Endpoint.IsZero() {
			e.open("endpoint")
			if it.Endpoint.Raw == "" {
				e.empty(it.Endpoint.Absent)
			} else {
				e.leafAlways("deviceID", devWire(it.Endpoint))
			}
			e.close("endpoint")
		}
		e.close("connectionListItem")
	}
	e.close(name)
}

// head writes what every event starts with.
func (e *encoder) head(c *EventCommon) {
	e.leafAlways("monitorCrossRefID", string(c.MonitorCrossRefID))
}

// tail writes what every event ends with.
func (e *encoder) tail(c *EventCommon) {
	e.leaf("localConnectionInfo", string(c.LocalConnectionInfo))
	e.leaf("cause", string(c.Cause))
	if len(c.Extensions) > 0 {
		e.b = append(e.b, c.Extensions...)
	}
}

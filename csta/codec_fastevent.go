package csta

import (
	"bytes"
	"time"
)

// A fast path for the call events, which are nearly all of what a link carries: a monitored
// device gets several per call. An event in the form switches send (see fastscan.go) is
// decoded straight into its struct while it is read, without the element tree; the members
// are found by the event's member table as the generic decoder finds them (codec_eventmembers.go)
// and read exactly as it reads them from the tree (eventFields, connection, device,
// connectionList, securityTimestamp). Whatever the scanner or the members' readers do not
// take goes to the generic decoder (TestDecodeFastEventEquivalence, FuzzDecodeFast).

// decodeFastEvent decodes data when it is an event the fast path takes; ok is false when the
// generic decoder must.
func (d *xdoc) decodeFastEvent(data []byte) (m Message, ok bool) {
	s := fscan{b: data, d: d}
	if !s.prolog() || !s.atChild() {
		return nil, false
	}
	root, ok := s.startTag()
	if !ok {
		return nil, false
	}
	mk := fastEvent(s.local(root))
	if mk == nil {
		return nil, false
	}
	ev := mk()
	if !s.event(root, ev) || !s.epilog() {
		return nil, false
	}
	return ev, true
}

// prolog skips an XML declaration at the start of the document and the white space after it.
func (s *fscan) prolog() bool {
	if bytes.HasPrefix(s.b, []byte("<?")) {
		if len(s.b) < 6 || string(s.b[2:5]) != "xml" || !isSpaceByte(s.b[5]) {
			return false
		}
		end := 5
		for {
			q := bytes.IndexByte(s.b[end:], '?')
			if q < 0 {
				return false
			}
			end += q + 1
			if end < len(s.b) && s.b[end] == '>' {
				break
			}
		}
		s.i = end + 1
	}
	s.skipSpace()
	return true
}

// epilog checks that only white space follows the root element.
func (s *fscan) epilog() bool {
	s.skipSpace()
	return s.i == len(s.b)
}

// event reads the root's children into ev as eventFields and eventMembers do.
func (s *fscan) event(root ftag, ev memberEvent) bool {
	if root.empty {
		return true
	}
	c := ev.Common()
	for {
		t, more, ok := s.next(root)
		if !ok {
			return false
		}
		if !more {
			return true
		}
		switch string(s.local(t)) {
		case "monitorCrossRefID":
			v, ok := s.leaf(t)
			if !ok {
				return false
			}
			c.MonitorCrossRefID = MonitorCrossRefID(v)
		case "localConnectionInfo":
			v, ok := s.leaf(t)
			if !ok {
				return false
			}
			c.LocalConnectionInfo = LocalConnectionState(v)
		case "cause":
			v, ok := s.leaf(t)
			if !ok {
				return false
			}
			c.Cause = EventCause(v)
		case "extensions":
			if !s.extensions(t, c) {
				return false
			}
		default:
			if !s.field(t, ev.member(s.localView(t))) {
				return false
			}
		}
	}
}

// field reads one member of an event as readMember does.
func (s *fscan) field(t ftag, f fieldRef) bool {
	var ok bool
	switch f.kind {
	case fkConn:
		*f.conn, ok = s.connection(t)
	case fkDevice:
		*f.dev, ok = s.device(t)
	case fkConnList:
		*f.list, ok = s.connectionList(t)
	case fkCallChar:
		ok = s.callCharacteristics(t, f.flag)
	case fkBool:
		var v string
		v, ok = s.leaf(t)
		*f.flag = v == "true" || v == "1" || v == "TRUE" || v == "True"
	case fkText:
		*f.text, ok = s.leaf(t)
	case fkInt:
		ok = s.digits(t, f.num)
	default:
		ok = s.skip(t)
	}
	return ok
}

// digits reads an integer member written as at most nine digits (or nothing); anything else
// is left to intOf.
func (s *fscan) digits(t ftag, num *int) bool {
	v, ok := s.leaf(t)
	if !ok || len(v) > 9 {
		return false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
		n = n*10 + int(v[i]-'0')
	}
	*num = n
	return true
}

// connection reads a ConnectionID as (*xdoc).connection does.
func (s *fscan) connection(t ftag) (ConnectionID, bool) {
	var c ConnectionID
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		return c, ok
	}
	if !s.enter() {
		return c, false
	}
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return c, ok
		}
		switch string(s.local(ch)) {
		case "callID":
			c.CallID, ok = s.leaf(ch)
		case "deviceID", "staticID", "dynamicID":
			c.DeviceID, ok = s.device(ch)
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return c, false
		}
	}
}

// device reads a device element as (*xdoc).device does: text content, or the first child
// that is an absence or wraps the identifier.
func (s *fscan) device(t ftag) (DeviceID, bool) {
	text, leaf, ok := s.open(t)
	if !ok || leaf {
		return Device(text), ok
	}
	if !s.enter() {
		return DeviceID{}, false
	}
	var dev DeviceID
	found := false
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return dev, ok // no child decided: the text, which is empty
		}
		name := s.local(ch)
		switch {
		case found:
			ok = s.skip(ch)
		case string(name) == "deviceIdentifier" || deviceChoice[string(name)]:
			dev, ok = s.device(ch)
			found = true
		case deviceAbsent[string(name)]:
			dev, found = DeviceID{Absent: intern(name)}, true
			ok = s.skip(ch)
		case string(name) == "international" && string(s.local(t)) == "explicitPublic":
			dev, ok = s.device(ch)
			if dev.Number != "" && dev.Number[0] != '+' {
				dev.Number = "+" + dev.Number
			}
			found = true
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return dev, false
		}
	}
}

// connectionList reads connectionListItem children as (*xdoc).connectionList does.
func (s *fscan) connectionList(t ftag) ([]ConnectionListItem, bool) {
	var items []ConnectionListItem
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		return items, ok
	}
	if !s.enter() {
		return nil, false
	}
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return items, ok
		}
		if string(s.local(ch)) != "connectionListItem" {
			if !s.skip(ch) {
				return nil, false
			}
			continue
		}
		it, ok := s.connectionListItem(ch)
		if !ok {
			return nil, false
		}
		items = append(items, it)
	}
}

func (s *fscan) connectionListItem(t ftag) (ConnectionListItem, bool) {
	var it ConnectionListItem
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		return it, ok
	}
	if !s.enter() {
		return it, false
	}
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return it, ok
		}
		switch string(s.local(ch)) {
		case "newConnection":
			it.NewConnection, ok = s.connection(ch)
		case "oldConnection":
			it.OldConnection, ok = s.connection(ch)
		case "endpoint":
			it.Endpoint, ok = s.device(ch)
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return it, false
		}
	}
}

// callCharacteristics sets *acd from the first acdCall child, when there is one.
func (s *fscan) callCharacteristics(t ftag, acd *bool) bool {
	return s.firstChild(t, "acdCall", func(ch ftag) bool {
		v, ok := s.leaf(ch)
		*acd = v == "true" || v == "1" || v == "TRUE" || v == "True"
		return ok
	})
}

// firstChild calls read for the first child of t named local and skips the others.
func (s *fscan) firstChild(t ftag, local string, read func(ftag) bool) bool {
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		return ok
	}
	if !s.enter() {
		return false
	}
	found := false
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return ok
		}
		if !found && string(s.local(ch)) == local {
			found = true
			ok = read(ch)
		} else {
			ok = s.skip(ch)
		}
		if !ok {
			return false
		}
	}
}

// extensions keeps the element's bytes and reads the security timestamp in it, as
// eventFields and securityTimestamp do.
func (s *fscan) extensions(t ftag, c *EventCommon) bool {
	var stamp string
	var found bool
	ok := s.firstChild(t, "security", func(sec ftag) bool {
		return s.firstChild(sec, "timestamp", func(ts ftag) bool {
			var ok bool
			stamp, ok = s.leafView(ts) // parsed, not kept
			found = true
			return ok
		})
	})
	if !ok {
		return false
	}
	c.Extensions = s.d.rawBytes(s.b[t.start:s.i])
	c.Timestamp = time.Time{}
	if found {
		c.Timestamp, _ = ParseTimestamp(stamp)
	}
	return true
}

package csta

import (
	"bytes"
	"time"
	"unsafe"
)

// A fast path for the call events, which are nearly all of what a link carries: a monitored
// device gets several per call. An event in the form switches send (see fastscan.go) is
// decoded straight into its struct while it is read, without the element tree; the members
// are found by the event's member table as the generic decoder finds them (codec_eventmembers.go)
// and read exactly as it reads them from the tree (eventFields, connection, device,
// connectionList, securityTimestamp). Whatever the scanner or the members' readers do not
// take goes to the generic decoder (TestDecodeFastEventEquivalence, FuzzDecodeFast).

// decodeFastEvent decodes data when it is an event the fast path takes; ok is false when the
// generic decoder must. With rec, it notes where the event's values stand for a template.
func (d *xdoc) decodeFastEvent(data []byte, rec *frecorder) (m Message, ok bool) {
	s := fscan{b: data, d: d, last: noLeaf}
	if !s.prolog() || !s.atChild() {
		return nil, false
	}
	root, ok := s.startTag()
	if !ok {
		return nil, false
	}
	kind := fastEvent(s.local(root))
	if kind == nil {
		return nil, false
	}
	ev := d.newEvent(kind)
	if rec != nil {
		rec.reset(ev, kind)
		s.rec = rec
	}
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
			s.member(opText, unsafe.Pointer(&c.MonitorCrossRefID), unsafe.Sizeof(c.MonitorCrossRefID))
		case "localConnectionInfo":
			v, ok := s.leaf(t)
			if !ok {
				return false
			}
			c.LocalConnectionInfo = LocalConnectionState(v)
			s.member(opText, unsafe.Pointer(&c.LocalConnectionInfo), unsafe.Sizeof(c.LocalConnectionInfo))
		case "cause":
			v, ok := s.leaf(t)
			if !ok {
				return false
			}
			c.Cause = EventCause(v)
			s.member(opText, unsafe.Pointer(&c.Cause), unsafe.Sizeof(c.Cause))
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
		s.claim(unsafe.Pointer(f.conn), unsafe.Sizeof(*f.conn))
		ok = s.connection(t, f.conn)
	case fkDevice:
		*f.dev, ok = s.device(t)
		s.member(opDevice, unsafe.Pointer(f.dev), unsafe.Sizeof(*f.dev))
	case fkConnList:
		s.claim(unsafe.Pointer(f.list), unsafe.Sizeof(*f.list))
		ok = s.connectionList(t, f.list)
	case fkCallChar:
		s.claim(unsafe.Pointer(f.flag), unsafe.Sizeof(*f.flag))
		ok = s.callCharacteristics(t, f.flag)
	case fkBool:
		var v string
		v, ok = s.leaf(t)
		*f.flag = v == "true" || v == "1" || v == "TRUE" || v == "True"
		s.member(opBool, unsafe.Pointer(f.flag), unsafe.Sizeof(*f.flag))
	case fkText:
		*f.text, ok = s.leaf(t)
		s.member(opText, unsafe.Pointer(f.text), unsafe.Sizeof(*f.text))
	case fkInt:
		ok = s.digits(t, f.num)
	default:
		ok = s.skip(t)
	}
	return ok
}

// member notes for a template that the leaf just read went into the member field dst
// (small enough to inline: a document not recorded pays a test of rec).
func (s *fscan) member(op tplOp, dst unsafe.Pointer, n uintptr) {
	if s.rec != nil {
		s.rec.member(s, op, dst, n)
	}
}

// claim notes for a template that a member writes the field dst.
func (s *fscan) claim(dst unsafe.Pointer, n uintptr) {
	if s.rec != nil {
		s.rec.claim(dst, n)
	}
}

// part notes for a template that the leaf just read went into dst, a part of a member; the
// part's bit in seen finds a part read twice.
func (s *fscan) part(seen *uint8, bit uint8, op tplOp, dst unsafe.Pointer, n uintptr) {
	if s.rec != nil {
		s.rec.part(s, seen, bit, op, dst, n)
	}
}

// digits reads an integer member written as at most nine digits (or nothing); anything else
// is left to intOf.
func (s *fscan) digits(t ftag, num *int) bool {
	v, ok := s.leaf(t)
	if !ok {
		return false
	}
	if *num, ok = digitsOf(v); !ok {
		return false
	}
	s.member(opInt, unsafe.Pointer(num), unsafe.Sizeof(*num))
	return true
}

// digitsOf is v as a number when it is at most nine digits (or nothing).
func digitsOf(v string) (int, bool) {
	if len(v) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n, true
}

// connection reads a ConnectionID into dst as (*xdoc).connection does. It is built aside and
// stored whole (a template notes its parts by where they go in dst).
func (s *fscan) connection(t ftag, dst *ConnectionID) bool {
	var c ConnectionID
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		*dst = c
		return ok
	}
	if !s.enter() {
		return false
	}
	var seen uint8
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			*dst = c
			return ok
		}
		switch string(s.local(ch)) {
		case "callID":
			c.CallID, ok = s.leaf(ch)
			s.part(&seen, 1, opText, unsafe.Pointer(&dst.CallID), unsafe.Sizeof(c.CallID))
		case "deviceID", "staticID", "dynamicID":
			c.DeviceID, ok = s.device(ch)
			s.part(&seen, 2, opDevice, unsafe.Pointer(&dst.DeviceID), unsafe.Sizeof(c.DeviceID))
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return false
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
			found, s.intl = true, true
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return dev, false
		}
	}
}

// connectionList reads connectionListItem children into *dst as (*xdoc).connectionList does.
// Each item is read in place, at the end of the list, so that a template notes its values by
// the item's index and where they go in it (fasttemplate_list.go).
func (s *fscan) connectionList(t ftag, dst *[]ConnectionListItem) bool {
	var items []ConnectionListItem
	if s.rec != nil {
		s.rec.listStart(int(t.start), dst)
		defer s.rec.listEnd()
	}
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		*dst = items
		return ok
	}
	if !s.enter() {
		return false
	}
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			*dst = items
			return ok
		}
		if string(s.local(ch)) != "connectionListItem" {
			if !s.skip(ch) {
				return false
			}
			continue
		}
		items = append(items, ConnectionListItem{})
		if !s.connectionListItem(ch, &items[len(items)-1], len(items)-1) {
			return false
		}
	}
}

// connectionListItem reads the i-th item of a list into it.
func (s *fscan) connectionListItem(t ftag, it *ConnectionListItem, i int) bool {
	if s.rec != nil {
		s.rec.item(it, i)
	}
	_, leaf, ok := s.open(t)
	if !ok || leaf {
		return ok
	}
	if !s.enter() {
		return false
	}
	for {
		ch, more, ok := s.next(t)
		if !ok || !more {
			s.leave()
			return ok
		}
		switch string(s.local(ch)) {
		case "newConnection":
			s.claim(unsafe.Pointer(&it.NewConnection), unsafe.Sizeof(it.NewConnection))
			ok = s.connection(ch, &it.NewConnection)
		case "oldConnection":
			s.claim(unsafe.Pointer(&it.OldConnection), unsafe.Sizeof(it.OldConnection))
			ok = s.connection(ch, &it.OldConnection)
		case "endpoint":
			it.Endpoint, ok = s.device(ch)
			s.member(opDevice, unsafe.Pointer(&it.Endpoint), unsafe.Sizeof(it.Endpoint))
		default:
			ok = s.skip(ch)
		}
		if !ok {
			return false
		}
	}
}

// callCharacteristics sets *acd from the first acdCall child, when there is one.
func (s *fscan) callCharacteristics(t ftag, acd *bool) bool {
	return s.firstChild(t, "acdCall", func(ch ftag) bool {
		v, ok := s.leaf(ch)
		*acd = v == "true" || v == "1" || v == "TRUE" || v == "True"
		if s.rec != nil {
			s.rec.value(s, opBool, unsafe.Pointer(acd), unsafe.Sizeof(*acd))
		}
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
	ext, extLen := unsafe.Pointer(&c.Extensions), unsafe.Sizeof(c.Extensions)
	if s.rec != nil {
		s.rec.claim(ext, extLen)
		s.rec.claim(unsafe.Pointer(&c.Timestamp), unsafe.Sizeof(c.Timestamp))
		s.rec.mark(int(t.start), opRawStart, ext, extLen)
	}
	ok := s.firstChild(t, "security", func(sec ftag) bool {
		return s.firstChild(sec, "timestamp", func(ts ftag) bool {
			var ok bool
			stamp, ok = s.leafView(ts) // parsed, not kept
			found = true
			if s.rec != nil {
				s.rec.value(s, opTime, unsafe.Pointer(&c.Timestamp), unsafe.Sizeof(c.Timestamp))
			}
			return ok
		})
	})
	if !ok {
		return false
	}
	c.Extensions = s.d.rawBytes(s.b[t.start:s.i])
	if s.rec != nil {
		s.rec.mark(s.i, opRawEnd, ext, extLen)
	}
	c.Timestamp = time.Time{}
	if found {
		c.Timestamp = s.d.stamps.stamp(stamp)
	}
	return true
}

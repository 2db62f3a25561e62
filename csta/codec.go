package csta

import (
	"strconv"
	"sync"
)

// xmlMessage is implemented by every message the codec knows.
type xmlMessage interface {
	Message
	encodeXML(e *encoder)
	decodeXML(d *xdoc, root int32) error
}

// decoders maps a root element local name to a constructor.
var decoders = map[string]func() xmlMessage{}

func register(names []string, f func() xmlMessage) {
	for _, n := range names {
		decoders[n] = f
		internNames(n)
	}
}

// rootAliases are other spellings of root elements that switches send, by the name the codec
// registers the message under.
var rootAliases = map[string]string{"TransferredEvent": "TransferedEvent"}

var docPool = sync.Pool{New: func() any { return newDoc() }}

func newDoc() *xdoc { return &xdoc{nodes: make([]xnode, 0, 64)} }

// Decode decodes one XML document (the body of a frame) into a typed message.
//
// Elements are matched by local name whatever their namespace or prefix, elements the codec
// does not know are skipped, and <extensions> is kept raw. A root element the codec does not
// know gives *UnknownMessage and no error. A CSTAErrorCode gives *Error. Malformed XML gives a
// *DecodeError.
func Decode(data []byte) (Message, error) {
	d := docPool.Get().(*xdoc)
	m, err := d.decode(data)
	if cap(d.nodes) <= maxKeptNodes {
		docPool.Put(d)
	}
	return m, err
}

// maxKeptNodes bounds the element tree a decoder keeps for the next document.
const maxKeptNodes = 1024

// decode is Decode with d's state (text block, recent values); nothing it returns points
// into data.
func (d *xdoc) decode(data []byte) (Message, error) {
	if m, ok := d.decodeFast(data); ok {
		return m, nil
	}
	m, err := d.decodeGeneric(data)
	d.src = nil
	return m, err
}

// decodeGeneric is Decode through the element tree, for every document.
func (d *xdoc) decodeGeneric(data []byte) (Message, error) {
	if err := parseXML(d, data); err != nil {
		return nil, err
	}
	name := d.nodes[0].local
	if name == "CSTAErrorCode" {
		return decodeError(d), nil
	}
	f, ok := decoders[name]
	if !ok {
		if f, ok = decoders[rootAliases[name]]; !ok {
			return &UnknownMessage{Name: name, Namespace: d.rootNS, Raw: append([]byte(nil), data...)}, nil
		}
	}
	m := f()
	if err := m.decodeXML(d, 0); err != nil {
		return nil, wrapDecode(name, err)
	}
	return m, nil
}

func wrapDecode(name string, err error) error {
	if err == nil {
		return nil
	}
	if de, ok := err.(*DecodeError); ok {
		de.Message = name
		return de
	}
	return &DecodeError{Offset: -1, Message: name, Reason: err.Error()}
}

var encoderPool = sync.Pool{New: func() any { return new(encoder) }}

// Encode appends m as an XML document to dst, in the namespace of edition ed (ECMA-354
// session messages always use the ECMA-354 namespace).
func Encode(dst []byte, m Message, ed Edition) ([]byte, error) {
	// The encoder goes to encodeXML through an interface, so it would escape: pooled.
	e := encoderPool.Get().(*encoder)
	defer func() { e.b = nil; encoderPool.Put(e) }()
	e.b = dst
	e.b = append(e.b, `<?xml version="1.0" encoding="UTF-8"?>`...)
	switch v := m.(type) {
	case *UnknownMessage:
		if len(v.Raw) == 0 {
			return dst, &DecodeError{Offset: -1, Message: v.Name, Reason: "cannot encode an unknown message without its raw XML"}
		}
		return append(dst, v.Raw...), nil
	case *Error:
		e.root("CSTAErrorCode", ed.Namespace())
		cat := v.Category
		if cat == "" {
			cat = ErrCatUnspecified
		}
		e.leafAlways(cat, v.Value)
		e.close("CSTAErrorCode")
		return e.b, nil
	case xmlMessage:
		name := v.MessageName()
		ns := ed.Namespace()
		if isSessionMessage(name) {
			ns = NamespaceACSE
		}
		e.root(name, ns)
		v.encodeXML(e)
		e.close(name)
		return e.b, nil
	}
	return dst, &DecodeError{Offset: -1, Message: m.MessageName(), Reason: "message type has no XML encoding"}
}

func isSessionMessage(name string) bool {
	switch name {
	case "StartApplicationSession", "StartApplicationSessionPosResponse", "StartApplicationSessionNegResponse",
		"ResetApplicationSessionTimer", "ResetApplicationSessionTimerPosResponse", "ResetApplicationSessionTimerNegResponse",
		"StopApplicationSession", "StopApplicationSessionPosResponse":
		return true
	}
	return false
}

func decodeError(d *xdoc) *Error {
	c := d.nodes[0].first
	if c < 0 {
		return &Error{Category: ErrCatUnspecified}
	}
	e := &Error{Category: d.nodes[c].local, Value: d.textOf(c)}
	if e.Value == "" && d.nodes[c].first >= 0 {
		e.Value = d.nodes[d.nodes[c].first].local // value sent as an empty element
	}
	return e
}

// ---- decoding helpers ----

// device decodes a device element in any of its ECMA-323 shapes: text content
// (`<callingDevice>201`), a wrapper (`<callingDevice><deviceIdentifier>N<201>`), a
// redirection's `<numberDialed>`, a CHOICE of absence (`<callingDevice><notKnown/>`), the
// connection choices staticID/dynamicID, and the edition 1-3 typed choices
// (dialingNumber, deviceNumber, implicitPublic, explicitPublic, implicitPrivate,
// explicitPrivate, other, with the type-of-number elements below the explicit ones).
// An explicitPublic international number is given a leading '+'.
func (d *xdoc) device(n int32) DeviceID {
	nd := &d.nodes[n]
	if nd.first < 0 {
		return Device(d.textOf(n))
	}
	for c := nd.first; c >= 0; c = d.nodes[c].next {
		name := d.nodes[c].local
		switch {
		case deviceAbsent[name]:
			return DeviceID{Absent: name}
		case name == "international" && nd.local == "explicitPublic":
			dev := d.device(c)
			if dev.Number != "" && dev.Number[0] != '+' {
				dev.Number = "+" + dev.Number
			}
			return dev
		case deviceChoice[name]:
			return d.device(c)
		}
	}
	return Device(d.textOf(n))
}

func init() {
	for _, m := range []map[string]bool{deviceAbsent, deviceChoice} {
		for n := range m {
			internNames(n)
		}
	}
	internNames("international")
}

// deviceAbsent are the CHOICE elements a switch sends instead of a device identifier.
var deviceAbsent = map[string]bool{"notKnown": true, "notRequired": true, "restricted": true,
	"notSpecified": true, "notAvailable": true}

// deviceChoice are the elements that wrap a device identifier, in every edition: the
// subject/redirection choices, connection choices, typed identifiers and the
// type-of-number elements of explicitPublic and explicitPrivate.
var deviceChoice = map[string]bool{
	"deviceIdentifier": true, "deviceID": true, "deviceObject": true, "device": true,
	"numberDialed": true, "staticID": true, "dynamicID": true, "explicitTypedID": true,
	"dialingNumber": true, "deviceNumber": true, "implicitPublic": true, "explicitPublic": true,
	"implicitPrivate": true, "explicitPrivate": true, "other": true,
	// type of number under explicitPublic (international is handled apart)
	"unknown": true, "national": true, "networkSpecific": true, "subscriber": true, "abbreviated": true,
	// type of number under explicitPrivate
	"level3RegionalNumber": true, "level2RegionalNumber": true, "level1RegionalNumber": true,
	"pTNSpecificNumber": true, "localNumber": true,
}

// connection decodes a ConnectionID element.
func (d *xdoc) connection(n int32) ConnectionID {
	var c ConnectionID
	for ch := d.nodes[n].first; ch >= 0; ch = d.nodes[ch].next {
		switch d.nodes[ch].local {
		case "callID":
			c.CallID = d.textOf(ch)
		case "deviceID", "staticID", "dynamicID":
			c.DeviceID = d.device(ch)
		}
	}
	return c
}

// connectionList decodes connectionListItem children.
func (d *xdoc) connectionList(n int32) []ConnectionListItem {
	var items []ConnectionListItem
	for ch := d.nodes[n].first; ch >= 0; ch = d.nodes[ch].next {
		if d.nodes[ch].local != "connectionListItem" {
			continue
		}
		var it ConnectionListItem
		for f := d.nodes[ch].first; f >= 0; f = d.nodes[f].next {
			switch d.nodes[f].local {
			case "newConnection":
				it.NewConnection = d.connection(f)
			case "oldConnection":
				it.OldConnection = d.connection(f)
			case "endpoint":
				it.Endpoint = d.device(f)
			}
		}
		items = append(items, it)
	}
	return items
}

func (d *xdoc) boolOf(n int32) bool {
	switch d.textOf(n) {
	case "true", "1", "TRUE", "True":
		return true
	}
	return false
}

func (d *xdoc) intOf(n int32, name string) (int, error) {
	s := d.textOf(n)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, &DecodeError{Offset: int(d.nodes[n].start), Reason: name + " is not an integer: " + strconv.Quote(s)}
	}
	return v, nil
}

// descendant finds the first element named local in document order below n, or -1.
func (d *xdoc) descendant(n int32, local string) int32 {
	for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].local == local {
			return c
		}
		if r := d.descendant(c, local); r >= 0 {
			return r
		}
	}
	return -1
}

// eachDescendant calls f for every element named local below n.
func (d *xdoc) eachDescendant(n int32, local string, f func(int32)) {
	for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].local == local {
			f(c)
			continue
		}
		d.eachDescendant(c, local, f)
	}
}

// eventFields iterates the children of an event, decoding the common members itself and
// passing the others to field.
func (d *xdoc) eventFields(root int32, c *EventCommon, field func(name string, n int32) error) error {
	for ch := d.nodes[root].first; ch >= 0; ch = d.nodes[ch].next {
		switch name := d.nodes[ch].local; name {
		case "monitorCrossRefID":
			c.MonitorCrossRefID = MonitorCrossRefID(d.textOf(ch))
		case "localConnectionInfo":
			c.LocalConnectionInfo = LocalConnectionState(d.textOf(ch))
		case "cause":
			c.Cause = EventCause(d.textOf(ch))
		case "extensions":
			c.Extensions = d.raw(ch)
			c.Timestamp = d.securityTimestamp(ch)
		default:
			if err := field(name, ch); err != nil {
				return err
			}
		}
	}
	return nil
}

// fields iterates the children of a non-event message.
func (d *xdoc) fields(root int32, field func(name string, n int32) error) error {
	for ch := d.nodes[root].first; ch >= 0; ch = d.nodes[ch].next {
		if err := field(d.nodes[ch].local, ch); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	internNames("monitorCrossRefID", "localConnectionInfo", "cause", "extensions", "privateData",
		"private", "callID", "deviceID", "deviceIdentifier", "deviceObject", "staticID", "dynamicID",
		"notKnown", "notRequired", "restricted", "notSpecified", "servicesPermitted",
		"callControlServices", "callAssociatedServices", "mediaAttachementServices",
		"routeingServices", "voiceServices", "mediaCallCharacteristics", "mediaClass", "voice",
		"image", "im", "message", "callCharacteristics", "acdCall", "priorityCall",
		"highPriorityCall", "sensitiveCall", "clearConnection", "deflectCall", "connection",
		"alertingDevice", "callingDevice", "calledDevice", "lastRedirectionDevice",
		"networkCallingDevice", "networkCalledDevice", "associatedCallingDevice",
		"associatedCalledDevice", "answeringDevice", "establishedConnection", "initiatedConnection",
		"initiatingDevice", "originatedConnection", "droppedConnection", "releasingDevice",
		"heldConnection", "holdingDevice", "retrievedConnection", "retrievingDevice",
		"outboundConnection", "networkInterfaceUsed", "clearedCall", "connectionListItem",
		"newConnection", "oldConnection", "endpoint", "sysStatRegisterID", "systemStatus")
}

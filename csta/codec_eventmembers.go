package csta

import "unsafe"

// The members of an event, by element name, for both decoders: an event's member method
// (codec_events.go) says where an element of its root goes and how it is read, and the
// generic decoder (eventMembers) and the fast one ((*fscan).event) read it accordingly.
// The members of EventCommon are read before it is asked (eventFields, (*fscan).event).

// fieldKind is how an event member is read.
type fieldKind uint8

const (
	fkSkip     fieldKind = iota // not a member of the event: ignored
	fkConn                      // ConnectionID (connection)
	fkDevice                    // DeviceID (device)
	fkConnList                  // []ConnectionListItem (connectionList)
	fkCallChar                  // callCharacteristics: its first acdCall as a bool
	fkBool                      // boolOf
	fkText                      // textOf
	fkInt                       // intOf
)

// fieldRef is where a member goes: the pointer of its kind (made by the constructors below).
type fieldRef struct {
	kind fieldKind
	conn *ConnectionID
	dev  *DeviceID
	list *[]ConnectionListItem
	flag *bool
	text *string
	num  *int
}

func connMember(c *ConnectionID) fieldRef             { return fieldRef{kind: fkConn, conn: c} }
func deviceMember(d *DeviceID) fieldRef               { return fieldRef{kind: fkDevice, dev: d} }
func connListMember(l *[]ConnectionListItem) fieldRef { return fieldRef{kind: fkConnList, list: l} }
func callCharMember(acd *bool) fieldRef               { return fieldRef{kind: fkCallChar, flag: acd} }
func boolMember(b *bool) fieldRef                     { return fieldRef{kind: fkBool, flag: b} }
func textMember(s *string) fieldRef                   { return fieldRef{kind: fkText, text: s} }
func intMember(n *int) fieldRef                       { return fieldRef{kind: fkInt, num: n} }

// memberEvent is an event read through its member table. member is given the element's
// local name; it may be a view of the document's bytes, so it must not keep it.
type memberEvent interface {
	xmlMessage
	Event
	member(name string) fieldRef
}

// eventKind makes the events of one kind: a zero one (mk), or a copy of one (clone, for a
// template's replay, fasttemplate.go), each a new allocation of the event's own type, or
// either cut from a block of the kind (fromBlock, with src nil for a zero one; eventblock.go).
type eventKind struct {
	mk        func() memberEvent
	clone     func(src unsafe.Pointer) (memberEvent, unsafe.Pointer) // src and the copy point to the struct
	fromBlock func(b *eventBlock, src unsafe.Pointer) (memberEvent, unsafe.Pointer)
	id        int // the kind's index in a link decoder's blocks
}

// kindOf is the eventKind of the event struct T.
func kindOf[T any, P interface {
	*T
	memberEvent
}]() *eventKind {
	eventKinds++
	return &eventKind{mk: newEvent[T, P], clone: cloneEvent[T, P], fromBlock: blockEvent[T, P], id: eventKinds - 1}
}

// newEvent allocates a zero event T: the one allocation of a decoded event.
func newEvent[T any, P interface {
	*T
	memberEvent
}]() memberEvent {
	return P(new(T))
}

// cloneEvent allocates a copy of the event T at src: the one allocation of a replayed event.
func cloneEvent[T any, P interface {
	*T
	memberEvent
}](src unsafe.Pointer) (memberEvent, unsafe.Pointer) {
	p := new(T)
	*p = *(*T)(src)
	return P(p), unsafe.Pointer(p)
}

// fastEvents are the kinds of the events the fast path decodes, by the nameTable slot of
// their root element's name (nameSlot): every event registered with registerEvent, under the
// names decodeGeneric takes it by.
var fastEvents [nameTableSize]*eventKind

// registerEvent registers the event struct T, whose root element is name, with both
// decoders.
func registerEvent[T any, P interface {
	*T
	memberEvent
}](name string) {
	k := kindOf[T, P]()
	register([]string{name}, func() xmlMessage { return k.mk() })
	names := []string{name}
	for alias, canonical := range rootAliases {
		if canonical == name {
			names = append(names, alias)
		}
	}
	for _, n := range names {
		internNames(n)
		fastEvents[nameSlot([]byte(n))] = k
	}
}

// fastEvent is the kind of the event whose root element is named local, nil when the fast
// path does not decode it.
func fastEvent(local []byte) *eventKind {
	if i := nameSlot(local); i >= 0 {
		return fastEvents[i]
	}
	return nil
}

// eventMembers is decodeXML for an event read through its member table.
func (d *xdoc) eventMembers(root int32, ev memberEvent) error {
	return d.eventFields(root, ev.Common(), func(name string, n int32) error {
		return d.readMember(n, name, ev.member(name))
	})
}

// readMember reads element n into f; the fast decoder's (*fscan).field reads the same.
func (d *xdoc) readMember(n int32, name string, f fieldRef) error {
	switch f.kind {
	case fkConn:
		*f.conn = d.connection(n)
	case fkDevice:
		*f.dev = d.device(n)
	case fkConnList:
		*f.list = d.connectionList(n)
	case fkCallChar:
		if c := d.child(n, "acdCall"); c >= 0 {
			*f.flag = d.boolOf(c)
		}
	case fkBool:
		*f.flag = d.boolOf(n)
	case fkText:
		*f.text = d.textOf(n)
	case fkInt:
		v, err := d.intOf(n, name)
		*f.num = v
		return err
	}
	return nil
}

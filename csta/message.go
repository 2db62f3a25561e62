package csta

import "time"

// Message is any CSTA or ECMA-354 message: a service request, its response, or an event.
type Message interface {
	// MessageName is the XML root element name, e.g. "MakeCall" or "DeliveredEvent".
	MessageName() string
}

// Event is an unsolicited CSTA event sent for a monitor (invoke ID 9999 on the wire).
type Event interface {
	Message
	// Common returns the fields every call event shares.
	Common() *EventCommon
}

// EventCommon holds what all events carry.
type EventCommon struct {
	MonitorCrossRefID   MonitorCrossRefID
	LocalConnectionInfo LocalConnectionState // empty when the switch did not send it
	Cause               EventCause
	// Extensions is the raw XML of <extensions> (vendor private data), kept but not interpreted.
	Extensions []byte
	// Timestamp is when the switch sent the event, from the standard security data of
	// <extensions> (CSTASecurityData timestamp, ECMA-269 12.2.12); zero when the switch sends
	// none or one that does not parse. The encoder writes Extensions only, which carries it.
	Timestamp time.Time
}

// Common implements Event.
func (c *EventCommon) Common() *EventCommon { return c }

// UnknownMessage is a message the codec does not know. It is reported, never fatal.
type UnknownMessage struct {
	Name      string // root element local name
	Namespace string // root element namespace, if any
	Raw       []byte // the whole XML document
}

// MessageName implements Message.
func (m *UnknownMessage) MessageName() string { return m.Name }

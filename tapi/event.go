package tapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// WireVersion is the version of the JSON wire form of events ("v" member).
const WireVersion = 1

// EventType names an event: the TAPI message it mirrors, or a BRIDGE_* event.
type EventType string

// Event types. The LINE_* ones mirror the TAPI messages of the same name, except
// LINE_CONFERENCE, a bridge extension: TAPI has no such message (a TAPI application sees a
// conference through the TSP's conference call, hConfCall).
const (
	LineNewCall      EventType = "LINE_NEWCALL"
	LineCallState    EventType = "LINE_CALLSTATE"
	LineCallInfo     EventType = "LINE_CALLINFO"
	LineLineDevState EventType = "LINE_LINEDEVSTATE"
	LineAddressState EventType = "LINE_ADDRESSSTATE"
	LineReply        EventType = "LINE_REPLY"
	LineConference   EventType = "LINE_CONFERENCE"  // bridge extension: a call's conference changed
	LineAgentStatus  EventType = "LINE_AGENTSTATUS" // an agent's state in an ACD group changed
	LineQueueStatus  EventType = "LINE_QUEUESTATUS" // a group's queue figures changed
	BridgeLinkStatus EventType = "BRIDGE_LINKSTATUS"
	BridgeSwitchover EventType = "BRIDGE_SWITCHOVER"
	BridgeResync     EventType = "BRIDGE_RESYNC"
)

// tapiMessages are the message numbers of tapi.h (LINE_NEWCALL: tspi.h), for a TSP shim.
var tapiMessages = map[EventType]uint32{
	LineAddressState: 0,
	LineCallInfo:     1,
	LineCallState:    2,
	LineLineDevState: 8,
	LineReply:        12,
	LineAgentStatus:  22,
	LineQueueStatus:  28,
	LineNewCall:      500, // TSPI_MESSAGE_BASE + 0
}

// TAPIMessage returns the TAPI message number of t; ok is false for BRIDGE_* events and
// LINE_CONFERENCE.
func (t EventType) TAPIMessage() (msg uint32, ok bool) {
	msg, ok = tapiMessages[t]
	return msg, ok
}

// Known reports whether t is one of the event types above. A client of this release skips
// events of a type it does not know (a type added within the wire version), see
// docs/events.md; DecodeEvent rejects them.
func (t EventType) Known() bool {
	_, ok := eventShapes[t]
	return ok
}

// Event is one event for clients. Which payload member is set depends on Type; see
// docs/events.md for the wire form.
type Event struct {
	V    int       `json:"v"`
	Type EventType `json:"type"`
	Time time.Time `json:"time"`
	// SwitchTime is when the PBX sent the CSTA event this event comes from, when the switch
	// stamps its events (CSTA security timestamp); Time is when the bridge received it.
	SwitchTime time.Time  `json:"switchTime,omitzero"`
	PBX        string     `json:"pbx,omitempty"`
	Line       string     `json:"line,omitempty"`     // "pbx/extension" for LINE_* events
	Device     uint32     `json:"deviceId,omitempty"` // LineDeviceID(Line)
	Handle     CallHandle `json:"handle,omitempty"`   // call events
	// Detail says why, in words, where the event has a cause worth showing (e.g. a cold resync).
	Detail string `json:"detail,omitempty"`

	Call      *Call          `json:"call,omitempty"`      // LINE_NEWCALL: the new call
	CallState *CallStatus    `json:"callState,omitempty"` // LINE_CALLSTATE
	CallInfo  *CallInfoEvent `json:"callInfo,omitempty"`  // LINE_CALLINFO
	LineState *LineEvent     `json:"lineState,omitempty"` // LINE_LINEDEVSTATE, LINE_ADDRESSSTATE
	Reply     *Reply         `json:"reply,omitempty"`     // LINE_REPLY
	Link      *LinkStatus    `json:"link,omitempty"`      // BRIDGE_LINKSTATUS
	Switch    *Switchover    `json:"switchover,omitempty"`
	Resync    *Resync        `json:"resync,omitempty"`
	// AgentStatus is the payload of LINE_AGENTSTATUS, QueueStatus that of LINE_QUEUESTATUS
	// (the figures of the group whose line the event names).
	AgentStatus *AgentStatusEvent `json:"agentStatus,omitempty"`
	QueueStatus *QueueStatus      `json:"queueStatus,omitempty"`
	// Conference is the payload of LINE_CONFERENCE: the call's conference after the change,
	// nil when the call stopped being a conference. A LINE_CONFERENCE event always carries
	// the member, as null in that case (see MarshalJSON); other events never carry it. It is
	// the last member so that MarshalJSON can add the null.
	Conference *Conference `json:"conference,omitempty"`
}

// MarshalJSON writes the wire form: encoding/json's form of the struct, with
// "conference":null for a LINE_CONFERENCE event whose call stopped being a conference.
// AppendJSON writes the same bytes faster.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event // without this method
	b, err := json.Marshal((*plain)(&e))
	if err != nil || e.Type != LineConference || e.Conference != nil {
		return b, err
	}
	return append(b[:len(b)-1], `,"conference":null}`...), nil
}

// CallInfoEvent is the payload of LINE_CALLINFO: which fields changed, and the record after.
type CallInfoEvent struct {
	Changed CallInfoState `json:"changed"`
	CallID  string        `json:"callId,omitempty"` // set when LINECALLINFOSTATE_CALLID changed
	Info    CallInfo      `json:"info"`
}

// LineEvent is the payload of LINE_LINEDEVSTATE (DevState set) and LINE_ADDRESSSTATE
// (AddressState set), with the line as it is after the change.
type LineEvent struct {
	DevState     DevState     `json:"devState,omitempty"`
	AddressState AddressState `json:"addressState,omitempty"`
	Line         Line         `json:"line"`
}

// Reply is the payload of LINE_REPLY: completion of an asynchronous request.
type Reply struct {
	RequestID uint32     `json:"requestId"`
	Result    LineErr    `json:"result,omitempty"` // absent (0) means success
	Handle    CallHandle `json:"handle,omitempty"` // the call a request created, e.g. lineMakeCall
	Error     string     `json:"error,omitempty"`  // what went wrong, as a sentence for people
	// CSTACategory and CSTAValue are the CSTAErrorCode (ECMA-269 §9.3) of a request the PBX
	// refused, e.g. "stateIncompatibility" and "invalidObjectState"; Error then says in words
	// what the refusal means for this request. Absent when the PBX did not refuse it.
	CSTACategory string `json:"cstaCategory,omitempty"`
	CSTAValue    string `json:"cstaValue,omitempty"`
}

// LinkStatus is the payload of BRIDGE_LINKSTATUS.
type LinkStatus struct {
	Node    string `json:"node"`   // "primary" or "standby"
	Status  string `json:"status"` // "connecting", "up", "down"
	Address string `json:"address,omitempty"`
	Active  bool   `json:"active"` // this node carries the PBX's traffic
	Reason  string `json:"reason,omitempty"`
}

// Switchover is the payload of BRIDGE_SWITCHOVER.
type Switchover struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	Forced bool   `json:"forced,omitempty"` // asked for by an admin
}

// Resync is the payload of BRIDGE_RESYNC.
type Resync struct {
	Mode       string    `json:"mode"`  // "hot" or "cold"
	Phase      string    `json:"phase"` // "started" or "completed"
	Reason     string    `json:"reason"`
	Started    time.Time `json:"started"`
	DurationMs int64     `json:"durationMs,omitempty"` // completed only
	Lines      int       `json:"lines,omitempty"`
	Calls      int       `json:"calls,omitempty"`  // calls present after resync
	Events     int       `json:"events,omitempty"` // call events the resync produced
}

// eventShape is what an event type carries: its payload member, and whether it names a call
// and a line.
type eventShape struct {
	payload      string
	handle, line bool
}

// eventShapes is the shape of every event type.
var eventShapes = map[EventType]eventShape{
	LineNewCall:      {"call", true, true},
	LineCallState:    {"callState", true, true},
	LineCallInfo:     {"callInfo", true, true},
	LineLineDevState: {"lineState", false, true},
	LineAddressState: {"lineState", false, true},
	LineReply:        {"reply", false, false},
	BridgeLinkStatus: {"link", false, false},
	BridgeSwitchover: {"switchover", false, false},
	BridgeResync:     {"resync", false, false},
	LineAgentStatus:  {"agentStatus", false, true},
	LineQueueStatus:  {"queueStatus", false, true},
	// "conference" is null (nil) when the call stopped being a conference.
	LineConference: {"conference", true, true},
}

// Validate checks the version and that exactly the payload of the event's type is present.
func (e *Event) Validate() error {
	if e.V != WireVersion {
		return fmt.Errorf("tapi: event version %d not supported (want %d)", e.V, WireVersion)
	}
	shape, ok := eventShapes[e.Type]
	if !ok {
		return fmt.Errorf("tapi: unknown event type %q", e.Type)
	}
	has := map[string]bool{
		"call": e.Call != nil, "callState": e.CallState != nil, "callInfo": e.CallInfo != nil,
		"lineState": e.LineState != nil, "reply": e.Reply != nil, "link": e.Link != nil,
		"switchover": e.Switch != nil, "resync": e.Resync != nil, "conference": e.Conference != nil,
		"agentStatus": e.AgentStatus != nil, "queueStatus": e.QueueStatus != nil,
	}
	for k, v := range has {
		if v && k != shape.payload {
			return fmt.Errorf("tapi: %s event must not carry %q", e.Type, k)
		}
	}
	if !has[shape.payload] && e.Type != LineConference {
		return fmt.Errorf("tapi: %s event lacks %q", e.Type, shape.payload)
	}
	if shape.handle && e.Handle == "" {
		return fmt.Errorf("tapi: %s event lacks \"handle\"", e.Type)
	}
	if shape.line && e.Line == "" {
		return fmt.Errorf("tapi: %s event lacks \"line\"", e.Type)
	}
	return e.validatePayload()
}

// validatePayload checks the members a payload must have beyond being present.
func (e *Event) validatePayload() error {
	switch {
	case e.Type == LineLineDevState && e.LineState.DevState == 0:
		return fmt.Errorf("tapi: LINE_LINEDEVSTATE event lacks \"lineState.devState\"")
	case e.Type == LineAddressState && e.LineState.AddressState == 0:
		return fmt.Errorf("tapi: LINE_ADDRESSSTATE event lacks \"lineState.addressState\"")
	case e.Conference != nil && e.Conference.Handle != ConferenceHandle(e.Handle):
		return fmt.Errorf("tapi: LINE_CONFERENCE event's conference.handle %q is not %q", e.Conference.Handle, ConferenceHandle(e.Handle))
	}
	return nil
}

// DecodeEvent parses one event of the JSON wire form and validates it. Members it does not
// know are ignored: a bridge of a later release may add optional members within the wire
// version (docs/events.md), and a client must keep working when it does.
func DecodeEvent(b []byte) (Event, error) {
	return decodeEvent(b, false)
}

// DecodeEventStrict is DecodeEvent that also rejects members this release does not know. Tests
// and tools use it to hold the bridge's own output to the documented wire form.
func DecodeEventStrict(b []byte) (Event, error) {
	return decodeEvent(b, true)
}

func decodeEvent(b []byte, strict bool) (Event, error) {
	var e Event
	d := json.NewDecoder(bytes.NewReader(b))
	if strict {
		d.DisallowUnknownFields()
	}
	if err := d.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("tapi: decode event: %w", err)
	}
	if d.More() {
		return Event{}, fmt.Errorf("tapi: decode event: trailing data after the event object")
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

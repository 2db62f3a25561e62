package wire

import (
	"fmt"
	"strings"
)

// Op names a request, as the WebSocket protocol and the REST API spell it.
type Op string

// The requests; Ops has one Spec for each.
const (
	OpMakeCall         Op = "makeCall"
	OpAnswer           Op = "answer"
	OpDrop             Op = "drop"
	OpHold             Op = "hold"
	OpUnhold           Op = "unhold"
	OpBlindTransfer    Op = "blindTransfer"
	OpSetupTransfer    Op = "setupTransfer"
	OpCompleteTransfer Op = "completeTransfer"
	OpConference       Op = "conference"
	OpRedirect         Op = "redirect"
	OpPickup           Op = "pickup"
	OpGroupPickup      Op = "groupPickup"
	OpGenerateDigits   Op = "generateDigits"
	OpForward          Op = "forward"
	OpDND              Op = "dnd"
	OpSetAgentState    Op = "setAgentState"
)

// Need says whether an op takes a request member.
type Need int

// Needs of a member.
const (
	Refused  Need = iota // the op takes no such member: a request carrying one is refused
	Optional             // the op may use it
	Required             // a request without it is refused
)

// NumberKind says what the number member of an op is and how it is validated.
type NumberKind int

// Kinds of the number member.
const (
	NoNumber    NumberKind = iota // the op takes no number
	Destination                   // required: a number to dial, converted by the PBX's numbering
	ForwardTo                     // a number to dial, required when enabling forwarding
	Digits                        // required: DTMF digits, see CleanDigits
	RingingLine                   // required: the extension of a line of the same PBX that rings
	PickupGroup                   // optional: a pickup group, or a line of the group
)

// Need is whether the number member is required, optional or refused.
func (k NumberKind) Need() Need {
	switch k {
	case NoNumber:
		return Refused
	case ForwardTo, PickupGroup:
		return Optional
	}
	return Required
}

// Request members other than line, handle, handle2 and number, as JSON names them.
const (
	FieldForwardMode = "forwardMode"
	FieldEnable      = "enable"
	FieldRingCount   = "ringCount"
	FieldPrompt      = "prompt"
	// setAgentState: the requested state (AgentStates), the ACD group, the reason code of
	// notReady or loggedOff, and the agent ID of loggedOn.
	FieldAgentState = "agentState"
	FieldGroup      = "group"
	FieldReasonCode = "reasonCode"
	FieldAgentID    = "agentId"
)

// AgentStates are the states setAgentState asks for: ECMA-269's requested agent states.
var AgentStates = []string{"loggedOn", "loggedOff", "ready", "notReady", "workingAfterCall"}

// Limits of setAgentState's members.
const MaxAgentField = 64 // bytes of group, reasonCode and agentId

// Spec is one op of the table: its request members, the TAPI function it mirrors, the
// ECMA-269 service the engine sends for it, and the calls it affects.
type Spec struct {
	Op   Op
	TAPI string // the TAPI function(s) it mirrors, as docs/websocket.md names them
	// Service is the ECMA-269 service the engine sends (the CSTA message name); Fallback,
	// when set, is the one it sends instead on a switch that does not offer Service.
	Service, Fallback string
	// Handle is the call acted on; Handle2, the second call (consultation or conference).
	Handle, Handle2 Need
	Number          NumberKind
	Fields          []string // the other members it reads (Field* names)
	// NewCall: the LINE_REPLY's handle names the call the op created or picked up.
	NewCall bool
}

// Ops is the op table, in the order the protocol documents the ops.
var Ops = []Spec{
	{Op: OpMakeCall, TAPI: "lineMakeCall", Service: "MakeCall", Number: Destination, Fields: []string{FieldPrompt}, NewCall: true},
	{Op: OpAnswer, TAPI: "lineAnswer", Service: "AnswerCall", Handle: Required},
	{Op: OpDrop, TAPI: "lineDrop", Service: "ClearConnection", Handle: Required},
	{Op: OpHold, TAPI: "lineHold", Service: "HoldCall", Handle: Required},
	{Op: OpUnhold, TAPI: "lineUnhold", Service: "RetrieveCall", Handle: Required},
	{Op: OpBlindTransfer, TAPI: "lineBlindTransfer", Service: "SingleStepTransferCall", Handle: Required, Number: Destination},
	{Op: OpSetupTransfer, TAPI: "lineSetupTransfer + lineDial", Service: "ConsultationCall", Handle: Required, Number: Destination, NewCall: true},
	{Op: OpCompleteTransfer, TAPI: "lineCompleteTransfer(TRANSFER)", Service: "TransferCall", Handle: Required, Handle2: Required},
	{Op: OpConference, TAPI: "lineCompleteTransfer(CONFERENCE)", Service: "ConferenceCall", Handle: Required, Handle2: Required},
	{Op: OpRedirect, TAPI: "lineRedirect", Service: "DeflectCall", Handle: Required, Number: Destination},
	{Op: OpPickup, TAPI: "linePickup (directed)", Service: "DirectedPickupCall", Fallback: "DeflectCall", Number: RingingLine, NewCall: true},
	{Op: OpGroupPickup, TAPI: "linePickup (no address)", Service: "GroupPickupCall", Number: PickupGroup, NewCall: true},
	{Op: OpGenerateDigits, TAPI: "lineGenerateDigits", Service: "GenerateDigits", Handle: Required, Number: Digits},
	{Op: OpForward, TAPI: "lineForward", Service: "SetForwarding", Number: ForwardTo, Fields: []string{FieldForwardMode, FieldEnable, FieldRingCount}},
	{Op: OpDND, TAPI: "—", Service: "SetDoNotDisturb", Fields: []string{FieldEnable}},
	{Op: OpSetAgentState, TAPI: "lineSetAgentState", Service: "SetAgentState", Fields: []string{FieldAgentState, FieldGroup, FieldReasonCode, FieldAgentID}},
}

// AllOps lists every op of the table, in its order.
func AllOps() []Op {
	out := make([]Op, len(Ops))
	for i, s := range Ops {
		out[i] = s.Op
	}
	return out
}

// Lookup returns the Spec of an op.
func Lookup(op Op) (Spec, bool) {
	for _, s := range Ops {
		if s.Op == op {
			return s, true
		}
	}
	return Spec{}, false
}

// Takes reports whether the op reads a member named by a Field* constant.
func (s Spec) Takes(field string) bool {
	for _, f := range s.Fields {
		if f == field {
			return true
		}
	}
	return false
}

// Limits of the request members.
const (
	MaxDigits    = 64 // DTMF digits of one generateDigits
	MaxNumberLen = 32 // digits of a dial string, after separators are dropped
	MaxRingCount = 100
	// DigitChars are the DTMF digits; lower-case a-d are accepted and sent upper-case.
	DigitChars = "0123456789*#ABCD"
	// DialSeparators are characters people write inside phone numbers; they are dropped.
	DialSeparators = " -./()\u00a0"
)

// CleanNumber removes separators and checks that what is left is a dial string: an
// optional leading "+", then 1 to MaxNumberLen digits, "*" or "#".
func CleanNumber(s string) (string, error) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(DialSeparators, r):
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		default:
			return "", fmt.Errorf("character %q at position %d is not allowed (digits, *, #, a leading + and separators \" -./()\" are)", r, i)
		}
	}
	out := b.String()
	if out == "" || out == "+" {
		return "", fmt.Errorf("no digits")
	}
	if len(out) > MaxNumberLen {
		return "", fmt.Errorf("longer than %d digits", MaxNumberLen)
	}
	return out, nil
}

// CleanDigits checks the DTMF string of generateDigits: 1 to MaxDigits of DigitChars, a-d
// accepted for A-D. It returns the digits as they are sent (upper case).
func CleanDigits(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("no digits")
	}
	if len(s) > MaxDigits {
		return "", fmt.Errorf("more than %d digits", MaxDigits)
	}
	for _, r := range s {
		if !strings.ContainsRune(DigitChars, r) && !(r >= 'a' && r <= 'd') {
			return "", fmt.Errorf("digit %q not allowed (want 0-9, *, #, A-D)", r)
		}
	}
	return strings.ToUpper(s), nil
}

// CheckRingCount checks the ring count of forward (0: the PBX's default).
func CheckRingCount(n int) error {
	if n < 0 || n > MaxRingCount {
		return fmt.Errorf("ringCount %d out of range 0-%d", n, MaxRingCount)
	}
	return nil
}

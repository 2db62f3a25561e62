package client

import (
	"encoding/json"

	"github.com/ctibridge/ctibridge/tapi"
)

// ProtocolVersion is the WebSocket protocol version this package speaks.
const ProtocolVersion = 1

// Close codes of the bridge beyond RFC 6455's (docs/websocket.md).
const (
	CloseUnauthorized   = 4001 // token missing or refused: reconnecting cannot help
	CloseBadVersion     = 4002 // protocol version not spoken: reconnecting cannot help
	CloseHelloTimeout   = 4003
	CloseSlowConsumer   = 4008 // the client read too slowly; it resumes from its cursors
	CloseResyncRequired = 4009 // the bridge lost a PBX feed; it resumes from its cursors
)

// Position is a place in one PBX's event log.
type Position struct {
	Epoch  string `json:"epoch"`
	Offset uint64 `json:"offset"`
}

// Op names a request, as the bridge's WebSocket protocol spells it.
type Op string

// Requests (docs/websocket.md); the comments name the TAPI function each mirrors.
const (
	OpMakeCall         Op = "makeCall"         // lineMakeCall
	OpAnswer           Op = "answer"           // lineAnswer
	OpDrop             Op = "drop"             // lineDrop
	OpHold             Op = "hold"             // lineHold
	OpUnhold           Op = "unhold"           // lineUnhold
	OpBlindTransfer    Op = "blindTransfer"    // lineBlindTransfer
	OpSetupTransfer    Op = "setupTransfer"    // lineSetupTransfer + lineDial
	OpCompleteTransfer Op = "completeTransfer" // lineCompleteTransfer(TRANSFER)
	OpConference       Op = "conference"       // lineCompleteTransfer(CONFERENCE)
	OpRedirect         Op = "redirect"         // lineRedirect
	OpPickup           Op = "pickup"           // linePickup (directed)
	OpGroupPickup      Op = "groupPickup"      // linePickup without an address (group pickup)
	OpGenerateDigits   Op = "generateDigits"   // lineGenerateDigits
	OpForward          Op = "forward"          // lineForward
	OpDND              Op = "dnd"              // do-not-disturb on or off
)

// Client -> server messages.

type helloMsg struct {
	Type   string `json:"type"`
	V      int    `json:"v"`
	Token  string `json:"token,omitempty"`
	Client string `json:"client,omitempty"`
}

type subscribeMsg struct {
	Type    string              `json:"type"`
	Lines   []string            `json:"lines,omitempty"`
	All     bool                `json:"all,omitempty"`
	Cursors map[string]Position `json:"cursors,omitempty"`
}

// Command is one request to the bridge; which members matter depends on Op. The typed
// methods of Client fill it; Do sends any.
type Command struct {
	Op          Op              `json:"op"`
	Line        string          `json:"line"`
	Handle      tapi.CallHandle `json:"handle,omitempty"`
	Handle2     tapi.CallHandle `json:"handle2,omitempty"`
	Number      string          `json:"number,omitempty"`
	ForwardMode string          `json:"forwardMode,omitempty"`
	Enable      bool            `json:"enable,omitempty"`
	RingCount   int             `json:"ringCount,omitempty"`
	Prompt      bool            `json:"prompt,omitempty"`
}

type commandMsg struct {
	Type string `json:"type"`
	ID   uint32 `json:"id"`
	Command
}

type pingMsg struct {
	Type string `json:"type"`
}

// Server -> client messages: one struct with every member any of them has, dispatched on
// Type; Event is decoded strictly by tapi.DecodeEvent.
type serverMsg struct {
	Type string `json:"type"`

	// welcome
	V        int         `json:"v"`
	Instance string      `json:"instance"`
	User     string      `json:"user"`
	Role     string      `json:"role"`
	PBXs     []PBXStatus `json:"pbxs"`

	// subscribed, resync, synced, event
	PBX      string          `json:"pbx"`
	Epoch    string          `json:"epoch"`
	Offset   uint64          `json:"offset"`
	Reason   string          `json:"reason"`
	Calls    []tapi.Call     `json:"calls"`
	Replayed int             `json:"replayed"`
	Event    json.RawMessage `json:"event"`

	// error
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
	ID      uint32 `json:"id"`

	// "lines" is []WelcomeLine in welcome, []tapi.Line in resync, []string in subscribed.
	Lines json.RawMessage `json:"lines"`
}

// WelcomeLine is a line the token may see, as the welcome message lists it.
type WelcomeLine struct {
	Name        string   `json:"name"`
	PBX         string   `json:"pbx"`
	DeviceID    uint32   `json:"deviceId"`
	Address     string   `json:"address"`
	DisplayName string   `json:"displayName,omitempty"`
	InService   bool     `json:"inService"`
	Control     bool     `json:"control"` // the token may send requests for the line
	Ops         []string `json:"ops"`
}

// PBXStatus says which node of a PBX carries its traffic ("" when both are down).
type PBXStatus struct {
	Name   string `json:"name"`
	Active string `json:"active"`
}

// Welcome is what the bridge said about the session when it accepted the token.
type Welcome struct {
	Instance string        // bridge instance that served the connection
	User     string        // user the token belongs to
	Role     string        // user, supervisor or admin
	Lines    []WelcomeLine // lines the token may see
	PBXs     []PBXStatus
}

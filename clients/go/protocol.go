package client

import (
	"encoding/json"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// ProtocolVersion is the WebSocket protocol version this package speaks.
const ProtocolVersion = wire.ProtocolVersion

// Close codes of the bridge beyond RFC 6455's (docs/websocket.md, package wire).
const (
	CloseUnauthorized   = wire.CloseUnauthorized // token missing or refused: reconnecting cannot help
	CloseBadVersion     = wire.CloseBadVersion   // protocol version not spoken: reconnecting cannot help
	CloseHelloTimeout   = wire.CloseHelloTimeout
	CloseSlowConsumer   = wire.CloseSlowConsumer   // the client read too slowly; it resumes from its cursors
	CloseResyncRequired = wire.CloseResyncRequired // the bridge lost a PBX feed; it resumes from its cursors
)

// Position is a place in one PBX's event log.
type Position = wire.Position

// Op names a request, as the bridge's WebSocket protocol spells it (the op table: wire.Ops).
type Op = wire.Op

// Requests (docs/websocket.md); the comments name the TAPI function each mirrors.
const (
	OpMakeCall         = wire.OpMakeCall         // lineMakeCall
	OpAnswer           = wire.OpAnswer           // lineAnswer
	OpDrop             = wire.OpDrop             // lineDrop
	OpHold             = wire.OpHold             // lineHold
	OpUnhold           = wire.OpUnhold           // lineUnhold
	OpBlindTransfer    = wire.OpBlindTransfer    // lineBlindTransfer
	OpSetupTransfer    = wire.OpSetupTransfer    // lineSetupTransfer + lineDial
	OpCompleteTransfer = wire.OpCompleteTransfer // lineCompleteTransfer(TRANSFER)
	OpConference       = wire.OpConference       // lineCompleteTransfer(CONFERENCE)
	OpRedirect         = wire.OpRedirect         // lineRedirect
	OpPickup           = wire.OpPickup           // linePickup (directed)
	OpGroupPickup      = wire.OpGroupPickup      // linePickup without an address (group pickup)
	OpGenerateDigits   = wire.OpGenerateDigits   // lineGenerateDigits
	OpForward          = wire.OpForward          // lineForward
	OpDND              = wire.OpDND              // do-not-disturb on or off
	OpSetAgentState    = wire.OpSetAgentState    // lineSetAgentState
)

// Client -> server messages (package wire).

type (
	helloMsg     = wire.Hello
	subscribeMsg = wire.Subscribe
	commandMsg   = wire.CommandMsg
	pingMsg      = wire.Ping
)

// Command is one request to the bridge; which members matter depends on Op (wire.Ops). The
// typed methods of Client fill it; Do sends any.
type Command = wire.Command

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
	// LinesOmitted and OwnLines: a welcome to a hello with omitLines.
	LinesOmitted bool     `json:"linesOmitted"`
	OwnLines     []string `json:"ownLines"`

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
type PBXStatus = wire.PBXStatus

// Welcome is what the bridge said about the session when it accepted the token.
type Welcome struct {
	Instance string        // bridge instance that served the connection
	User     string        // user the token belongs to
	Role     string        // user, supervisor or admin
	Lines    []WelcomeLine // lines the token may see; empty when LinesOmitted
	PBXs     []PBXStatus
	// LinesOmitted says that Lines is empty because the client asked (Config.OmitWelcomeLines);
	// OwnLines then gives the patterns of the lines the token controls ("hq/201", "hq/*", "*").
	LinesOmitted bool
	OwnLines     []string
}

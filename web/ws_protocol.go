package web

import (
	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// ProtocolVersion is the version of the WebSocket protocol (docs/websocket.md).
const ProtocolVersion = wire.ProtocolVersion

// WebSocket close codes beyond RFC 6455's; see docs/websocket.md and package wire.
const (
	CloseUnauthorized    = wire.CloseUnauthorized    // hello missing, token bad
	CloseBadVersion      = wire.CloseBadVersion      // hello asked for a protocol version the server does not speak
	CloseHelloTimeout    = wire.CloseHelloTimeout    // no hello within the hello timeout
	CloseSlowConsumer    = wire.CloseSlowConsumer    // outbound queue full: reconnect and resume with your cursors
	CloseResyncRequired  = wire.CloseResyncRequired  // the server lost a PBX's feed: reconnect and resume
	CloseTooManySessions = wire.CloseTooManySessions // the user holds web.max_sessions_per_user sessions already
)

// Message types (package wire).
const (
	msgHello        = wire.TypeHello
	msgWelcome      = wire.TypeWelcome
	msgSubscribe    = wire.TypeSubscribe
	msgSubscribed   = wire.TypeSubscribed
	msgUnsubscribe  = wire.TypeUnsubscribe
	msgUnsubscribed = wire.TypeUnsubscribed
	msgEvent        = wire.TypeEvent
	msgResync       = wire.TypeResync
	msgSynced       = wire.TypeSynced
	msgCommand      = wire.TypeCommand
	msgPing         = wire.TypePing
	msgPong         = wire.TypePong
	msgError        = wire.TypeError
)

// envelope is read first to dispatch on the type.
type envelope struct {
	Type string `json:"type"`
}

// Client -> server messages (package wire).

type (
	helloMsg       = wire.Hello
	subscribeMsg   = wire.Subscribe
	unsubscribeMsg = wire.Unsubscribe
	commandMsg     = wire.CommandMsg
	pingMsg        = wire.Ping
)

// Server -> client messages.

type welcomeMsg struct {
	Type     string        `json:"type"`
	V        int           `json:"v"`
	Instance string        `json:"instance"`
	User     string        `json:"user"`
	Role     string        `json:"role"`
	Lines    []welcomeLine `json:"lines"`
	PBXs     []pbxStatus   `json:"pbxs"`
	Limits   wsLimits      `json:"limits"`
	// LinesOmitted says that lines is empty because the hello asked (omitLines), not because
	// the token sees no line; OwnLines then gives the patterns of the lines the token controls
	// ("*", "pbx/*", "pbx/ext"), for which it may send every op.
	LinesOmitted bool     `json:"linesOmitted,omitempty"`
	OwnLines     []string `json:"ownLines,omitempty"`
}

type welcomeLine struct {
	Name        string   `json:"name"`
	PBX         string   `json:"pbx"`
	DeviceID    uint32   `json:"deviceId"`
	Address     string   `json:"address"`
	DisplayName string   `json:"displayName,omitempty"`
	InService   bool     `json:"inService"`
	Control     bool     `json:"control"`
	Ops         []cti.Op `json:"ops"` // the requests this token may send for the line
}

type (
	pbxStatus = wire.PBXStatus
	wsLimits  = wire.Limits
)

type subscribedMsg struct {
	Type  string   `json:"type"`
	Lines []string `json:"lines"`
}

type eventMsg struct {
	Type   string      `json:"type"`
	PBX    string      `json:"pbx,omitempty"`
	Epoch  string      `json:"epoch,omitempty"`
	Offset uint64      `json:"offset,omitempty"`
	Event  *tapi.Event `json:"event"`
}

type resyncMsg struct {
	Type   string      `json:"type"`
	PBX    string      `json:"pbx"`
	Epoch  string      `json:"epoch"`
	Offset uint64      `json:"offset"`
	Reason string      `json:"reason"` // "initial", "cursor_too_old", "epoch_changed", "lines_added"
	Lines  []tapi.Line `json:"lines"`
	Calls  []tapi.Call `json:"calls"`
}

type (
	syncedMsg = wire.Synced
	pongMsg   = wire.Pong
	// errorMsg reports a message the server could not act on. The connection stays open
	// unless a close frame follows.
	errorMsg = wire.Error
)

// allOps are the requests a line's owner may send: the op table's (wire.Ops).
var allOps = wire.AllOps()

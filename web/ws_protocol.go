package web

import (
	"encoding/json"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// ProtocolVersion is the version of the WebSocket protocol (docs/websocket.md).
const ProtocolVersion = 1

// WebSocket close codes beyond RFC 6455's; see docs/websocket.md.
const (
	CloseUnauthorized    = 4001 // hello missing, token bad
	CloseBadVersion      = 4002 // hello asked for a protocol version the server does not speak
	CloseHelloTimeout    = 4003 // no hello within the hello timeout
	CloseSlowConsumer    = 4008 // outbound queue full: reconnect and resume with your cursors
	CloseResyncRequired  = 4009 // the server lost a PBX's feed: reconnect and resume
	CloseTooManySessions = 4029 // the user holds web.max_sessions_per_user sessions already
)

// Message types.
const (
	msgHello        = "hello"
	msgWelcome      = "welcome"
	msgSubscribe    = "subscribe"
	msgSubscribed   = "subscribed"
	msgUnsubscribe  = "unsubscribe"
	msgUnsubscribed = "unsubscribed"
	msgEvent        = "event"
	msgResync       = "resync"
	msgSynced       = "synced"
	msgCommand      = "command"
	msgPing         = "ping"
	msgPong         = "pong"
	msgError        = "error"
)

// envelope is read first to dispatch on the type.
type envelope struct {
	Type string `json:"type"`
}

// Client -> server messages.

type helloMsg struct {
	Type   string `json:"type"`
	V      int    `json:"v"`
	Token  string `json:"token,omitempty"`
	Client string `json:"client,omitempty"` // free text, shown in diagnostics
}

type subscribeMsg struct {
	Type    string                    `json:"type"`
	Lines   []string                  `json:"lines,omitempty"`
	All     bool                      `json:"all,omitempty"`
	Cursors map[string]store.Position `json:"cursors,omitempty"` // by PBX
}

type unsubscribeMsg struct {
	Type  string   `json:"type"`
	Lines []string `json:"lines"`
}

type commandMsg struct {
	Type        string          `json:"type"`
	ID          uint32          `json:"id"`
	Op          cti.Op          `json:"op"`
	Line        string          `json:"line"`
	Handle      tapi.CallHandle `json:"handle,omitempty"`
	Handle2     tapi.CallHandle `json:"handle2,omitempty"`
	Number      string          `json:"number,omitempty"`
	ForwardMode string          `json:"forwardMode,omitempty"`
	Enable      bool            `json:"enable,omitempty"`
	RingCount   int             `json:"ringCount,omitempty"`
	Prompt      bool            `json:"prompt,omitempty"`
}

type pingMsg struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"` // echoed in the pong, any JSON value
}

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

type pbxStatus struct {
	Name   string `json:"name"`
	Active string `json:"active"` // "primary", "standby", "" when both nodes are down
}

type wsLimits struct {
	MaxMessageBytes int64 `json:"maxMessageBytes"`
	SendQueue       int   `json:"sendQueue"`
	DialPerMinute   int   `json:"dialPerMinute"`
	// Commands of every op per minute, per user and per line (burst in brackets of the
	// config); negative: no limit.
	CommandsPerMinute     int `json:"commandsPerMinute"`
	LineCommandsPerMinute int `json:"lineCommandsPerMinute"`
	MaxSessions           int `json:"maxSessions"`
}

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

type syncedMsg struct {
	Type     string `json:"type"`
	PBX      string `json:"pbx"`
	Epoch    string `json:"epoch"`
	Offset   uint64 `json:"offset"`
	Replayed int    `json:"replayed"`
}

type pongMsg struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
}

// errorMsg reports a message the server could not act on. The connection stays open unless
// a close frame follows.
type errorMsg struct {
	Type    string `json:"type"`
	Code    string `json:"code"` // "bad_json", "unknown_type", "bad_field", "forbidden", ...
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	ID      uint32 `json:"id,omitempty"` // the command's id, when the error concerns one
}

// allOps are the requests a line's owner may send.
var allOps = []cti.Op{cti.OpMakeCall, cti.OpAnswer, cti.OpDrop, cti.OpHold, cti.OpUnhold,
	cti.OpBlindTransfer, cti.OpSetupTransfer, cti.OpCompleteTransfer, cti.OpConference,
	cti.OpRedirect, cti.OpPickup, cti.OpGroupPickup, cti.OpGenerateDigits, cti.OpForward, cti.OpDND}

func knownOp(op cti.Op) bool {
	for _, o := range allOps {
		if o == op {
			return true
		}
	}
	return false
}

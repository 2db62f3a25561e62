package wire

import (
	"encoding/json"

	"github.com/ctibridge/ctibridge/tapi"
)

// ProtocolVersion is the version of the WebSocket protocol, sent in hello and welcome.
const ProtocolVersion = 1

// Close codes beyond RFC 6455's (docs/websocket.md, "Close codes").
const (
	CloseUnauthorized    = 4001 // hello missing, token bad: reconnecting with it cannot help
	CloseBadVersion      = 4002 // hello asked for a protocol version the server does not speak
	CloseHelloTimeout    = 4003 // no hello within the hello timeout
	CloseSlowConsumer    = 4008 // outbound queue full: reconnect and resume with your cursors
	CloseResyncRequired  = 4009 // the server lost a PBX's feed: reconnect and resume
	CloseTooManySessions = 4029 // the user holds web.max_sessions_per_user sessions already
)

// CloseCodes lists the close codes above, in ascending order.
var CloseCodes = []int{CloseUnauthorized, CloseBadVersion, CloseHelloTimeout, CloseSlowConsumer,
	CloseResyncRequired, CloseTooManySessions}

// Message types (the "type" member of every message).
const (
	TypeHello        = "hello"        // client -> server, first message
	TypeWelcome      = "welcome"      // server -> client, the answer to hello
	TypeSubscribe    = "subscribe"    // client -> server
	TypeSubscribed   = "subscribed"   // server -> client
	TypeUnsubscribe  = "unsubscribe"  // client -> server
	TypeUnsubscribed = "unsubscribed" // server -> client
	TypeEvent        = "event"        // server -> client, one tapi.Event
	TypeResync       = "resync"       // server -> client, a PBX's lines and calls
	TypeSynced       = "synced"       // server -> client, replay caught up
	TypeCommand      = "command"      // client -> server, one request (see Command)
	TypePing         = "ping"         // client -> server
	TypePong         = "pong"         // server -> client
	TypeError        = "error"        // server -> client
)

// Position is a place in one PBX's event log: the cursor a client resumes from.
type Position struct {
	Epoch  string `json:"epoch"`
	Offset uint64 `json:"offset"`
}

// Hello is the first message of a client.
type Hello struct {
	Type   string `json:"type"`
	V      int    `json:"v"`
	Token  string `json:"token,omitempty"`
	Client string `json:"client,omitempty"` // free text, shown in diagnostics
	// OmitLines asks for a welcome without its lines (docs/websocket.md, "welcome"): for a
	// token that sees every line of large PBXs the list is megabytes, and a client that
	// subscribes learns the lines from the resync. Bridges before this member answer a hello
	// carrying it with bad_field "omitLines".
	OmitLines bool `json:"omitLines,omitempty"`
}

// Subscribe asks for events of lines (or all the token may see), resuming from cursors.
type Subscribe struct {
	Type    string              `json:"type"`
	Lines   []string            `json:"lines,omitempty"`
	All     bool                `json:"all,omitempty"`
	Cursors map[string]Position `json:"cursors,omitempty"` // by PBX
}

// Unsubscribe stops the events of lines.
type Unsubscribe struct {
	Type  string   `json:"type"`
	Lines []string `json:"lines"`
}

// Command is one request; which members matter depends on Op (see Spec and Ops).
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
	// setAgentState's members (FieldAgentState ...).
	AgentState string `json:"agentState,omitempty"`
	Group      string `json:"group,omitempty"`
	ReasonCode string `json:"reasonCode,omitempty"`
	AgentID    string `json:"agentId,omitempty"`
}

// CommandMsg is the command message: a Command with its request ID, answered by exactly one
// LINE_REPLY event carrying the same ID.
type CommandMsg struct {
	Type string `json:"type"`
	ID   uint32 `json:"id"`
	Command
}

// Ping asks for a pong; the server echoes ID (any JSON value).
type Ping struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
}

// Pong answers a ping.
type Pong = Ping

// PBXStatus says which node of a PBX carries its traffic ("" when both are down).
type PBXStatus struct {
	Name   string `json:"name"`
	Active string `json:"active"` // "primary", "standby" or ""
}

// Limits are the session's limits as welcome states them.
type Limits struct {
	MaxMessageBytes int64 `json:"maxMessageBytes"`
	SendQueue       int   `json:"sendQueue"`
	DialPerMinute   int   `json:"dialPerMinute"`
	// Commands of every op per minute, per user and per line; negative: no limit.
	CommandsPerMinute     int `json:"commandsPerMinute"`
	LineCommandsPerMinute int `json:"lineCommandsPerMinute"`
	MaxSessions           int `json:"maxSessions"`
}

// Synced says that the replay of a PBX's log has caught up.
type Synced struct {
	Type     string `json:"type"`
	PBX      string `json:"pbx"`
	Epoch    string `json:"epoch"`
	Offset   uint64 `json:"offset"`
	Replayed int    `json:"replayed"`
}

// Error reports a message the server could not act on. The connection stays open unless a
// close frame follows.
type Error struct {
	Type    string `json:"type"`
	Code    string `json:"code"` // "bad_json", "unknown_type", "bad_field", "forbidden", ...
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	ID      uint32 `json:"id,omitempty"` // the command's id, when the error concerns one
}

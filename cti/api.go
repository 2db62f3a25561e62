package cti

import (
	"context"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// Service is what the client interfaces (package web) use of the engine. web never sees csta.
type Service interface {
	// InstanceID names this bridge instance.
	InstanceID() string
	// PBXs lists the configured PBX names.
	PBXs() []string
	// Lines returns the lines of a PBX ("" for all), with their current state.
	Lines(pbx string) []tapi.Line
	// Line returns one line by name ("pbx/ext").
	Line(name string) (tapi.Line, bool)
	// Calls returns the calls on a line, or every call of every line when line is "".
	Calls(line string) []tapi.Call
	// Snapshot returns a PBX's lines and calls together with the log position they reflect,
	// consistently, so a client can start from it and continue with events after Position.
	Snapshot(ctx context.Context, pbx string) (store.Snapshot, error)
	// SnapshotLines is Snapshot for the named lines only (store.LoadLines): what a client
	// subscribing to some lines starts from.
	SnapshotLines(ctx context.Context, pbx string, lines []string) (store.Snapshot, error)
	// Events returns log entries of a PBX after a cursor (for resume), see store.Replay errors.
	Events(ctx context.Context, pbx, epoch string, after uint64, limit int) ([]store.Entry, error)
	// Subscribe delivers live entries of a PBX; see store.Subscription.
	Subscribe(ctx context.Context, pbx string) (store.Subscription, error)
	// Do executes a TAPI request and returns its LINE_REPLY. It never retries a request that
	// may have reached the PBX. Requests for a PBX owned by another instance are routed there.
	Do(ctx context.Context, req Request) tapi.Reply
	// Journal returns a line's finished calls, newest first.
	Journal(ctx context.Context, line string, skip, limit int) ([]store.JournalEntry, error)
	// History returns call records of all lines, newest first (see store.HistoryQuery);
	// CallRecord the newest record of a call (store.ErrNoRecord when none).
	History(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error)
	CallRecord(ctx context.Context, pbx string, handle tapi.CallHandle) (store.JournalEntry, error)
	// Links reports every PBX link: nodes, which is active, owner instance, last switchover.
	Links() []LinkInfo
	// Switchover moves a PBX to its other node now (admin). Failback returns to the primary.
	Switchover(ctx context.Context, pbx, reason string) error
	Failback(ctx context.Context, pbx, reason string) error
	// Ready reports whether the store is reachable and every PBX is owned or followed.
	Ready(ctx context.Context) error
}

// Op names a TAPI request. The ops, their members and the CSTA service each maps to are the
// op table of package wire (wire.Ops); build (commands.go) makes the CSTA request of each.
type Op = wire.Op

// The TAPI requests the engine executes (wire.Ops states what each takes and sends).
const (
	OpMakeCall         = wire.OpMakeCall         // lineMakeCall -> MakeCall
	OpAnswer           = wire.OpAnswer           // lineAnswer -> AnswerCall
	OpDrop             = wire.OpDrop             // lineDrop -> ClearConnection
	OpHold             = wire.OpHold             // lineHold -> HoldCall
	OpUnhold           = wire.OpUnhold           // lineUnhold -> RetrieveCall
	OpBlindTransfer    = wire.OpBlindTransfer    // lineBlindTransfer -> SingleStepTransferCall
	OpSetupTransfer    = wire.OpSetupTransfer    // lineSetupTransfer + lineDial -> ConsultationCall
	OpCompleteTransfer = wire.OpCompleteTransfer // lineCompleteTransfer(TRANSFER) -> TransferCall
	OpConference       = wire.OpConference       // lineCompleteTransfer(CONFERENCE) -> ConferenceCall
	OpRedirect         = wire.OpRedirect         // lineRedirect -> DeflectCall
	OpPickup           = wire.OpPickup           // linePickup(number) -> DirectedPickupCall, else DeflectCall to us
	OpGroupPickup      = wire.OpGroupPickup      // linePickup(no number) -> GroupPickupCall
	OpGenerateDigits   = wire.OpGenerateDigits   // lineGenerateDigits -> GenerateDigits
	OpForward          = wire.OpForward          // lineForward -> SetForwarding
	OpDND              = wire.OpDND              // DND on/off -> SetDoNotDisturb
	OpSetAgentState    = wire.OpSetAgentState    // lineSetAgentState -> SetAgentState
)

// Request is one TAPI request from a client.
type Request struct {
	ID      uint32          `json:"requestId"` // echoed in the reply
	Op      Op              `json:"op"`
	Line    string          `json:"line"`              // "pbx/ext": the line acting
	Handle  tapi.CallHandle `json:"handle,omitempty"`  // the call acted on
	Handle2 tapi.CallHandle `json:"handle2,omitempty"` // second call (complete transfer, conference)
	Number  string          `json:"number,omitempty"`  // destination, digits, forward target
	// Forward settings: mode (tapi.ForwardMode name, e.g. "LINEFORWARDMODE_UNCOND"), enable.
	ForwardMode string `json:"forwardMode,omitempty"`
	Enable      bool   `json:"enable,omitempty"`
	RingCount   int    `json:"ringCount,omitempty"`
	// Prompt: for makeCall, ring the calling line first (CSTA autoOriginate prompt) — the
	// default for click-to-dial from a desk phone.
	Prompt bool `json:"prompt,omitempty"`
	// setAgentState: the requested state (wire.AgentStates), ACD group, reason code, agent ID.
	AgentState string `json:"agentState,omitempty"`
	Group      string `json:"group,omitempty"`
	ReasonCode string `json:"reasonCode,omitempty"`
	AgentID    string `json:"agentId,omitempty"`
	User       string `json:"user,omitempty"` // for the audit trail; set by web
}

// LinkInfo is the status of one PBX link.
type LinkInfo struct {
	PBX            string          `json:"pbx"`
	Owner          string          `json:"owner"` // instance holding the lease ("" if none)
	OwnedHere      bool            `json:"ownedHere"`
	Active         string          `json:"active"` // "primary", "standby" or "" when both down
	Nodes          []NodeInfo      `json:"nodes"`
	Failback       string          `json:"failback"`
	Resync         string          `json:"resync"`
	LastSwitchover *SwitchoverInfo `json:"lastSwitchover,omitempty"`
	// Repairs counts, by reason, the lines this instance repaired from a snapshot because an
	// event could not be placed (reducer.Repair* reasons).
	Repairs map[string]uint64 `json:"repairs,omitempty"`
	// ProtocolErrors counts, by class (malformed_xml, invalid_content, other), the non-fatal
	// CSTA problems of the PBX's links seen by this instance.
	ProtocolErrors map[string]uint64 `json:"protocolErrors,omitempty"`
	// Unmonitored counts the devices the switch would not monitor on the current link (they
	// are out of service and asked again); UnmonitoredReason is the most common refusal and
	// UnmonitoredHint its likely cause, when one is known.
	Unmonitored       int    `json:"unmonitored,omitempty"`
	UnmonitoredReason string `json:"unmonitoredReason,omitempty"`
	UnmonitoredHint   string `json:"unmonitoredHint,omitempty"`
	// Degraded, when set, says why this instance gave the link up: its store writes kept
	// failing for longer than store.degrade_after (or too many events waited behind them).
	// Commands through this instance are refused meanwhile; it is cleared by the next
	// successful write or when another instance owns the link.
	Degraded      string     `json:"degraded,omitempty"`
	DegradedSince *time.Time `json:"degradedSince,omitempty"`
	// StoreTrouble, on the owner, says that its current store write is failing or slow
	// (commands are refused meanwhile); after store.degrade_after the link is degraded.
	StoreTrouble string `json:"storeTrouble,omitempty"`
	// Overload, on the owner, says that CSTA events arrive faster than it applies them
	// (overload.go); OverloadEpisodes counts the episodes since the process started.
	Overload         string     `json:"overload,omitempty"`
	OverloadSince    *time.Time `json:"overloadSince,omitempty"`
	OverloadEpisodes uint64     `json:"overloadEpisodes,omitempty"`
}

// NodeInfo is one PBX node as the owner sees it.
type NodeInfo struct {
	Role      string        `json:"role"` // "primary" | "standby"
	Address   string        `json:"address"`
	Status    string        `json:"status"` // "up", "down", "connecting", "standby"
	Since     time.Time     `json:"since"`
	LastRTT   time.Duration `json:"lastRttNs"`
	Heartbeat uint64        `json:"heartbeats"`
	Misses    int           `json:"misses"`
	LastError string        `json:"lastError,omitempty"`
}

// SwitchoverInfo describes the last switchover of a PBX.
type SwitchoverInfo struct {
	From       string        `json:"from"`
	To         string        `json:"to"`
	Reason     string        `json:"reason"`
	At         time.Time     `json:"at"`
	Detection  time.Duration `json:"detectionNs"` // failure noticed -> switchover started
	ResyncTook time.Duration `json:"resyncNs"`    // connected -> resync complete
}

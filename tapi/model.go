package tapi

import (
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LineName joins a PBX name and an extension into a line name, e.g. "hq/201".
func LineName(pbx, extension string) string { return pbx + "/" + extension }

// LineDeviceID is the stable numeric device ID of a line, as TSPs need one (dwDeviceID).
//
// It is FNV-1a 32 of the line name ("pbx/extension") masked to 31 bits, so every bridge
// instance computes the same ID without coordination and the value stays positive in signed
// 32-bit APIs. Two names may collide (about 1 in 2^31 per pair); configuration loaders should
// reject a collision among their lines.
func LineDeviceID(lineName string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(lineName))
	return h.Sum32() & 0x7FFFFFFF
}

// Forward is one active forwarding setting of a line (LINEFORWARD).
type Forward struct {
	Mode        ForwardMode `json:"mode"`
	Destination string      `json:"destination,omitempty"`
}

// Line is a monitored device on one PBX (a TAPI line with one address).
type Line struct {
	Name        string    `json:"name"`     // "pbx/extension"
	PBX         string    `json:"pbx"`      // configured PBX name
	DeviceID    uint32    `json:"deviceId"` // LineDeviceID(Name)
	Address     string    `json:"address"`  // the extension, normalised as the PBX reports it
	DisplayName string    `json:"displayName,omitempty"`
	InService   bool      `json:"inService"`
	DND         bool      `json:"dnd"`
	Forwarding  []Forward `json:"forwarding,omitempty"` // sorted by Mode
	// Agents is the line's agent state per ACD group (sorted by group), once an agent event
	// or GetAgentState named one; LINE_AGENTSTATUS reports changes.
	Agents []AgentStatus `json:"agents,omitempty"`
	// Queue is set on the line of a monitored ACD or hunt group: its queue figures;
	// LINE_QUEUESTATUS reports changes.
	Queue *QueueStatus `json:"queue,omitempty"`
}

// NewLine returns an in-service line for extension on pbx.
func NewLine(pbx, extension, displayName string) Line {
	name := LineName(pbx, extension)
	return Line{Name: name, PBX: pbx, DeviceID: LineDeviceID(name), Address: extension,
		DisplayName: displayName, InService: true}
}

// CallHandle is the bridge-wide handle of a call as one line sees it: "<pbx>:<n>". It is
// allocated by the PBX's reducer state (reducer.State in cti/reducer) from a counter that is
// persisted with the state, so it survives switchovers and instance takeovers.
type CallHandle string

// MakeHandle returns the handle "<pbx>:<n>" for counter value n on pbx.
func MakeHandle(pbx string, n uint64) CallHandle {
	var buf [48]byte // one allocation, the handle's, instead of the number's and the handle's
	return CallHandle(AppendHandle(buf[:0], pbx, n))
}

// AppendHandle appends MakeHandle(pbx, n) to dst.
func AppendHandle(dst []byte, pbx string, n uint64) []byte {
	return strconv.AppendUint(append(append(dst, pbx...), ':'), n, 10)
}

// HandleNumber returns the counter part of h, or 0 if h is not of the form "<pbx>:<n>".
func HandleNumber(h CallHandle) uint64 {
	s := string(h)
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return 0
	}
	n, err := strconv.ParseUint(s[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// ConferenceHandle returns the handle of the conference call that the call with handle h has
// become: h with ".conf" appended ("hq:17" -> "hq:17.conf"). It is derived from the call's
// handle, so every bridge instance computes it and it survives switchovers and takeovers like
// the call's handle; HandleNumber of it is 0, so it is never taken for a call handle. Like the
// call's, it is one line's view: each line in a conference has its own.
func ConferenceHandle(h CallHandle) CallHandle { return h + conferenceSuffix }

// ConferenceCall returns the handle of the call whose conference handle is h; ok is false when
// h is not a conference handle.
func ConferenceCall(h CallHandle) (call CallHandle, ok bool) {
	s, ok := strings.CutSuffix(string(h), conferenceSuffix)
	return CallHandle(s), ok && s != ""
}

const conferenceSuffix = ".conf"

// Conference is the conference a line's call has become (the TAPI conference call, hConfCall,
// with its parties): present from the Conferenced event that makes the call a conference,
// whether held or not, until the call is a two-party call again or ends.
type Conference struct {
	Handle CallHandle `json:"handle"` // ConferenceHandle of the call's handle
	// Parties are the other parties in the conference (the line itself is not listed), in the
	// order they are known, each with its number and, where known, its name.
	Parties []PartyID `json:"parties"`
}

// Clone returns a deep copy (nil for nil).
func (c *Conference) Clone() *Conference {
	if c == nil {
		return nil
	}
	d := *c
	d.Parties = append([]PartyID(nil), c.Parties...)
	return &d
}

// Equal reports whether two conferences (either may be nil) are the same.
func (c *Conference) Equal(o *Conference) bool {
	if c == nil || o == nil {
		return c == o
	}
	return c.Handle == o.Handle && slices.Equal(c.Parties, o.Parties)
}

// PartyID is a caller/called/connected/redirecting/redirection ID of LINECALLINFO.
type PartyID struct {
	Number string      `json:"number,omitempty"`
	Name   string      `json:"name,omitempty"`
	Flags  CallPartyID `json:"flags,omitempty"` // LINECALLPARTYID_*; 0 when nothing is known
}

// IsZero reports whether nothing is known about the party.
func (p PartyID) IsZero() bool { return p.Number == "" && p.Name == "" && p.Flags == 0 }

// CallInfo is the LINECALLINFO-like record of a call.
type CallInfo struct {
	Origin      CallOrigin `json:"origin,omitempty"`
	Reason      CallReason `json:"reason,omitempty"`
	Caller      PartyID    `json:"caller,omitzero"`
	Called      PartyID    `json:"called,omitzero"`
	Connected   PartyID    `json:"connected,omitzero"`
	Redirecting PartyID    `json:"redirecting,omitzero"` // who redirected the call to us
	Redirection PartyID    `json:"redirection,omitzero"` // where the call was redirected to
	RelatedCall CallHandle `json:"relatedCall,omitempty"`
	Trunk       string     `json:"trunk,omitempty"`
	UserData    string     `json:"userData,omitempty"`
}

// CallStatus is a call state with its mode: the two parameters of LINE_CALLSTATE. Only the
// mode field belonging to State is set.
type CallStatus struct {
	State          CallState      `json:"state"`
	OfferingMode   OfferingMode   `json:"offeringMode,omitempty"`
	ConnectedMode  ConnectedMode  `json:"connectedMode,omitempty"`
	DisconnectMode DisconnectMode `json:"disconnectMode,omitempty"`
	BusyMode       BusyMode       `json:"busyMode,omitempty"`
	DialToneMode   DialToneMode   `json:"dialToneMode,omitempty"`
}

// Mode returns the state's mode as TAPI passes it in dwParam2 of LINE_CALLSTATE.
func (s CallStatus) Mode() uint32 {
	return uint32(s.OfferingMode) | uint32(s.ConnectedMode) | uint32(s.DisconnectMode) |
		uint32(s.BusyMode) | uint32(s.DialToneMode)
}

// Call is one line's view of a PBX call (a TAPI call handle on that line).
type Call struct {
	Handle CallHandle `json:"handle"`
	Line   string     `json:"line"` // "pbx/extension"
	// CallID is the PBX call ID now in use; OtherCallIDs are further IDs the PBX may still use
	// for the same call (the other leg after a transfer or conference whose result was not
	// reported).
	CallID       string   `json:"callId"`
	OtherCallIDs []string `json:"otherCallIds,omitempty"`
	CallStatus
	Info CallInfo `json:"info"`
	// Parties are the other devices known to be in the call (normalised numbers).
	Parties []string `json:"parties,omitempty"`
	// Conference is set while the call is a conference (more than one other party), nil
	// otherwise; LINE_CONFERENCE reports its changes.
	Conference *Conference `json:"conference,omitempty"`

	Created     time.Time `json:"created"`
	StateSince  time.Time `json:"stateSince"`
	ConnectedAt time.Time `json:"connectedAt,omitzero"`
}

// HasCallID reports whether id is one of the call's PBX call IDs.
func (c *Call) HasCallID(id string) bool {
	if c.CallID == id {
		return true
	}
	for _, o := range c.OtherCallIDs {
		if o == id {
			return true
		}
	}
	return false
}

// Clone returns a deep copy, so events never alias state that later reducer steps mutate.
func (c *Call) Clone() *Call {
	d := *c
	d.OtherCallIDs = append([]string(nil), c.OtherCallIDs...)
	d.Parties = append([]string(nil), c.Parties...)
	d.Conference = c.Conference.Clone()
	return &d
}

// CloneInto makes *dst a deep copy of c, as Clone does, reusing dst's arrays where they are
// large enough: a view or store replaces its previous version of a call on every change, and
// fresh arrays for each were most of its allocations (issue 18). dst's arrays are
// overwritten, so no one else may hold them.
func (c *Call) CloneInto(dst *Call) {
	other, parties := dst.OtherCallIDs, dst.Parties
	*dst = *c
	dst.OtherCallIDs = copyStrings(other, c.OtherCallIDs)
	dst.Parties = copyStrings(parties, c.Parties)
	dst.Conference = c.Conference.Clone()
}

// copyStrings copies src into dst's array when it fits; nil for an empty src, as Clone's
// appends give.
func copyStrings(dst, src []string) []string {
	if len(src) == 0 {
		return nil
	}
	if cap(dst) < len(src) {
		return append([]string(nil), src...)
	}
	return append(dst[:0], src...)
}

// Clone returns a deep copy of the line (its Forwarding is not shared).
func (l *Line) Clone() *Line {
	d := *l
	d.Forwarding = append([]Forward(nil), l.Forwarding...)
	d.Agents = append([]AgentStatus(nil), l.Agents...)
	d.Queue = l.Queue.Clone()
	return &d
}

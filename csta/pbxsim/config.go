package pbxsim

import (
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// Config describes the simulated PBX. The zero value is not usable: at least one extension
// range is required. Defaults are filled in by New.
type Config struct {
	// Extensions are the internal numbers: ranges "200-299" or single numbers "3001".
	Extensions []string
	// HuntGroups are optional hunt groups; a call to one alerts the first idle member in turn
	// and queues (QueuedEvent) when every member is busy.
	HuntGroups []HuntGroup
	// PickupGroups are optional call pickup groups: GroupPickupCall by a member takes the call
	// that has rung longest at another member. An extension belongs to at most one group.
	PickupGroups []PickupGroup
	// Trunk is the device ID reported as networkInterfaceUsed for calls that leave the switch.
	// Default "T1".
	Trunk string
	// NoAnswerTime is how long a device with no-answer forwarding rings before the call is
	// forwarded, when SetForwarding gave no ring count. Default 15s; tests set it short.
	NoAnswerTime time.Duration
	// RingPeriod is the time per ring when SetForwarding gives a ring count. Default 5s.
	RingPeriod time.Duration
	// User and Password are the credentials StartApplicationSession must carry. An empty User
	// accepts any credentials.
	User, Password string
	// Dialect names the session style the nodes use: "osv", "osbiz", "avaya" or "generic".
	// Default: the profile's dialect, or "osv" without a profile.
	Dialect string
	// Profile names the vendor profile that shapes events and services: "osv", "osbiz",
	// "avaya", "generic" or "minimal" (see Profiles and the package documentation). Empty:
	// the generic shapes with MakeCall autoOriginate ignored, as before profiles existed.
	Profile string
	// PromptAnswer is how long the calling device of a MakeCall in prompt mode rings before
	// it accepts by itself (a speakerphone's auto-answer). 0: it waits for the person
	// (control API Answer or OffHook, or CSTA AnswerCall); unanswered after NoAnswerTime the
	// call is cleared.
	PromptAnswer time.Duration
	// Edition is the ECMA-323 edition the nodes encode in. Default: the dialect's.
	Edition csta.Edition
	// FirstVersionOnly makes StartApplicationSession read only the first entry of
	// requestedProtocolVersions, as some switches do: a session whose first entry is not the
	// node's edition is refused with requestedProtocolVersionNotSupported.
	FirstVersionOnly bool
	// SessionDuration is the ECMA-354 session duration the nodes grant. A session that is not
	// kept alive within it is dropped. Default 180s.
	SessionDuration time.Duration
	// EventQueue is the bounded event queue length per client session. A session whose queue
	// overflows is dropped, as a switch drops a slow CTI link. Default 8192.
	EventQueue int
	// DecorateExternal sends external numbers in event device fields the way OpenScape Voice
	// does (`N<+4930123456>;noa=nk`), so the bridge's normalisation is exercised. Connection
	// identifiers stay plain, as on OSV.
	DecorateExternal bool
	// StampEvents adds the simulator's send time to every event's private data, for latency
	// measurement; see EventTimestamp.
	StampEvents bool
}

// HuntGroup is a pilot number distributing calls over member extensions.
type HuntGroup struct {
	Number  string
	Members []string
	// ACD makes the group an ACD group: the members are agent positions, calls go only to
	// agents logged on to the group and ready, longest idle first (see agents.go).
	ACD bool
	// QueueLimit is the most calls that may wait at the pilot; a caller beyond it gets busy.
	// 0: no limit.
	QueueLimit int
	// WrapUp is the automatic wrap-up (workingAfterCall) of an ACD group after an agent's ACD
	// call ends, after which the agent is ready again. 0: ready at once.
	WrapUp time.Duration
}

func (c *Config) applyDefaults() {
	if c.Trunk == "" {
		c.Trunk = "T1"
	}
	if c.NoAnswerTime <= 0 {
		c.NoAnswerTime = 15 * time.Second
	}
	if c.RingPeriod <= 0 {
		c.RingPeriod = 5 * time.Second
	}
	if c.Dialect == "" {
		c.Dialect = "osv"
	}
	if c.SessionDuration <= 0 {
		c.SessionDuration = 180 * time.Second
	}
	if c.EventQueue <= 0 {
		c.EventQueue = 8192
	}
}

// ParseExtensions expands extension ranges ("200-299", "3001") into numbers, in order; see
// csta.ExpandDevices.
func ParseExtensions(specs []string) ([]string, error) { return csta.ExpandDevices(specs) }

// isExternalNumber reports whether s is dialable over the trunk: '+' and digits, or a number
// starting with the outside line prefix 0, at least four digits long.
func isExternalNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if len(d) < 4 || !isDigits(d) {
		return false
	}
	return s[0] == '+' || s[0] == '0'
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

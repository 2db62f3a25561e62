package reducer

import (
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Connection is one of a device's connections as the switch reports it (snapshot, ground
// truth): its call ID and local state.
type Connection struct {
	CallID string
	State  csta.LocalConnectionState
}

// MatchesSwitch reports whether a line's calls describe the switch's connections of its device
// one to one: each connection paired with its own call in a Compatible state (UNKNOWN describes
// none), by call ID (the call's current one or another the switch may still use) or, for a call
// without a callID (a switch that sends none), by state alone. Used by the checks that compare
// the bridge with a switch's ground truth (e2e suite, ctibench).
func MatchesSwitch(conns []Connection, calls []tapi.Call) bool {
	if len(conns) != len(calls) {
		return false
	}
	used := make([]bool, len(calls))
	for _, cn := range conns {
		found := false
		for i, c := range calls {
			sameID := c.CallID == cn.CallID || c.CallID == "" || slices.Contains(c.OtherCallIDs, cn.CallID)
			if !used[i] && sameID && c.State != tapi.LINECALLSTATE_UNKNOWN && Compatible(c.State, cn.State) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

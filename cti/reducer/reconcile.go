package reducer

import (
	"slices"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// Reconcile merges SnapshotDevice results, taken after a switchover or takeover, into the
// state (hot resync). snaps maps extensions to the items of their SnapshotDeviceResponse; lines
// missing from snaps are left alone (their snapshot failed or was not taken).
//
// Per line, calls are matched to items by PBX call ID. An item whose call ID the line does not
// know is a new call, unless the standby node numbers the same calls differently: calls (the
// SnapshotCall response items, by the item's call ID) then show that it is a stored call in a compatible
// state with a party in common, which takes the new ID with LINE_CALLINFO CALLID. Items without
// a call ID (some switches omit it) are matched by state alone. Matched calls keep their handle
// and produce an event only if something changed; calls without an item go IDLE; items
// without a call are announced with LINE_NEWCALL. A call never carries on under another
// call's ID: that would show the old caller for a new call.
func (s *State) Reconcile(snaps map[string][]csta.SnapshotDeviceItem, calls map[string][]csta.SnapshotCallItem, now time.Time) Result {
	exts := make([]string, 0, len(snaps))
	for ext := range snaps {
		if _, ok := s.lines[ext]; ok {
			exts = append(exts, ext)
		}
	}
	sort.Strings(exts)
	var res Result
	for _, ext := range exts {
		st := &step{s: s, ls: s.lines[ext], now: now}
		if st.ls.Queue != nil {
			st.reconcileQueue(snaps[ext])
		} else {
			st.reconcileLine(snaps[ext], calls)
		}
		res.merge(st.res)
	}
	return res
}

// reconcileLine makes a line's calls what the snapshot says: each snapshot item is matched
// with a call by call ID, else by state and party; matched calls take the item's state,
// unmatched calls end and unmatched items are adopted as new calls.
func (st *step) reconcileLine(items []csta.SnapshotDeviceItem, snapCalls map[string][]csta.SnapshotCallItem) {
	var calls []*tapi.Call
	for _, h := range st.s.lineHandles(st.ls) {
		calls = append(calls, st.s.calls[h])
	}
	matched, rest := st.matchByCallID(usableItems(items))
	fresh := st.matchByState(calls, rest, matched, snapCalls)
	var vanished []*tapi.Call
	for _, c := range calls {
		it, ok := matched[c]
		if !ok {
			vanished = append(vanished, c)
			continue
		}
		if !Compatible(c.State, it.State()) {
			st.setState(c, statusForLocal(it.State()))
		}
		if id := it.Connection.CallID; id != "" {
			st.reconcileConference(c, snapCalls[id])
		}
	}
	st.idle("not present after resync", vanished...)
	for _, it := range fresh {
		st.adoptItem(it, snapCalls[it.Connection.CallID])
	}
}

// matchByCallID pairs items with the line's calls of the same call ID; rest are the others.
func (st *step) matchByCallID(items []csta.SnapshotDeviceItem) (map[*tapi.Call]csta.SnapshotDeviceItem, []csta.SnapshotDeviceItem) {
	matched := make(map[*tapi.Call]csta.SnapshotDeviceItem, len(items))
	var rest []csta.SnapshotDeviceItem
	for _, it := range items {
		c := st.s.callAt(st.ls, it.Connection.CallID)
		if _, taken := matched[c]; c != nil && !taken && it.Connection.CallID != "" {
			matched[c] = it
			continue
		}
		rest = append(rest, it)
	}
	return matched, rest
}

// matchByState pairs the remaining items with unmatched calls by state (and party, when the
// item has a call ID the snapshot of calls knows), taking the call ID it brings; it returns
// the items no call matched. Every item is first given a call whose state is what the item's
// local state makes of it, and only then one that is merely compatible: a DISCONNECTED or
// BUSY call also has a connected connection, and taking it for an earlier connected item
// left the line's one connected call shown as busy while a failed item went unmatched.
func (st *step) matchByState(calls []*tapi.Call, rest []csta.SnapshotDeviceItem, matched map[*tapi.Call]csta.SnapshotDeviceItem,
	snapCalls map[string][]csta.SnapshotCallItem) []csta.SnapshotDeviceItem {
	done := make([]bool, len(rest))
	for _, want := range []func(tapi.CallState, csta.LocalConnectionState) bool{Natural, Compatible} {
		for i, it := range rest {
			if done[i] {
				continue
			}
			id := it.Connection.CallID
			found := st.callForItem(calls, it, matched, snapCalls[id], want)
			if found == nil {
				continue
			}
			done[i] = true
			matched[found] = it
			if id != "" && !found.HasCallID(id) && st.setCallID(found, id, nil) {
				st.updateInfo(found, tapi.LINECALLINFOSTATE_CALLID, nil)
			}
		}
	}
	var fresh []csta.SnapshotDeviceItem
	for i, it := range rest {
		if !done[i] {
			fresh = append(fresh, it)
		}
	}
	return fresh
}

// callForItem finds an unmatched call for a snapshot item whose state fits it by want.
func (st *step) callForItem(calls []*tapi.Call, it csta.SnapshotDeviceItem, matched map[*tapi.Call]csta.SnapshotDeviceItem,
	parties []csta.SnapshotCallItem, want func(tapi.CallState, csta.LocalConnectionState) bool) *tapi.Call {
	for _, c := range calls {
		if _, taken := matched[c]; taken || !want(c.State, it.State()) || !everConnected(c, it.State()) {
			continue
		}
		if it.Connection.CallID == "" || st.shareParty(c, parties) {
			return c
		}
	}
	return nil
}

// everConnected reports whether a call could have the line's connection in local state l as
// far as its connectedness goes: a BUSY or DISCONNECTED call has a connected connection only
// if the line was ever connected in it, as the caller or by answering. A call that rang here
// and whose caller left before an answer has none (ECMA-269: an alerting connection becomes
// connected only by an answer); taking it for a connected item kept a stale DISCONNECTED call
// (its CallCleared could not be placed) in place of the line's connected call.
func everConnected(c *tapi.Call, l csta.LocalConnectionState) bool {
	if l != csta.StateConnected || !inState(c, tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED) {
		return true
	}
	return !c.ConnectedAt.IsZero() || c.Info.Origin == tapi.LINECALLORIGIN_OUTBOUND
}

// adoptItem adopts a call the snapshot shows and the line did not know.
func (st *step) adoptItem(it csta.SnapshotDeviceItem, items []csta.SnapshotCallItem) {
	status := statusForLocal(it.State())
	var info tapi.CallInfo
	switch it.State() {
	case csta.StateAlerting:
		info.Origin = tapi.LINECALLORIGIN_INBOUND
	case csta.StateInitiated:
		info.Origin, info.Reason = tapi.LINECALLORIGIN_OUTBOUND, tapi.LINECALLREASON_DIRECT
	}
	// With one other party, SnapshotCall says who it is: the caller of a call ringing here
	// (the popup of a call that started ringing during a switchover needs it), else the party
	// the line is connected to.
	if other, ok := st.onlyOtherParty(items); ok {
		if it.State() == csta.StateAlerting {
			info.Caller, info.Called = party(other), st.ownParty()
		} else {
			info.Connected = party(other)
		}
	}
	st.adopt(it.Connection.CallID, status, info, st.partiesOf(items))
}

// onlyOtherParty returns the device of a call, as SnapshotCall listed it, other than the
// line itself, when there is exactly one.
func (st *step) onlyOtherParty(items []csta.SnapshotCallItem) (csta.DeviceID, bool) {
	var other csta.DeviceID
	n := 0
	for _, it := range items {
		if !st.is(it.Device) {
			other = it.Device
			n++
		}
	}
	return other, n == 1
}

// partiesOf returns the devices of a call other than the line itself, as SnapshotCall listed
// them.
func (st *step) partiesOf(items []csta.SnapshotCallItem) []string {
	devs := make([]csta.DeviceID, len(items))
	for i, it := range items {
		devs[i] = it.Device
	}
	return dedupe(numbers(devs...), st.ls.Address)
}

// shareParty reports whether the call has a party, other than the line itself, among the
// devices of a call as SnapshotCall listed them (nil: not known), or whether both have none
// (a call still at dial tone).
func (st *step) shareParty(c *tapi.Call, items []csta.SnapshotCallItem) bool {
	if items == nil {
		return false
	}
	others := st.partiesOf(items)
	for _, d := range others {
		if slices.Contains(c.Parties, d) {
			return true
		}
	}
	return len(others) == 0 && len(c.Parties) == 0
}

// usableItems drops items in the null state and repeats of a call ID, keeping order.
func usableItems(items []csta.SnapshotDeviceItem) []csta.SnapshotDeviceItem {
	out := make([]csta.SnapshotDeviceItem, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		id := it.Connection.CallID
		if it.State() == csta.StateNull || (id != "" && seen[id]) {
			continue
		}
		seen[id] = true
		out = append(out, it)
	}
	return out
}

// Compatible reports whether a line's TAPI call state can describe the device's local
// connection state in a snapshot: a call whose other party left (BUSY, DISCONNECTED) may still
// have a connected connection.
func Compatible(s tapi.CallState, l csta.LocalConnectionState) bool {
	switch s {
	case tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED:
		return l == csta.StateAlerting
	case tapi.LINECALLSTATE_DIALTONE:
		return l == csta.StateInitiated
	case tapi.LINECALLSTATE_DIALING:
		// Originated without the number yet: the connection is already connected.
		return l == csta.StateInitiated || l == csta.StateConnected
	case tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK:
		return l == csta.StateConnected || l == csta.StateQueued
	case tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED:
		return l == csta.StateConnected
	case tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDCONF, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER:
		return l == csta.StateHold
	case tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED:
		return l == csta.StateFail || l == csta.StateConnected
	case tapi.LINECALLSTATE_UNKNOWN:
		return true
	}
	return false
}

// Natural reports whether a call state is the one a connection in the local state l reads
// as: Compatible, except that a call whose other party left (BUSY, DISCONNECTED) is not the
// reading of a connected connection, and UNKNOWN reads as none.
func Natural(s tapi.CallState, l csta.LocalConnectionState) bool {
	switch s {
	case tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED:
		return l == csta.StateFail
	case tapi.LINECALLSTATE_UNKNOWN:
		return false
	}
	return Compatible(s, l)
}

// statusForLocal is the TAPI state of a call known only from its local connection state.
func statusForLocal(l csta.LocalConnectionState) tapi.CallStatus {
	switch l {
	case csta.StateAlerting:
		return statusOffering
	case csta.StateInitiated:
		return statusDialTone
	case csta.StateConnected:
		return statusConnected
	case csta.StateHold:
		return statusOnHold
	case csta.StateQueued:
		return statusProceed
	case csta.StateFail:
		return tapi.CallStatus{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_UNKNOWN}
	}
	return tapi.CallStatus{State: tapi.LINECALLSTATE_UNKNOWN}
}

// Reset ends every call of the PBX for clients (cold resync): LINE_CALLSTATE IDLE with detail
// for each call, all calls removed. Lines stay.
func (s *State) Reset(detail string, now time.Time) Result {
	var res Result
	for _, l := range s.Lines() {
		st := &step{s: s, ls: s.lines[l.Address], now: now}
		var cs []*tapi.Call
		for _, h := range s.lineHandles(st.ls) {
			cs = append(cs, s.calls[h])
		}
		for _, c := range cs {
			c.Info.RelatedCall = "" // every partner goes too
		}
		st.idle(detail, cs...)
		res.merge(st.res)
	}
	return res
}

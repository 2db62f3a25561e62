package e2e

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// eventReport is what checking one client's stream against the log found.
type eventReport struct {
	problems   []string // wrong order, duplicates, gaps, content or epoch without resync
	missing    int      // log entries for the client it has not received (yet)
	unverified int      // received events the recorder never read (written just before a store loss)
	events     int
	resyncs    int
}

// forClient reports whether the bridge owes e to a client subscribed to lines.
func forClient(e store.Entry, lines map[string]bool) bool {
	return e.Event.Type != tapi.LineReply && (e.Event.Line == "" || lines[e.Event.Line])
}

// checkStream walks a client's stream: every event must be the next entry of the log that
// is for the client, in the epoch of its last resync or replay, so that each is delivered
// exactly once and in order; a resync restarts the walk at its position.
func checkStream(o *observer, got []seen, logs map[string][]store.Entry, last string) eventReport {
	var r eventReport
	lines := map[string]bool{}
	for _, l := range o.lines {
		lines[l] = true
	}
	var cur store.Position
	have := false
	bad := func(format string, a ...any) {
		if len(r.problems) < 8 {
			r.problems = append(r.problems, o.name+": "+fmt.Sprintf(format, a...))
		}
	}
	next := func(epoch string, after uint64) (store.Entry, bool) {
		for _, e := range logs[epoch] {
			if e.Offset > after && forClient(e, lines) {
				return e, true
			}
		}
		return store.Entry{}, false
	}
	for _, s := range got {
		if s.resync != nil {
			r.resyncs++
			cur, have = store.Position{Epoch: s.resync.Position.Epoch, Offset: s.resync.Position.Offset}, true
			continue
		}
		ev := s.event
		r.events++
		pos := store.Position{Epoch: ev.Position.Epoch, Offset: ev.Position.Offset}
		switch {
		case !have:
			bad("event %s/%d before any resync", pos.Epoch, pos.Offset)
		case pos.Epoch != cur.Epoch:
			bad("event %s/%d of a new epoch without a resync (cursor %s/%d)", pos.Epoch, pos.Offset, cur.Epoch, cur.Offset)
		case pos.Offset <= cur.Offset:
			bad("event %d again or out of order (cursor %d)", pos.Offset, cur.Offset)
		default:
			want, ok := next(cur.Epoch, cur.Offset)
			var tail uint64
			if es := logs[cur.Epoch]; len(es) > 0 {
				tail = es[len(es)-1].Offset
			}
			switch {
			case !ok && tail < pos.Offset:
				r.unverified++
			case !ok:
				bad("event %d is not for this client or not in the log", pos.Offset)
			case want.Offset < pos.Offset:
				bad("missed event %d (%s %s) before %d", want.Offset, want.Event.Type, want.Event.Line, pos.Offset)
			case want.Offset > pos.Offset:
				bad("event %d is not for this client or not in the log", pos.Offset)
			case !sameEvent(want.Event, ev.Event):
				bad("event %d differs from the log: got %s %s %s, log has %s %s %s", pos.Offset,
					ev.Type, ev.Line, ev.Handle, want.Event.Type, want.Event.Line, want.Event.Handle)
			}
		}
		cur, have = pos, true
	}
	if have && cur.Epoch == last {
		for _, e := range logs[last] {
			if e.Offset > cur.Offset && forClient(e, lines) {
				r.missing++
			}
		}
	} else if len(logs[last]) > 0 {
		r.missing++ // never resynced into the current epoch
	}
	return r
}

func sameEvent(a, b tapi.Event) bool {
	return a.Type == b.Type && a.Line == b.Line && a.Handle == b.Handle && a.Time.Equal(b.Time)
}

// callIDsSeen returns every PBX call ID the client was ever shown.
func callIDsSeen(got []seen) map[string]string {
	ids := map[string]string{}
	add := func(id, where string) {
		if id != "" {
			ids[id] = where
		}
	}
	for _, s := range got {
		if s.resync != nil {
			for _, c := range s.resync.Calls {
				add(c.CallID, "resync of "+c.Line)
				for _, o := range c.OtherCallIDs {
					add(o, "resync of "+c.Line)
				}
			}
			continue
		}
		ev := s.event
		where := fmt.Sprintf("%s %s at %d", ev.Type, ev.Line, ev.Position.Offset)
		if ev.Call != nil {
			add(ev.Call.CallID, where)
			for _, o := range ev.Call.OtherCallIDs {
				add(o, where)
			}
		}
		if ev.CallInfo != nil {
			add(ev.CallInfo.CallID, where)
		}
	}
	return ids
}

// checkTruth compares a client's mirror of its lines with the simulator's connections: the
// same calls, each in a state that can describe the PBX's.
func checkTruth(o *observer, tr pbxsim.Truth) []string {
	var problems []string
	byLine := map[string][]tapi.Call{}
	for _, c := range o.calls() {
		byLine[c.Line] = append(byLine[c.Line], c)
	}
	devs := map[string]pbxsim.DeviceTruth{}
	for _, d := range tr.Devices {
		devs[d.Number] = d
	}
	for _, line := range o.lines {
		_, ext, _ := strings.Cut(line, "/")
		var want, got []string
		for _, cn := range devs[ext].Connections {
			want = append(want, cn.CallID+":"+string(cn.State))
		}
		for _, c := range byLine[line] {
			got = append(got, c.CallID+":"+c.State.String())
		}
		sort.Strings(want)
		sort.Strings(got)
		if !matchCalls(devs[ext].Connections, byLine[line]) {
			problems = append(problems, fmt.Sprintf("%s %s: client has %v, PBX has %v", o.name, line, got, want))
		}
	}
	return problems
}

// matchCalls is reducer.MatchesSwitch for the simulator's ground truth of a device.
func matchCalls(conns []pbxsim.ConnTruth, calls []tapi.Call) bool {
	rc := make([]reducer.Connection, len(conns))
	for i, cn := range conns {
		rc[i] = reducer.Connection{CallID: cn.CallID, State: cn.State}
	}
	return reducer.MatchesSwitch(rc, calls)
}

// checkRequests finds CSTA requests sent by an instance that did not hold the lease (the
// samples just before and after show another holder with the same token), and requests of two
// instances interleaved within one lease lifetime.
func checkRequests(reqs []cstaRequest, leases []leaseSample) (problems []string, unattributed int) {
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].At.Before(reqs[j].At) })
	add := func(format string, a ...any) {
		if len(problems) < 8 {
			problems = append(problems, fmt.Sprintf(format, a...))
		}
	}
	for _, r := range reqs {
		if r.Instance == "" {
			unattributed++
			continue
		}
		i := sort.Search(len(leases), func(i int) bool { return !leases[i].At.Before(r.At) })
		var before, after *leaseSample
		for k := i - 1; k >= 0; k-- {
			if leases[k].OK {
				before = &leases[k]
				break
			}
		}
		for k := i; k < len(leases); k++ {
			if leases[k].OK {
				after = &leases[k]
				break
			}
		}
		if before != nil && after != nil && before.Owner == after.Owner && before.Token == after.Token &&
			before.Owner != r.Instance && after.At.Sub(before.At) < time.Second {
			add("%s sent %s to %s at %s while %s held the lease (token %d)", r.Instance, r.Service, r.Node,
				r.At.Format("15:04:05.000"), stringOr(before.Owner, "nobody"), before.Token)
		}
	}
	// Interleaving: X at t1, Y at t2, X again at t3 with t3-t1 shorter than a lease.
	lastBy := map[string]time.Time{}
	for i, r := range reqs {
		if r.Instance == "" {
			continue
		}
		for x, t1 := range lastBy {
			if x == r.Instance {
				continue
			}
			for _, r3 := range reqs[i+1:] {
				if r3.At.Sub(t1) >= leaseTTL {
					break
				}
				if r3.Instance == x {
					add("%s and %s both sent requests: %s at %s, %s at %s, %s at %s", x, r.Instance,
						x, t1.Format("15:04:05.000"), r.Instance, r.At.Format("15:04:05.000"), x, r3.At.Format("15:04:05.000"))
					break
				}
			}
		}
		lastBy[r.Instance] = r.At
	}
	return problems, unattributed
}

func stringOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

package cti

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// refJournal is the call records as the journal built them before it was made cheaper: every
// call tracked afresh from every event, every line looked up as often as a record asks for it. The tests below
// hold journalEntries to it.
func refJournal(in journalInput) []store.JournalEntry {
	tr := map[tapi.CallHandle]*callTrack{}
	for _, h := range in.removed {
		t := &callTrack{}
		if c := in.prev(h); c != nil {
			t.call, t.known, t.last = *c, true, c.CallStatus
			t.answered = !c.ConnectedAt.IsZero()
			t.addInfo(c.Info)
		}
		tr[h] = t
	}
	for i := range in.events { // every event, none passed over by type
		if t := tr[in.events[i].Handle]; t != nil {
			t.follow(&in.events[i])
		}
	}
	var out []store.JournalEntry
	for _, h := range in.removed {
		if t := tr[h]; t.known {
			out = append(out, refRecord(in, t, h))
		}
	}
	return out
}

func refRecord(in journalInput, t *callTrack, h tapi.CallHandle) store.JournalEntry {
	c := &t.call
	line := func(ext string) (string, bool) {
		if l := in.line(ext); l != nil {
			return l.DisplayName, true
		}
		return "", false
	}
	own := tapi.PartyID{}
	if ext, ok := strings.CutPrefix(c.Line, in.pbx+"/"); ok {
		if l := in.line(ext); l != nil {
			own = tapi.PartyID{Number: l.Address, Name: l.DisplayName, Flags: tapi.LINECALLPARTYID_ADDRESS}
			if l.DisplayName != "" {
				own.Flags |= tapi.LINECALLPARTYID_NAME
			}
		}
	}
	j := store.JournalEntry{
		PBX: in.pbx, Line: c.Line, Handle: h, CallID: c.CallID, Origin: c.Info.Origin, Reason: c.Info.Reason,
		Caller: c.Info.Caller, Called: c.Info.Called, Connected: c.Info.Connected,
		Started: c.Created, Answered: c.ConnectedAt, Ended: in.ended, Outcome: callOutcome(t),
		Direction: direction(c, placedBy(c, own), line),
	}
	if j.Answered.IsZero() {
		j.RingMs = max(j.Ended.Sub(j.Started).Milliseconds(), 0)
	} else {
		j.RingMs = max(j.Answered.Sub(j.Started).Milliseconds(), 0)
		j.TalkMs = max(j.Ended.Sub(j.Answered).Milliseconds(), 0)
	}
	switch {
	case j.Outcome == store.OutcomePickedUp:
		j.AnsweredBy = c.Info.Redirection
	case j.Outcome != store.OutcomeAnswered:
	case placedBy(c, own):
		j.AnsweredBy = firstKnown(c.Info.Connected, c.Info.Redirection, c.Info.Called)
	default:
		j.AnsweredBy = firstKnown(own, c.Info.Called)
	}
	j.Chain = chain(t.infos, own, placedBy(c, own), j.Outcome)
	for _, p := range []*tapi.PartyID{&j.Caller, &j.Called, &j.Connected, &j.AnsweredBy} {
		nameParty(p, line)
	}
	for i := range j.Chain {
		nameParty(&j.Chain[i].From, line)
		nameParty(&j.Chain[i].To, line)
	}
	return j
}

// withoutIDs blanks the records' IDs, new for each record.
func withoutIDs(rs []store.JournalEntry) []store.JournalEntry {
	out := make([]store.JournalEntry, len(rs))
	for i, r := range rs {
		r.ID = ""
		out[i] = r
	}
	return out
}

// TestJournalEquivalent holds the journal to refJournal on random batches: calls known
// before the batch or not, with call infos of lines (named or not, an address other than
// the extension) and of other numbers, redirections and transfers, in every state.
func TestJournalEquivalent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const pbx = "hq"
	lines := map[string]tapi.Line{}
	for i := range 12 {
		ext := fmt.Sprint(200 + i)
		l := tapi.NewLine(pbx, ext, "")
		switch i % 4 {
		case 0:
			l.DisplayName = "Line " + ext
		case 1:
			l.Address = "0" + ext // the PBX's own form of the number
		}
		lines[ext] = l
	}
	numbers := []string{"", "200", "201", "202", "203", "204", "205", "209", "210", "0201", "555123", "777"}
	party := func() tapi.PartyID {
		p := tapi.PartyID{Number: numbers[rng.IntN(len(numbers))]}
		if p.Number != "" {
			p.Flags = tapi.LINECALLPARTYID_ADDRESS
		}
		if rng.IntN(5) == 0 {
			p.Name, p.Flags = "Known", p.Flags|tapi.LINECALLPARTYID_NAME
		}
		return p
	}
	reasons := []tapi.CallReason{0, tapi.LINECALLREASON_DIRECT, tapi.LINECALLREASON_FWDBUSY, tapi.LINECALLREASON_REDIRECT,
		tapi.LINECALLREASON_TRANSFER, tapi.LINECALLREASON_PICKUP}
	origins := []tapi.CallOrigin{0, tapi.LINECALLORIGIN_INTERNAL, tapi.LINECALLORIGIN_EXTERNAL, tapi.LINECALLORIGIN_OUTBOUND,
		tapi.LINECALLORIGIN_UNKNOWN, tapi.LINECALLORIGIN_CONFERENCE}
	info := func() tapi.CallInfo {
		return tapi.CallInfo{Origin: origins[rng.IntN(len(origins))], Reason: reasons[rng.IntN(len(reasons))],
			Caller: party(), Called: party(), Connected: party(), Redirecting: party(), Redirection: party()}
	}
	states := []tapi.CallStatus{{State: tapi.LINECALLSTATE_OFFERING}, {State: tapi.LINECALLSTATE_CONNECTED},
		{State: tapi.LINECALLSTATE_BUSY}, {State: tapi.LINECALLSTATE_CONFERENCED}, {State: tapi.LINECALLSTATE_IDLE},
		{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_FORWARDED},
		{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_PICKUP},
		{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_BUSY},
		{State: tapi.LINECALLSTATE_DISCONNECTED, DisconnectMode: tapi.LINEDISCONNECTMODE_NORMAL}}
	base := time.Unix(1e9, 0)
	call := func(h tapi.CallHandle) tapi.Call {
		c := tapi.Call{Handle: h, Line: pbx + "/" + numbers[1+rng.IntN(6)], CallID: fmt.Sprint("C", rng.IntN(9)),
			CallStatus: states[rng.IntN(len(states))], Info: info(), Created: base.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)}
		if rng.IntN(3) == 0 {
			c.Line = "other/" + numbers[1+rng.IntN(6)] // not one of the PBX's lines
		}
		if rng.IntN(3) == 0 {
			c.ConnectedAt = c.Created.Add(time.Second)
		}
		return c
	}
	var scratch journalScratch
	for batch := range 300 {
		// The lines change between batches (named, renamed, gone, back): a batch's records
		// see the lines as they are then, not as an earlier batch's records found them.
		if ext := fmt.Sprint(200 + rng.IntN(12)); rng.IntN(2) == 0 {
			switch l, ok := lines[ext]; {
			case !ok:
				lines[ext] = tapi.NewLine(pbx, ext, "")
			case rng.IntN(3) == 0:
				delete(lines, ext)
			default:
				l.DisplayName = fmt.Sprint("Line ", ext, " ", batch)
				lines[ext] = l
			}
		}
		stored := map[tapi.CallHandle]tapi.Call{}
		var removed []tapi.CallHandle
		var events []tapi.Event
		for k := range 1 + rng.IntN(8) {
			h := tapi.MakeHandle(pbx, uint64(batch*10+k))
			if rng.IntN(3) > 0 {
				stored[h] = call(h)
			}
			removed = append(removed, h)
		}
		for range rng.IntN(30) {
			h := removed[rng.IntN(len(removed))]
			if rng.IntN(6) == 0 {
				h = "hq:other"
			}
			ev := tapi.Event{Handle: h, Time: base.Add(time.Duration(rng.IntN(9000)) * time.Millisecond)}
			switch rng.IntN(4) {
			case 0:
				c := call(h)
				ev.Type, ev.Call = tapi.LineNewCall, &c
			case 1:
				s := states[rng.IntN(len(states))]
				ev.Type, ev.CallState = tapi.LineCallState, &s
			case 2:
				ev.Type, ev.CallInfo = tapi.LineCallInfo, &tapi.CallInfoEvent{Info: info(), CallID: []string{"", "X"}[rng.IntN(2)]}
			default:
				ev.Type = tapi.LineConference
			}
			events = append(events, ev)
		}
		in := journalInput{pbx: pbx, removed: removed, events: events, ended: base.Add(10 * time.Second),
			prev: func(h tapi.CallHandle) *tapi.Call {
				if c, ok := stored[h]; ok {
					return &c
				}
				return nil
			},
			line: func(ext string) *tapi.Line {
				if l, ok := lines[ext]; ok {
					return &l
				}
				return nil
			}}
		want := withoutIDs(refJournal(in))
		in.scratch = &scratch
		got := journalEntries(in)
		require.Equal(t, want, withoutIDs(got), "batch %d", batch)
		scratch.keepRecords(got)
	}
}

// TestLineCache: a batch's cache gives what the lookup gives, with many numbers sharing
// places, and forgets every number when cleared (the lines change between batches).
func TestLineCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lines := map[string]*tapi.Line{}
	find := func(ext string) *tapi.Line { return lines[ext] }
	var c lineCache
	for batch := range 50 {
		for range 20 {
			ext := fmt.Sprint(rng.IntN(300))
			if rng.IntN(2) == 0 {
				delete(lines, ext)
			} else {
				l := tapi.NewLine("hq", ext, fmt.Sprint("Line ", ext, " ", batch))
				lines[ext] = &l
			}
		}
		m := lineMemo{find: find, cache: &c}
		for range 500 {
			ext := fmt.Sprint(rng.IntN(300))
			require.Equal(t, lineAt(find, ext), m.lookup(ext), "batch %d, %s", batch, ext)
		}
		c.clear()
		require.Equal(t, lineCache{}, c)
	}
	m := lineMemo{find: find, cache: &c}
	require.Equal(t, lineFacts{}, m.lookup("")) // "" is a number like any other: none
	lines[""] = &tapi.Line{Address: "x"}
	require.Equal(t, lineFacts{}, m.lookup(""), "remembered within the batch")
	c.clear()
	require.Equal(t, lineAt(find, ""), m.lookup(""))
}

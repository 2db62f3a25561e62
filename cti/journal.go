package cti

import (
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// callTrack follows one call through a batch's events.
type callTrack struct {
	call     tapi.Call
	known    bool
	answered bool
	last     tapi.CallStatus // last state before IDLE
	infos    []tapi.CallInfo // the call infos seen, oldest first, for the chain
}

// journalInput is what the journal of a batch is built from.
type journalInput struct {
	pbx     string
	removed []tapi.CallHandle
	// prev gives the call as last persisted (nil: absent, for calls created within the
	// batch), not a copy (the track copies it); events are the batch's events in order,
	// which carry everything that happened since.
	prev   func(tapi.CallHandle) *tapi.Call
	events []tapi.Event
	// line returns a configured line of the PBX by extension (nil: none): the line's own
	// party, and whether an outbound call went to another line of the PBX. By extension, not
	// name: a record looks up several numbers, and making "pbx/number" of each cost an
	// allocation. A pointer, not a copy: a record reads two of the line's fields.
	line  func(extension string) *tapi.Line
	ended time.Time
	// scratch, when set, lends the tracking of the calls from one batch to the next.
	scratch *journalScratch
}

// journalScratch is the tracking of a batch's calls, kept for the next batch (pipeline
// goroutine only): a track and a few grown arrays of call infos per call were most of the
// journal's allocations.
type journalScratch struct {
	tr     batchMap[tapi.CallHandle, *callTrack]
	tracks []callTrack
	infos  []tapi.CallInfo
	// records is the array of the last batch's records, given back once the batch is
	// written (keepRecords): the stores encode the records and keep nothing of the batch.
	records []store.JournalEntry
	// maxCalls is the most calls whose tracking is kept while the pipeline is busy
	// (keepScratch): the PBX's MaxBatch; 0 keeps maxJournalScratch at most.
	maxCalls int
	// lines remembers the lines the batch's records looked up (lineCache).
	lines lineCache
}

// keepRecords takes a written batch's records back for the next batch's.
func (s *journalScratch) keepRecords(rs []store.JournalEntry) {
	clear(rs)
	// A batch without records keeps the last array.
	if cap(rs) > 0 && keepScratch(cap(rs), maxJournalScratch, s.maxCalls) {
		s.records = rs[:0]
	}
}

// recordsFor returns an empty array for n records: the last batch's, when there is one (s
// may be nil) and it is large enough.
func (s *journalScratch) recordsFor(n int) []store.JournalEntry {
	if s != nil && cap(s.records) >= max(n, 1) {
		out := s.records[:0]
		s.records = nil
		return out
	}
	return make([]store.JournalEntry, 0, scratchCap(n))
}

// journalInfos is how many call infos of a call fit its share of the scratch (a call shows
// two to four; more go to an array of its own).
const journalInfos = 4

// maxJournalScratch is how many calls' tracking is always kept between batches; more is
// kept while the pipeline is busy (keepScratch).
const maxJournalScratch = 256

// take returns empty tracks for n calls, with an index to fill.
func (s *journalScratch) take(n int) (map[tapi.CallHandle]*callTrack, []callTrack) {
	tr := s.tr.empty()
	if cap(s.tracks) < n {
		s.tracks = make([]callTrack, scratchCap(n))
		s.infos = make([]tapi.CallInfo, len(s.tracks)*journalInfos)
	}
	tracks := s.tracks[:n]
	for i := range tracks {
		tracks[i].infos = s.infos[i*journalInfos : i*journalInfos : (i+1)*journalInfos]
	}
	return tr, tracks
}

// give clears what take lent (nothing of a batch stays reachable) and keeps it unless large.
func (s *journalScratch) give(n int) {
	clear(s.tracks[:n])
	clear(s.infos[:n*journalInfos])
	if !keepScratch(cap(s.tracks), maxJournalScratch, s.maxCalls) {
		s.tracks, s.infos = nil, nil
	}
}

// large says whether idle would give up arrays.
func (s *journalScratch) large() bool {
	return cap(s.tracks) > maxJournalScratch || cap(s.records) > maxJournalScratch
}

// idle gives up the arrays larger than a small batch needs (scratch.idle).
func (s *journalScratch) idle() {
	if cap(s.tracks) > maxJournalScratch {
		s.tracks, s.infos = nil, nil
	}
	if cap(s.records) > maxJournalScratch {
		s.records = nil
	}
}

// lineFacts is what a call record takes from a line of the PBX.
type lineFacts struct {
	address, displayName string
	found                bool
}

// lineAt returns the facts of the PBX's line ext, found by line.
func lineAt(line func(extension string) *tapi.Line, ext string) lineFacts {
	if l := line(ext); l != nil {
		return lineFacts{address: l.Address, displayName: l.DisplayName, found: true}
	}
	return lineFacts{}
}

// extensionOf returns the extension of the PBX's line named name ("pbx/extension").
func extensionOf(pbx, name string) (string, bool) {
	ext, ok := strings.CutPrefix(name, pbx)
	if !ok || !strings.HasPrefix(ext, "/") {
		return "", false
	}
	return ext[1:], true
}

// journalEntries builds the call records of the calls removed in a batch: one record per
// line's call, with a new id (store.NewRecordIDs), written in the batch's fenced Apply.
func journalEntries(in journalInput) []store.JournalEntry {
	js := in.scratch
	if js == nil {
		js = &journalScratch{}
	}
	tr, tracks := js.take(len(in.removed))
	defer js.give(len(in.removed))
	defer js.lines.clear()
	for i, h := range in.removed {
		t := &tracks[i]
		if c := in.prev(h); c != nil {
			t.call, t.known, t.last = *c, true, c.CallStatus
			t.answered = !c.ConnectedAt.IsZero()
			t.addInfo(c.Info)
		}
		tr[h] = t
	}
	for i := range in.events {
		ev := &in.events[i]
		if ev.Type != tapi.LineNewCall && ev.Type != tapi.LineCallState && ev.Type != tapi.LineCallInfo {
			continue // nothing a record takes (and no lookup for it)
		}
		if t := tr[ev.Handle]; t != nil {
			t.follow(ev)
		}
	}
	// The records' ids, made together (one string instead of one each): as many as there may
	// be records, one per removed call.
	ids := store.NewRecordIDs(in.ended, len(in.removed))
	out := in.scratch.recordsFor(len(in.removed))
	for _, h := range in.removed {
		t := tr[h]
		if !t.known {
			continue
		}
		k := len(out) * store.RecordIDLen
		out = append(out, t.record(in.pbx, in.ended, lineMemo{find: in.line, cache: &js.lines}, h, ids[k:k+store.RecordIDLen]))
	}
	return out
}

// follow applies one of the batch's events of the tracked call.
func (t *callTrack) follow(ev *tapi.Event) {
	switch ev.Type {
	case tapi.LineNewCall:
		if ev.Call != nil {
			t.call, t.known, t.last = *ev.Call, true, ev.Call.CallStatus
			t.addInfo(ev.Call.Info)
		}
	case tapi.LineCallState:
		if s := ev.CallState; s != nil && s.State != tapi.LINECALLSTATE_IDLE {
			t.last = *s
			if s.State == tapi.LINECALLSTATE_CONNECTED || s.State == tapi.LINECALLSTATE_CONFERENCED {
				t.answered = true
				if t.call.ConnectedAt.IsZero() {
					t.call.ConnectedAt = ev.Time
				}
			}
		}
	case tapi.LineCallInfo:
		if ev.CallInfo != nil {
			t.call.Info = ev.CallInfo.Info
			if ev.CallInfo.CallID != "" {
				t.call.CallID = ev.CallInfo.CallID
			}
			t.addInfo(ev.CallInfo.Info)
		}
	}
}

// record makes the call record of a tracked call, with id, looking lines up through names.
// It takes the PBX, the end and the lines' lookup, not the journalInput: what its memo holds
// goes to the heap (the memo is read through func values, which the compiler cannot follow),
// and a journalInput there took its funcs along, three allocations per batch.
func (t *callTrack) record(pbx string, ended time.Time, names lineMemo, h tapi.CallHandle, id string) store.JournalEntry {
	c := &t.call
	own := tapi.PartyID{}
	// The line's own extension goes through the memo too: the caller of a call the line
	// placed, or the called of one it took, is the line itself (a lookup less per record,
	// each a cache miss or two in the PBX's thousands of lines).
	var l lineFacts
	if ext, ok := extensionOf(pbx, c.Line); ok {
		l = names.lookup(ext)
	}
	if l.found {
		own = tapi.PartyID{Number: l.address, Name: l.displayName, Flags: tapi.LINECALLPARTYID_ADDRESS}
		if l.displayName != "" {
			own.Flags |= tapi.LINECALLPARTYID_NAME
		}
	}
	j := store.JournalEntry{
		ID: id, PBX: pbx,
		Line: c.Line, Handle: h, CallID: c.CallID, Origin: c.Info.Origin, Reason: c.Info.Reason,
		Caller: c.Info.Caller, Called: c.Info.Called, Connected: c.Info.Connected,
		Started: c.Created, Answered: c.ConnectedAt, Ended: ended, Outcome: callOutcome(t),
		Direction: direction(c, placedBy(c, own), names.line),
	}
	if j.Answered.IsZero() {
		j.RingMs = max(j.Ended.Sub(j.Started).Milliseconds(), 0)
	} else {
		j.RingMs = max(j.Answered.Sub(j.Started).Milliseconds(), 0)
		j.TalkMs = max(j.Ended.Sub(j.Answered).Milliseconds(), 0)
	}
	switch {
	case j.Outcome == store.OutcomePickedUp:
		j.AnsweredBy = c.Info.Redirection // the device that picked the call up
	case j.Outcome != store.OutcomeAnswered:
	case placedBy(c, own):
		j.AnsweredBy = firstKnown(c.Info.Connected, c.Info.Redirection, c.Info.Called)
	default:
		j.AnsweredBy = firstKnown(own, c.Info.Called)
	}
	j.Chain = chain(t.infos, own, placedBy(c, own), j.Outcome)
	named := func(p *tapi.PartyID) { nameParty(p, names.line) }
	named(&j.Caller)
	named(&j.Called)
	named(&j.Connected)
	named(&j.AnsweredBy)
	for i := range j.Chain {
		named(&j.Chain[i].From)
		named(&j.Chain[i].To)
	}
	return j
}

// lineMemo is a record's lookup of the PBX's lines by number, through the batch's cache.
type lineMemo struct {
	find  func(extension string) *tapi.Line // journalInput.line
	cache *lineCache
}

// line returns the display name of the PBX's line ext and whether there is one; lookup,
// remembered.
func (m *lineMemo) line(ext string) (displayName string, ok bool) {
	l := m.lookup(ext)
	return l.displayName, l.found
}

// lookup returns the facts of the PBX's line ext, remembered.
func (m *lineMemo) lookup(ext string) lineFacts {
	sl := m.cache.slot(ext)
	if sl.set && sl.ext == ext {
		return sl.facts
	}
	l := lineAt(m.find, ext)
	*sl = lineCacheSlot{set: true, ext: ext, facts: l}
	return l
}

// lineCache remembers the lines a batch's records looked up by number, in a small table
// with one place per number's hash (a new number takes the place of an older one). A record
// looks up a few numbers again (caller, called, connected, answered by, the chain's steps),
// and a call between two lines of the PBX ends both lines' calls in one batch, whose
// records look up the same two numbers: each lookup in the view's thousands of lines is a
// few cache misses, a place here is one comparison. (A Go map as the batch's memo cost more
// than the lookups it saved.) The view does not change while a batch's records are made;
// clear forgets them once they are made.
type lineCache struct {
	slots [lineCacheSlots]lineCacheSlot
}

type lineCacheSlot struct {
	set   bool // the place holds ext's facts
	ext   string
	facts lineFacts
}

// lineCacheSlots is the number of places (a power of two): a batch's records look up a few
// numbers each, and a place is reused once its number's records are made.
const lineCacheSlots = 64

// clear empties every place: the lines may change before the next batch, and nothing of a
// batch (the numbers are its events' strings) stays reachable.
func (c *lineCache) clear() { c.slots = [lineCacheSlots]lineCacheSlot{} }

// slot returns the place of ext (FNV-1a of its bytes, the top bits).
func (c *lineCache) slot(ext string) *lineCacheSlot {
	h := uint32(2166136261)
	for i := 0; i < len(ext); i++ {
		h = (h ^ uint32(ext[i])) * 16777619
	}
	return &c.slots[h>>(32-lineCacheBits)]
}

// lineCacheBits is log2(lineCacheSlots).
const lineCacheBits = 6

// nameParty gives a party without a name the display name of the PBX's line it is, so that
// records show "202 Bob" where the PBX sent only "202". Names the call info carries (from
// the PBX or a directory) stay.
func nameParty(p *tapi.PartyID, line func(extension string) (displayName string, ok bool)) {
	if p.Name != "" || p.Number == "" {
		return
	}
	if name, ok := line(p.Number); ok && name != "" {
		p.Name = name
		p.Flags |= tapi.LINECALLPARTYID_NAME
	}
}

// direction classifies a call from its LINECALLORIGIN: INTERNAL is "internal"; EXTERNAL and
// INBOUND (an arriving call without a caller ID) are "inbound"; OUTBOUND, and a call adopted
// mid-way whose caller is the line (placed), are "outbound", or "internal" when the number
// dialled is another line of the same PBX; other calls adopted mid-way (UNKNOWN, UNAVAIL) and
// CONFERENCE are "unknown".
func direction(c *tapi.Call, placed bool, line func(extension string) (displayName string, ok bool)) string {
	switch c.Info.Origin {
	case tapi.LINECALLORIGIN_INTERNAL:
		return store.DirectionInternal
	case tapi.LINECALLORIGIN_EXTERNAL, tapi.LINECALLORIGIN_INBOUND:
		return store.DirectionInbound
	}
	if placed {
		if n := c.Info.Called.Number; n != "" {
			if _, ok := line(n); ok {
				return store.DirectionInternal
			}
		}
		return store.DirectionOutbound
	}
	return store.DirectionUnknown
}

// placedBy says whether the line placed the call: its origin says so, or, for a call whose
// origin the bridge did not learn (one it took up after its start, when the switch's first
// event of it came late or a resync found it), the caller is the line itself.
func placedBy(c *tapi.Call, own tapi.PartyID) bool {
	switch c.Info.Origin {
	case tapi.LINECALLORIGIN_OUTBOUND:
		return true
	case 0, tapi.LINECALLORIGIN_UNKNOWN, tapi.LINECALLORIGIN_UNAVAIL:
		return own.Number != "" && c.Info.Caller.Number == own.Number
	}
	return false
}

// addInfo keeps a call info the call carried, unless it repeats the last one.
func (t *callTrack) addInfo(i tapi.CallInfo) {
	if n := len(t.infos); n == 0 || t.infos[n-1] != i {
		t.infos = append(t.infos, i)
	}
}

// chain is the forwarding and transfer chain the call infos tell, oldest first:
//   - how the call arrived, when its first info has a redirecting reason and party
//     (forwarded, redirected, transferred or pickedUp from Redirecting to the line);
//   - each new connected party of a transfer (LINECALLREASON_TRANSFER);
//   - each new redirection target other than the line: where the call was sent on, kind
//     "pickedUp" or "forwarded" as the outcome says ("forwarded" for a call the line placed
//     that reached another device than it dialled).
//
// It covers what the infos seen by the journal show: the call as last stored and the
// batch's events.
func chain(infos []tapi.CallInfo, own tapi.PartyID, outbound bool, outcome string) []store.Redirect {
	var out []store.Redirect
	add := func(s store.Redirect) {
		if n := len(out); n > 0 && out[n-1].Kind == s.Kind && out[n-1].To == s.To {
			return
		}
		out = append(out, s)
	}
	var connected, target tapi.PartyID
	for k, i := range infos {
		if k == 0 {
			if kind := redirectKind(i.Reason); kind != "" && !i.Redirecting.IsZero() {
				add(store.Redirect{Kind: kind, Reason: i.Reason, From: i.Redirecting, To: firstKnown(own, i.Redirection)})
				target = i.Redirection
			}
		}
		if i.Reason == tapi.LINECALLREASON_TRANSFER && !i.Connected.IsZero() && i.Connected != connected &&
			(k > 0 || i.Redirecting.IsZero()) {
			add(store.Redirect{Kind: "transferred", Reason: i.Reason, To: i.Connected})
		}
		connected = i.Connected
		if to := i.Redirection; !to.IsZero() && to != target && (own.Number == "" || to.Number != own.Number) {
			kind, from := store.OutcomeForwarded, own
			if outcome == store.OutcomePickedUp {
				kind = store.OutcomePickedUp
			}
			if outbound {
				from = i.Called
			}
			add(store.Redirect{Kind: kind, From: from, To: to})
		}
		target = i.Redirection
	}
	return out
}

// redirectKind names the chain step of a LINECALLREASON; "" for reasons that are none.
func redirectKind(r tapi.CallReason) string {
	switch r {
	case tapi.LINECALLREASON_FWDBUSY, tapi.LINECALLREASON_FWDNOANSWER, tapi.LINECALLREASON_FWDUNCOND:
		return store.OutcomeForwarded
	case tapi.LINECALLREASON_REDIRECT:
		return "redirected"
	case tapi.LINECALLREASON_TRANSFER:
		return "transferred"
	case tapi.LINECALLREASON_PICKUP:
		return store.OutcomePickedUp
	}
	return ""
}

func firstKnown(ps ...tapi.PartyID) tapi.PartyID {
	for _, p := range ps {
		if !p.IsZero() {
			return p
		}
	}
	return tapi.PartyID{}
}

func callOutcome(t *callTrack) string {
	switch {
	case t.answered:
		return store.OutcomeAnswered
	case t.last.State == tapi.LINECALLSTATE_BUSY:
		return store.OutcomeBusy
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED && t.last.DisconnectMode == tapi.LINEDISCONNECTMODE_FORWARDED:
		return store.OutcomeForwarded
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED && t.last.DisconnectMode == tapi.LINEDISCONNECTMODE_PICKUP:
		return store.OutcomePickedUp
	case t.last.State == tapi.LINECALLSTATE_DISCONNECTED &&
		t.last.DisconnectMode != tapi.LINEDISCONNECTMODE_NORMAL:
		return store.OutcomeFailed
	case t.last.State == tapi.LINECALLSTATE_OFFERING || t.last.State == tapi.LINECALLSTATE_ACCEPTED:
		return store.OutcomeMissed
	}
	return store.OutcomeAbandoned
}

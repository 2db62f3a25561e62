package memory

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/ctibridge/ctibridge/tapi"
)

// The log and the call history keep events and finished calls in this compact binary form rather
// than as Go values. A retained entry is then a few hundred bytes without pointers, which the
// garbage collector never scans, instead of a struct with a dozen pointers into strings and
// payloads (100,000 log entries and up to 100,000 call records per PBX by default):
// scanning those made the collector's work per cycle grow with everything retained. It also
// makes the stored copy independent of the caller's values by construction.
//
// The form round-trips every field exactly (nil and empty slices apart, pointers nil or not),
// except that times lose their monotonic clock reading, as they do in the Redis store: a
// decoded time equals t.Round(0), location included. TestCodecRoundTrip guards it against
// fields added to the tapi types.
//
// Integers are varints, strings and slices a length and their contents (slices: length+1, 0
// for nil), times as codec_time.go says.

// encoder appends the binary form to b.
type encoder struct {
	b    []byte
	locs *locations
}

// uint and str write one byte for the lengths and small numbers that most are, without
// AppendUvarint's loop.
func (w *encoder) uint(x uint64) { w.b = appendUint(w.b, x) }

// appendUint and appendStr are uint and str on a slice that the caller keeps in registers
// across several fields, instead of loading and storing w.b for each.
func appendUint(b []byte, x uint64) []byte {
	if x < 0x80 {
		return append(b, byte(x))
	}
	return binary.AppendUvarint(b, x)
}

func appendStr(b []byte, s string) []byte {
	if len(s) == 0 { // most optional fields: no copy to make
		return append(b, 0)
	}
	if len(s) < 0x80 {
		return append(append(b, byte(len(s))), s...)
	}
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// int writes binary.AppendVarint's form (zigzag, then a uvarint) through uint's one-byte case.
func (w *encoder) int(x int64) { w.uint(uint64(x<<1) ^ uint64(x>>63)) }

func (w *encoder) str(s string) { w.b = appendStr(w.b, s) }

func (w *encoder) bools(a, b bool) {
	var x byte
	if a {
		x |= 1
	}
	if b {
		x |= 2
	}
	w.b = append(w.b, x)
}

func (w *encoder) strs(v []string) {
	if v == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(v)) + 1)
	for _, s := range v {
		w.str(s)
	}
}

// Payload presence bits of an event.
const (
	hasCall = 1 << iota
	hasCallState
	hasCallInfo
	hasLineState
	hasReply
	hasLink
	hasSwitch
	hasResync
	hasConference
	hasAgentStatus
	hasQueueStatus
)

func (w *encoder) event(e *tapi.Event) {
	w.int(int64(e.V))
	w.str(string(e.Type))
	w.time(e.Time)
	w.time(e.SwitchTime)
	b := appendStr(w.b, e.PBX)
	b = appendStr(b, e.Line)
	b = appendUint(b, uint64(e.Device))
	b = appendStr(b, string(e.Handle))
	b = appendStr(b, e.Detail)
	w.b = appendUint(b, payloads(e))
	if c := e.Call; c != nil {
		w.call(c)
	}
	if s := e.CallState; s != nil {
		w.callStatus(s)
	}
	if ci := e.CallInfo; ci != nil {
		w.uint(uint64(ci.Changed))
		w.str(ci.CallID)
		w.callInfo(&ci.Info)
	}
	if l := e.LineState; l != nil {
		w.uint(uint64(l.DevState))
		w.uint(uint64(l.AddressState))
		w.line(&l.Line)
	}
	if r := e.Reply; r != nil {
		w.uint(uint64(r.RequestID))
		w.uint(uint64(r.Result))
		w.str(string(r.Handle))
		w.str(r.Error)
		w.str(r.CSTACategory)
		w.str(r.CSTAValue)
	}
	if l := e.Link; l != nil {
		w.str(l.Node)
		w.str(l.Status)
		w.str(l.Address)
		w.str(l.Reason)
		w.bools(l.Active, false)
	}
	if s := e.Switch; s != nil {
		w.str(s.From)
		w.str(s.To)
		w.str(s.Reason)
		w.bools(s.Forced, false)
	}
	if r := e.Resync; r != nil {
		w.str(r.Mode)
		w.str(r.Phase)
		w.str(r.Reason)
		w.time(r.Started)
		w.int(r.DurationMs)
		w.int(int64(r.Lines))
		w.int(int64(r.Calls))
		w.int(int64(r.Events))
	}
	if c := e.Conference; c != nil {
		w.conference(c)
	}
	w.agentPayloads(e)
}

// payloads returns the presence bits of e's payloads.
func payloads(e *tapi.Event) uint64 {
	var has uint64
	if e.Call != nil {
		has |= hasCall
	}
	if e.CallState != nil {
		has |= hasCallState
	}
	if e.CallInfo != nil {
		has |= hasCallInfo
	}
	if e.LineState != nil {
		has |= hasLineState
	}
	if e.Reply != nil {
		has |= hasReply
	}
	if e.Link != nil {
		has |= hasLink
	}
	if e.Switch != nil {
		has |= hasSwitch
	}
	if e.Resync != nil {
		has |= hasResync
	}
	if e.Conference != nil {
		has |= hasConference
	}
	if e.AgentStatus != nil {
		has |= hasAgentStatus
	}
	if e.QueueStatus != nil {
		has |= hasQueueStatus
	}
	return has
}

func (w *encoder) conference(c *tapi.Conference) {
	w.str(string(c.Handle))
	if c.Parties == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(c.Parties)) + 1)
	for i := range c.Parties {
		w.party(&c.Parties[i])
	}
}

func (w *encoder) call(c *tapi.Call) {
	b := appendStr(w.b, string(c.Handle))
	b = appendStr(b, c.Line)
	w.b = appendStr(b, c.CallID)
	w.strs(c.OtherCallIDs)
	w.callStatus(&c.CallStatus)
	w.callInfo(&c.Info)
	w.strs(c.Parties)
	if c.Conference == nil {
		w.bools(false, false)
	} else {
		w.bools(true, false)
		w.conference(c.Conference)
	}
	w.time(c.Created)
	w.time(c.StateSince)
	w.time(c.ConnectedAt)
}

func (w *encoder) callStatus(s *tapi.CallStatus) {
	w.uint(uint64(s.State))
	if x := uint32(s.OfferingMode) | uint32(s.ConnectedMode) | uint32(s.DisconnectMode) |
		uint32(s.BusyMode) | uint32(s.DialToneMode); x < 0x80 { // one byte each, as uint writes them
		w.b = append(w.b, byte(s.OfferingMode), byte(s.ConnectedMode), byte(s.DisconnectMode),
			byte(s.BusyMode), byte(s.DialToneMode))
		return
	}
	w.uint(uint64(s.OfferingMode))
	w.uint(uint64(s.ConnectedMode))
	w.uint(uint64(s.DisconnectMode))
	w.uint(uint64(s.BusyMode))
	w.uint(uint64(s.DialToneMode))
}

func (w *encoder) callInfo(c *tapi.CallInfo) {
	b := appendUint(w.b, uint64(c.Origin))
	b = appendUint(b, uint64(c.Reason))
	b = appendParty(b, &c.Caller)
	b = appendParty(b, &c.Called)
	b = appendParty(b, &c.Connected)
	b = appendParty(b, &c.Redirecting)
	b = appendParty(b, &c.Redirection)
	b = appendStr(b, string(c.RelatedCall))
	b = appendStr(b, c.Trunk)
	w.b = appendStr(b, c.UserData)
}

func (w *encoder) party(p *tapi.PartyID) { w.b = appendParty(w.b, p) }

func appendParty(b []byte, p *tapi.PartyID) []byte {
	if p.Number == "" && p.Name == "" && p.Flags < 0x80 { // an absent party, mostly
		return append(b, 0, 0, byte(p.Flags))
	}
	return appendUint(appendStr(appendStr(b, p.Number), p.Name), uint64(p.Flags))
}

func (w *encoder) line(l *tapi.Line) {
	w.str(l.Name)
	w.str(l.PBX)
	w.uint(uint64(l.DeviceID))
	w.str(l.Address)
	w.str(l.DisplayName)
	w.bools(l.InService, l.DND)
	if l.Forwarding == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(l.Forwarding)) + 1)
		for _, f := range l.Forwarding {
			w.uint(uint64(f.Mode))
			w.str(f.Destination)
		}
	}
	w.lineAgents(l)
}

// errCorrupt reports a stored record that does not decode: a bug, never an input error.
var errCorrupt = errors.New("memory store: stored record does not decode (internal error)")

// decoder reads the binary form from s. Decoded strings are substrings of s, so one
// allocation holds every string of the records decoded from it. A read past the end sets bad.
// pageDecoder decodes a page of records one after the other, with every string of the page
// in one allocation.
func pageDecoder(recs [][]byte, locs *locations) decoder {
	size := 0
	for _, b := range recs {
		size += len(b)
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, b := range recs {
		sb.Write(b)
	}
	return decoder{s: sb.String(), locs: locs}
}

type decoder struct {
	s    string
	i    int
	bad  bool
	locs *locations
}

func (d *decoder) uint() uint64 {
	var x uint64
	for shift := uint(0); d.i < len(d.s) && shift < 64; shift += 7 {
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
	}
	d.bad = true
	return 0
}

func (d *decoder) int() int64 {
	ux := d.uint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) u32() uint32 { return uint32(d.uint()) }

func (d *decoder) str() string {
	n := d.uint()
	if n > uint64(len(d.s)-d.i) {
		d.bad = true
		return ""
	}
	if n == 0 {
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

func (d *decoder) bools() (bool, bool) {
	if d.i >= len(d.s) {
		d.bad = true
		return false, false
	}
	x := d.s[d.i]
	d.i++
	return x&1 != 0, x&2 != 0
}

func (d *decoder) strs() []string {
	n := d.uint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.s)-d.i) { // every string takes at least a byte
		d.bad = true
		return nil
	}
	v := make([]string, n-1)
	for i := range v {
		v[i] = d.str()
	}
	return v
}

func (d *decoder) event(e *tapi.Event) {
	e.V = int(d.int())
	e.Type = tapi.EventType(d.str())
	e.Time = d.time()
	e.SwitchTime = d.time()
	e.PBX = d.str()
	e.Line = d.str()
	e.Device = d.u32()
	e.Handle = tapi.CallHandle(d.str())
	e.Detail = d.str()
	has := d.uint()
	if has&hasCall != 0 {
		e.Call = new(tapi.Call)
		d.call(e.Call)
	}
	if has&hasCallState != 0 {
		e.CallState = new(tapi.CallStatus)
		d.callStatus(e.CallState)
	}
	if has&hasCallInfo != 0 {
		ci := new(tapi.CallInfoEvent)
		ci.Changed = tapi.CallInfoState(d.u32())
		ci.CallID = d.str()
		d.callInfo(&ci.Info)
		e.CallInfo = ci
	}
	if has&hasLineState != 0 {
		l := new(tapi.LineEvent)
		l.DevState = tapi.DevState(d.u32())
		l.AddressState = tapi.AddressState(d.u32())
		d.line(&l.Line)
		e.LineState = l
	}
	if has&hasReply != 0 {
		r := new(tapi.Reply)
		r.RequestID = d.u32()
		r.Result = tapi.LineErr(d.u32())
		r.Handle = tapi.CallHandle(d.str())
		r.Error = d.str()
		r.CSTACategory = d.str()
		r.CSTAValue = d.str()
		e.Reply = r
	}
	if has&hasLink != 0 {
		l := new(tapi.LinkStatus)
		l.Node, l.Status, l.Address, l.Reason = d.str(), d.str(), d.str(), d.str()
		l.Active, _ = d.bools()
		e.Link = l
	}
	if has&hasSwitch != 0 {
		s := new(tapi.Switchover)
		s.From, s.To, s.Reason = d.str(), d.str(), d.str()
		s.Forced, _ = d.bools()
		e.Switch = s
	}
	if has&hasResync != 0 {
		r := new(tapi.Resync)
		r.Mode, r.Phase, r.Reason = d.str(), d.str(), d.str()
		r.Started = d.time()
		r.DurationMs = d.int()
		r.Lines, r.Calls, r.Events = int(d.int()), int(d.int()), int(d.int())
		e.Resync = r
	}
	if has&hasConference != 0 {
		e.Conference = d.conference()
	}
	d.agentPayloads(e, has)
}

func (d *decoder) conference() *tapi.Conference {
	c := &tapi.Conference{Handle: tapi.CallHandle(d.str())}
	n := d.uint()
	if n == 0 {
		return c
	}
	if n-1 > uint64(len(d.s)-d.i) { // every party takes at least a byte
		d.bad = true
		return c
	}
	c.Parties = make([]tapi.PartyID, n-1)
	for i := range c.Parties {
		d.party(&c.Parties[i])
	}
	return c
}

func (d *decoder) call(c *tapi.Call) {
	c.Handle = tapi.CallHandle(d.str())
	c.Line = d.str()
	c.CallID = d.str()
	c.OtherCallIDs = d.strs()
	d.callStatus(&c.CallStatus)
	d.callInfo(&c.Info)
	c.Parties = d.strs()
	if has, _ := d.bools(); has {
		c.Conference = d.conference()
	}
	c.Created = d.time()
	c.StateSince = d.time()
	c.ConnectedAt = d.time()
}

func (d *decoder) callStatus(s *tapi.CallStatus) {
	s.State = tapi.CallState(d.u32())
	s.OfferingMode = tapi.OfferingMode(d.u32())
	s.ConnectedMode = tapi.ConnectedMode(d.u32())
	s.DisconnectMode = tapi.DisconnectMode(d.u32())
	s.BusyMode = tapi.BusyMode(d.u32())
	s.DialToneMode = tapi.DialToneMode(d.u32())
}

func (d *decoder) callInfo(c *tapi.CallInfo) {
	c.Origin = tapi.CallOrigin(d.u32())
	c.Reason = tapi.CallReason(d.u32())
	d.party(&c.Caller)
	d.party(&c.Called)
	d.party(&c.Connected)
	d.party(&c.Redirecting)
	d.party(&c.Redirection)
	c.RelatedCall = tapi.CallHandle(d.str())
	c.Trunk = d.str()
	c.UserData = d.str()
}

func (d *decoder) party(p *tapi.PartyID) {
	p.Number = d.str()
	p.Name = d.str()
	p.Flags = tapi.CallPartyID(d.u32())
}

func (d *decoder) line(l *tapi.Line) {
	l.Name = d.str()
	l.PBX = d.str()
	l.DeviceID = d.u32()
	l.Address = d.str()
	l.DisplayName = d.str()
	l.InService, l.DND = d.bools()
	n := d.uint()
	if n > 0 && n-1 > uint64(len(d.s)-d.i) {
		d.bad = true
		return
	}
	if n > 0 {
		l.Forwarding = make([]tapi.Forward, n-1)
		for i := range l.Forwarding {
			l.Forwarding[i].Mode = tapi.ForwardMode(d.u32())
			l.Forwarding[i].Destination = d.str()
		}
	}
	d.lineAgents(l)
}

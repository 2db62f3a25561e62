package tapi

import (
	"errors"
	"math/bits"
	"strconv"
	"time"
)

// AppendJSON appends the JSON wire form of e to b: byte for byte what encoding/json's Marshal
// writes for *e (field order, omitempty and omitzero, tapi.h names, HTML-safe string escaping,
// RFC 3339 times), without reflection and without allocating beyond growing b. It fails where
// Marshal fails (a constant that is not a member of its family, a time outside year 0-9999);
// the caller may then use Marshal for its error. TestAppendJSONMatchesMarshal pins the
// equivalence, over every field of every payload type.
func (e *Event) AppendJSON(b []byte) ([]byte, error) { return e.AppendJSONCached(b, nil) }

// AppendJSONCached is AppendJSON with the seconds of the times written kept in c (nil: none),
// for a writer of many events: the same bytes, fewer formatted.
func (e *Event) AppendJSONCached(b []byte, c *TimeCache) ([]byte, error) {
	w := jsonWriter{b: b, times: c}
	w.event(e)
	return w.b, w.err
}

// jsonWriter appends JSON to b; the first failure is kept in err (the output is then garbage).
type jsonWriter struct {
	b   []byte
	err error
	// lastTime was written last by time, as b[lastTimeAt:lastTimeEnd] (lastTimeEnd 0: none
	// yet): an event's times are often one (a new call's event time, created and stateSince),
	// and copying the bytes costs a fraction of formatting them again.
	lastTime                time.Time
	lastTimeAt, lastTimeEnd int
	// times keeps the seconds of earlier events (AppendJSONCached); nil: none.
	times *TimeCache
}

func (w *jsonWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// key appends a member's name with its separators, given as the constant `,"name":` (the
// members' names need no escaping). Every member is written with its comma: an object is
// started by open and ended by close, which turns the first member's comma into the opening
// brace. Writing the comma always spares a test of the last byte per member, and the
// methods below, taking their member's key in this form, spare appending its parts one by one.
func (w *jsonWriter) key(k string) {
	w.b = append(w.b, k...)
}

// open starts an object at the end of b: what close takes.
func (w *jsonWriter) open() int { return len(w.b) }

// close ends the object started at at (open): the first member's comma becomes the opening
// brace, or the object is empty.
func (w *jsonWriter) close(at int) {
	if len(w.b) == at {
		w.b = append(w.b, '{', '}')
		return
	}
	w.b[at] = '{'
	w.b = append(w.b, '}')
}

// keyBare is key for a member name given alone (ObjectWriter's callers).
func (w *jsonWriter) keyBare(name string) {
	if w.b[len(w.b)-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

// The member writers below are small enough to be inlined with their constant key, whose
// copy then needs no call of memmove.

func (w *jsonWriter) str(k, v string) {
	w.b = appendJSONString(append(w.b, k...), v)
}

func (w *jsonWriter) strOmit(k, v string) {
	if v != "" {
		w.b = appendJSONString(append(w.b, k...), v)
	}
}

func (w *jsonWriter) uint(k string, v uint64) {
	w.b = appendUint(append(w.b, k...), v)
}

func (w *jsonWriter) int(k string, v int64) {
	w.b = strconv.AppendInt(append(w.b, k...), v, 10)
}

func (w *jsonWriter) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) time(k string, t time.Time) {
	w.b = append(w.b, k...)
	w.timeMember(t)
}

// timeMember appends t as the value of a member: time's, out of line.
func (w *jsonWriter) timeMember(t time.Time) {
	// == compares the representation (wall clock, monotonic reading, location): equal times
	// format alike; an instant in another representation is merely formatted again.
	if w.lastTimeEnd != 0 && t == w.lastTime {
		w.b = append(w.b, w.b[w.lastTimeAt:w.lastTimeEnd]...)
		return
	}
	at := len(w.b)
	w.timeValue(t)
	if w.err == nil {
		w.lastTime, w.lastTimeAt, w.lastTimeEnd = t, at, len(w.b)
	}
}

// timeValue appends t as time.Time's MarshalJSON does.
func (w *jsonWriter) timeValue(t time.Time) {
	if b, ok := appendTimeJSON(w.b, t, w.times); ok {
		w.b = b
		return
	}
	w.b = append(w.b, '"')
	b, err := t.AppendText(w.b)
	if err != nil {
		w.fail(err)
		return
	}
	w.b = append(b, '"')
}

// name appends a constant as its tapi.h name (MarshalText of the constant types).
func (w *jsonWriter) name(k string, t *nameTable, v uint32) {
	w.b = append(append(w.b, k...), w.nameJSON(t, v)...)
}

// nameJSON returns the JSON of v's name, or fails. Not inlined, so that name is.
//
//go:noinline
func (w *jsonWriter) nameJSON(t *nameTable, v uint32) string {
	q, ok := t.json(v)
	if !ok {
		w.fail(errNotMember(t))
	}
	return q
}

func (w *jsonWriter) nameOmit(k string, t *nameTable, v uint32) {
	if v != 0 {
		w.name(k, t, v)
	}
}

// mask appends a bit mask as an array of tapi.h names (MarshalJSON of the mask types).
func (w *jsonWriter) mask(k string, t *nameTable, m uint32) {
	w.b = append(append(w.b, k...), '[')
	w.maskNames(t, m)
}

// maskNames appends the names of the bits of m and the array's closing bracket: mask's,
// out of line.
func (w *jsonWriter) maskNames(t *nameTable, m uint32) {
	for first := true; m != 0; first = false {
		q := t.bitJSON[bits.TrailingZeros32(m)]
		if q == "" {
			w.fail(errNotMember(t))
			return
		}
		if !first {
			w.b = append(w.b, ',')
		}
		w.b = append(w.b, q...)
		m &= m - 1 // the lowest bit, written
	}
	w.b = append(w.b, ']')
}

func errNotMember(t *nameTable) error {
	return errors.New("tapi: value is not a " + t.prefix + "* member")
}

func (w *jsonWriter) strings(k string, v []string) {
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, s)
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) event(e *Event) {
	at := w.open()
	if uint(e.V) < 10 { // the wire version, one digit: no call of strconv
		w.b = append(w.b, ',', '"', 'v', '"', ':', byte('0'+e.V))
	} else {
		w.int(`,"v":`, int64(e.V))
	}
	w.str(`,"type":`, string(e.Type))
	w.time(`,"time":`, e.Time)
	if !e.SwitchTime.IsZero() {
		w.time(`,"switchTime":`, e.SwitchTime)
	}
	w.strOmit(`,"pbx":`, e.PBX)
	w.strOmit(`,"line":`, e.Line)
	if e.Device != 0 {
		w.uint(`,"deviceId":`, uint64(e.Device))
	}
	w.strOmit(`,"handle":`, string(e.Handle))
	w.strOmit(`,"detail":`, e.Detail)
	if e.Call != nil {
		w.key(`,"call":`)
		w.call(e.Call)
	}
	if e.CallState != nil {
		w.key(`,"callState":`)
		o := w.open()
		w.callStatus(e.CallState)
		w.close(o)
	}
	if e.CallInfo != nil {
		w.key(`,"callInfo":`)
		o := w.open()
		w.mask(`,"changed":`, callInfoStateNames, uint32(e.CallInfo.Changed))
		w.strOmit(`,"callId":`, e.CallInfo.CallID)
		w.key(`,"info":`)
		w.callInfo(&e.CallInfo.Info)
		w.close(o)
	}
	if e.LineState != nil {
		w.key(`,"lineState":`)
		o := w.open()
		w.nameOmit(`,"devState":`, devStateNames, uint32(e.LineState.DevState))
		w.nameOmit(`,"addressState":`, addressStateNames, uint32(e.LineState.AddressState))
		w.key(`,"line":`)
		w.line(&e.LineState.Line)
		w.close(o)
	}
	if r := e.Reply; r != nil {
		w.key(`,"reply":`)
		o := w.open()
		w.uint(`,"requestId":`, uint64(r.RequestID))
		w.nameOmit(`,"result":`, lineErrNames, uint32(r.Result))
		w.strOmit(`,"handle":`, string(r.Handle))
		w.strOmit(`,"error":`, r.Error)
		w.strOmit(`,"cstaCategory":`, r.CSTACategory)
		w.strOmit(`,"cstaValue":`, r.CSTAValue)
		w.close(o)
	}
	if l := e.Link; l != nil {
		w.key(`,"link":`)
		o := w.open()
		w.str(`,"node":`, l.Node)
		w.str(`,"status":`, l.Status)
		w.strOmit(`,"address":`, l.Address)
		w.bool(`,"active":`, l.Active)
		w.strOmit(`,"reason":`, l.Reason)
		w.close(o)
	}
	if s := e.Switch; s != nil {
		w.key(`,"switchover":`)
		o := w.open()
		w.str(`,"from":`, s.From)
		w.str(`,"to":`, s.To)
		w.str(`,"reason":`, s.Reason)
		if s.Forced {
			w.bool(`,"forced":`, true)
		}
		w.close(o)
	}
	if r := e.Resync; r != nil {
		w.key(`,"resync":`)
		o := w.open()
		w.str(`,"mode":`, r.Mode)
		w.str(`,"phase":`, r.Phase)
		w.str(`,"reason":`, r.Reason)
		w.time(`,"started":`, r.Started)
		if r.DurationMs != 0 {
			w.int(`,"durationMs":`, r.DurationMs)
		}
		if r.Lines != 0 {
			w.int(`,"lines":`, int64(r.Lines))
		}
		if r.Calls != 0 {
			w.int(`,"calls":`, int64(r.Calls))
		}
		if r.Events != 0 {
			w.int(`,"events":`, int64(r.Events))
		}
		w.close(o)
	}
	w.agentPayloads(e)
	if e.Conference != nil {
		w.key(`,"conference":`)
		w.conference(e.Conference)
	} else if e.Type == LineConference {
		w.key(`,"conference":`)
		w.b = append(w.b, "null"...)
	}
	w.close(at)
}

func (w *jsonWriter) conference(c *Conference) {
	at := w.open()
	w.str(`,"handle":`, string(c.Handle))
	w.key(`,"parties":`)
	if c.Parties == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range c.Parties {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.partyObject(&c.Parties[i])
		}
		w.b = append(w.b, ']')
	}
	w.close(at)
}

func (w *jsonWriter) call(c *Call) {
	at := w.open()
	w.str(`,"handle":`, string(c.Handle))
	w.str(`,"line":`, c.Line)
	w.str(`,"callId":`, c.CallID)
	if len(c.OtherCallIDs) > 0 {
		w.strings(`,"otherCallIds":`, c.OtherCallIDs)
	}
	w.callStatus(&c.CallStatus) // embedded: its members are the call's
	w.key(`,"info":`)
	w.callInfo(&c.Info)
	if len(c.Parties) > 0 {
		w.strings(`,"parties":`, c.Parties)
	}
	if c.Conference != nil {
		w.key(`,"conference":`)
		w.conference(c.Conference)
	}
	w.time(`,"created":`, c.Created)
	w.time(`,"stateSince":`, c.StateSince)
	if !c.ConnectedAt.IsZero() {
		w.time(`,"connectedAt":`, c.ConnectedAt)
	}
	w.close(at)
}

// callStatus appends the members of s, without braces.
func (w *jsonWriter) callStatus(s *CallStatus) {
	w.name(`,"state":`, callStateNames, uint32(s.State))
	w.nameOmit(`,"offeringMode":`, offeringModeNames, uint32(s.OfferingMode))
	w.nameOmit(`,"connectedMode":`, connectedModeNames, uint32(s.ConnectedMode))
	w.nameOmit(`,"disconnectMode":`, disconnectModeNames, uint32(s.DisconnectMode))
	w.nameOmit(`,"busyMode":`, busyModeNames, uint32(s.BusyMode))
	w.nameOmit(`,"dialToneMode":`, dialToneModeNames, uint32(s.DialToneMode))
}

func (w *jsonWriter) callInfo(c *CallInfo) {
	at := w.open()
	w.nameOmit(`,"origin":`, callOriginNames, uint32(c.Origin))
	w.nameOmit(`,"reason":`, callReasonNames, uint32(c.Reason))
	w.party(`,"caller":`, &c.Caller)
	w.party(`,"called":`, &c.Called)
	w.party(`,"connected":`, &c.Connected)
	w.party(`,"redirecting":`, &c.Redirecting)
	w.party(`,"redirection":`, &c.Redirection)
	w.strOmit(`,"relatedCall":`, string(c.RelatedCall))
	w.strOmit(`,"trunk":`, c.Trunk)
	w.strOmit(`,"userData":`, c.UserData)
	w.close(at)
}

// party appends a party ID member unless it is zero (omitzero).
func (w *jsonWriter) party(k string, p *PartyID) {
	if !p.IsZero() {
		w.b = append(w.b, k...)
		w.partyObject(p)
	}
}

// partyObject appends a party ID as an object.
func (w *jsonWriter) partyObject(p *PartyID) {
	at := w.open()
	w.strOmit(`,"number":`, p.Number)
	w.strOmit(`,"name":`, p.Name)
	if p.Flags != 0 {
		w.mask(`,"flags":`, callPartyIDNames, uint32(p.Flags))
	}
	w.close(at)
}

func (w *jsonWriter) line(l *Line) {
	at := w.open()
	w.str(`,"name":`, l.Name)
	w.str(`,"pbx":`, l.PBX)
	w.uint(`,"deviceId":`, uint64(l.DeviceID))
	w.str(`,"address":`, l.Address)
	w.strOmit(`,"displayName":`, l.DisplayName)
	w.bool(`,"inService":`, l.InService)
	w.bool(`,"dnd":`, l.DND)
	if len(l.Forwarding) > 0 {
		w.key(`,"forwarding":`)
		w.b = append(w.b, '[')
		for i := range l.Forwarding {
			f := &l.Forwarding[i]
			if i > 0 {
				w.b = append(w.b, ',')
			}
			o := w.open()
			w.name(`,"mode":`, forwardModeNames, uint32(f.Mode))
			w.strOmit(`,"destination":`, f.Destination)
			w.close(o)
		}
		w.b = append(w.b, ']')
	}
	w.lineAgents(l)
	w.close(at)
}

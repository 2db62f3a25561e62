package reducer

import (
	"slices"
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// lineEvent announces the line after a change.
func (st *step) lineEvent(t tapi.EventType, dev tapi.DevState, addr tapi.AddressState) {
	st.emit(tapi.Event{Type: t, LineState: &tapi.LineEvent{DevState: dev, AddressState: addr, Line: *st.ls.Line.Clone()}})
	st.lineChanged()
}

// aboutLine reports whether a device event names the line (or names no device at all: the
// monitor already says which device it is).
func (st *step) aboutLine(d csta.DeviceID) bool { return !d.Known() || st.is(d) }

// DoNotDisturb -> LINE_LINEDEVSTATE (LINEDEVSTATE_OTHER; TAPI has no DND state of its own),
// with the line's DND flag.
func (st *step) doNotDisturb(e *csta.DoNotDisturbEvent) {
	if !st.aboutLine(e.Device) {
		st.ignore(IgnoredNotOurs)
		return
	}
	if st.ls.DND == e.DoNotDisturbOn {
		st.ignore(IgnoredUnchanged)
		return
	}
	st.ls.DND = e.DoNotDisturbOn
	st.lineEvent(tapi.LineLineDevState, tapi.LINEDEVSTATE_OTHER, 0)
}

// Forwarding -> LINE_ADDRESSSTATE (LINEADDRESSSTATE_FORWARD) with the line's forwarding list.
func (st *step) forwarding(e *csta.ForwardingEvent) {
	if !st.aboutLine(e.Device) {
		st.ignore(IgnoredNotOurs)
		return
	}
	mode := forwardMode(e.ForwardingType)
	fw := slices.DeleteFunc(slices.Clone(st.ls.Forwarding), func(f tapi.Forward) bool { return f.Mode == mode })
	if e.ForwardStatus {
		fw = append(fw, tapi.Forward{Mode: mode, Destination: e.ForwardTo.Number})
		sort.Slice(fw, func(i, j int) bool { return fw[i].Mode < fw[j].Mode })
	}
	if slices.Equal(fw, st.ls.Forwarding) {
		st.ignore(IgnoredUnchanged)
		return
	}
	if len(fw) == 0 {
		fw = nil
	}
	st.ls.Forwarding = fw
	st.lineEvent(tapi.LineAddressState, 0, tapi.LINEADDRESSSTATE_FORWARD)
}

// OutOfService / BackInService -> LINEDEVSTATE_OUTOFSERVICE / LINEDEVSTATE_INSERVICE.
func (st *step) setInService(d csta.DeviceID, in bool) {
	if !st.aboutLine(d) {
		st.ignore(IgnoredNotOurs)
		return
	}
	if st.ls.InService == in {
		st.ignore(IgnoredUnchanged)
		return
	}
	st.ls.InService = in
	dev := tapi.LINEDEVSTATE_OUTOFSERVICE
	if in {
		dev = tapi.LINEDEVSTATE_INSERVICE
	}
	st.lineEvent(tapi.LineLineDevState, dev, 0)
}

// SetInService marks every line of the PBX in or out of service, as when the CSTA link to the
// PBX is lost (both nodes down) or restored. Lines already in that state produce no event.
func (s *State) SetInService(in bool, now time.Time) Result {
	var res Result
	for _, l := range s.Lines() {
		st := &step{s: s, ls: s.lines[l.Address], now: now}
		st.setInService(csta.DeviceID{}, in)
		res.merge(st.res)
	}
	return res
}

// merge appends another step's result.
func (r *Result) merge(o Result) {
	r.Events = append(r.Events, o.Events...)
	for _, h := range o.ChangedCalls {
		if !slices.Contains(r.ChangedCalls, h) {
			r.ChangedCalls = append(r.ChangedCalls, h)
		}
	}
	for _, h := range o.RemovedCalls {
		r.ChangedCalls = slices.DeleteFunc(r.ChangedCalls, func(x tapi.CallHandle) bool { return x == h })
		r.RemovedCalls = append(r.RemovedCalls, h)
	}
	for _, l := range o.ChangedLines {
		if !slices.Contains(r.ChangedLines, l) {
			r.ChangedLines = append(r.ChangedLines, l)
		}
	}
}

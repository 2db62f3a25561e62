package tspcore

import (
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// dispatch turns the session's events into TAPI messages until the client stops.
func (p *Provider) dispatch(cl *client.Client) {
	for ev := range cl.Events() {
		p.mu.Lock()
		if !p.closed {
			p.handleSession(ev)
		}
		p.mu.Unlock()
	}
}

func (p *Provider) handleSession(ev client.Event) {
	switch e := ev.(type) {
	case *client.TAPIEvent:
		p.handleEvent(e.Event)
	case *client.Resynced:
		p.resync(e)
	case *client.Synced:
		if !p.connected {
			p.connected = true
			for _, l := range p.lines {
				p.updateService(l)
			}
		}
	case *client.Disconnected:
		if p.connected {
			p.connected = false
			for _, l := range p.lines {
				p.updateService(l)
			}
		}
	case *client.Connected:
		// In service again only once the replay has brought the lines up to date (Synced).
	}
}

// handleEvent translates one bridge event for an open line into LINEEVENT messages.
func (p *Provider) handleEvent(ev tapi.Event) {
	l := p.byName[ev.Line]
	if l == nil || !l.open {
		return
	}
	switch ev.Type {
	case tapi.LineNewCall, tapi.LineCallState, tapi.LineCallInfo:
		p.callEvent(l, ev)
	case tapi.LineLineDevState:
		ds := ev.LineState.DevState
		before := summarize(l.state.Agents)
		l.state = ev.LineState.Line
		defer p.reportAgent(l, before)
		if ds&(tapi.LINEDEVSTATE_INSERVICE|tapi.LINEDEVSTATE_OUTOFSERVICE) != 0 {
			p.updateService(l)
		}
		if rest := ds &^ (tapi.LINEDEVSTATE_INSERVICE | tapi.LINEDEVSTATE_OUTOFSERVICE); rest != 0 {
			p.lineEvent(l, 0, LINE_LINEDEVSTATE, uintptr(rest), 0, 0)
		}
	case tapi.LineAddressState:
		before := summarize(l.state.Agents)
		l.state = ev.LineState.Line
		defer p.reportAgent(l, before)
		// dwParam1 is the address ID (a bridge line has address 0), dwParam2 the states.
		p.lineEvent(l, 0, LINE_ADDRESSSTATE, 0, uintptr(ev.LineState.AddressState), 0)
	case tapi.LineAgentStatus:
		if ev.AgentStatus != nil {
			p.agentEvent(l, ev.AgentStatus.Agent)
		}
	case tapi.LineQueueStatus:
		// A group's queue figures have no TAPI 2 line message (LINE_QUEUESTATUS belongs to
		// lineGetQueueInfo's agent-handler queues, which the provider does not offer).
	case tapi.LineConference:
		// Nothing to pass on: the provider models the conference call itself (conference.go),
		// from the call states, and TAPI has no message for the bridge's conference record.
	}
}

func (p *Provider) callEvent(l *line, ev tapi.Event) {
	if l.holding[ev.Handle] != nil {
		l.held = append(l.held, ev) // a conference of this call is being set up
		return
	}
	if p.refused[ev.Handle] {
		if ev.Type == tapi.LineCallState && ev.CallState.State == tapi.LINECALLSTATE_IDLE {
			delete(p.refused, ev.Handle) // nothing follows IDLE
		}
		return
	}
	c := p.byHandle[ev.Handle]
	if c == nil {
		if l.pending > 0 {
			l.held = append(l.held, ev)
			return
		}
		if ev.Type == tapi.LineCallState && ev.CallState.State == tapi.LINECALLSTATE_IDLE {
			return // ended before TAPI heard of it
		}
		known := tapi.Call{Handle: ev.Handle, Line: l.info.Name}
		if ev.Type == tapi.LineNewCall {
			known = *ev.Call
		} else if mc, ok := p.cl.Call(ev.Handle); ok {
			known = mc
		}
		if ev.Type == tapi.LineCallState {
			known.CallStatus = *ev.CallState
		}
		if c = p.announce(l, known); c == nil || ev.Type != tapi.LineCallInfo {
			return
		}
	}
	if c.idle {
		return
	}
	switch ev.Type {
	case tapi.LineNewCall:
		// The call a request of ours created: TAPI has its htCall already.
		c.info = ev.Call.Info
		p.callState(c, ev.Call.CallStatus, ev.Time)
	case tapi.LineCallState:
		p.callState(c, *ev.CallState, ev.Time)
	case tapi.LineCallInfo:
		ch := uint32(ev.CallInfo.Changed)
		if c.isConf {
			// The conference call started from the held call's record without its related
			// call; only what really differs from what TAPI can read is news.
			ch = uint32(infoDiff(c.info, ev.CallInfo.Info))
		}
		c.info = ev.CallInfo.Info
		if ch != 0 {
			p.lineEvent(l, c.ht, LINE_CALLINFO, uintptr(ch), 0, 0)
		}
	}
}

// announce sends LINE_NEWCALL for a call TAPI does not know, then its state. It returns nil
// when TAPI declined the call.
func (p *Provider) announce(l *line, bc tapi.Call) *call {
	c := p.newCall(l, 0)
	c.handle, c.info = bc.Handle, bc.Info
	ht := l.ev.NewCall(l.htLine, c.hd)
	if ht == 0 {
		delete(p.calls, c.hd)
		p.refused[bc.Handle] = true
		return nil
	}
	c.ht = ht
	p.byHandle[bc.Handle] = c
	p.setState(c, bc.CallStatus, bc.StateSince)
	return c
}

// newCall allocates an hdCall on l.
func (p *Provider) newCall(l *line, ht HTAPICALL) *call {
	p.nextCall++
	c := &call{hd: p.nextCall, ht: ht, line: l}
	p.calls[c.hd] = c
	return c
}

// bind makes c the call of bridge handle h (the answer to a request that created it).
func (p *Provider) bind(c *call, h tapi.CallHandle) {
	c.handle = h
	p.byHandle[h] = c
}

// setState sends LINE_CALLSTATE when the state or its mode changed: dwParam1 the
// LINECALLSTATE_*, dwParam2 its mode (for a conference party in CONFERENCED: the conference
// call's htCall), dwParam3 the call's media mode.
func (p *Provider) setState(c *call, st tapi.CallStatus, at time.Time) {
	if c.idle || (st == c.status) || st.State == 0 {
		return
	}
	c.status, c.since = st, at
	if st.State == tapi.LINECALLSTATE_IDLE {
		c.idle = true
	}
	p2 := uintptr(st.Mode())
	if st.State == tapi.LINECALLSTATE_CONFERENCED && c.conf != nil {
		p2 = uintptr(c.conf.ht)
	}
	p.lineEvent(c.line, c.ht, LINE_CALLSTATE, uintptr(st.State), p2, uintptr(LINEMEDIAMODE_INTERACTIVEVOICE))
}

// release ends a line's hold on events once no call-creating request is in flight, and
// handles what was held, in order.
func (p *Provider) release(l *line) {
	if l.pending > 0 || len(l.held) == 0 {
		return
	}
	held := l.held
	l.held = nil
	for _, ev := range held {
		p.handleEvent(ev)
	}
}

// resync reconciles the calls TAPI knows on open lines with a fresh snapshot of the bridge:
// vanished calls go IDLE, changed ones get their new state, new ones are announced.
func (p *Provider) resync(r *client.Resynced) {
	listed := map[string]tapi.Line{}
	for _, ln := range r.Lines {
		listed[ln.Name] = ln
	}
	present := map[tapi.CallHandle]tapi.Call{}
	for _, c := range r.Calls {
		present[c.Handle] = c
	}
	for _, l := range p.lines {
		ln, ok := listed[l.info.Name]
		if !l.open || (!ok && (r.Reason == "lines_added" || l.info.PBX != r.PBX)) {
			continue
		}
		if ok {
			before := summarize(l.state.Agents)
			l.state = ln
			p.reportAgent(l, before)
		}
		for _, c := range p.calls {
			// A conference being set up is settled by the request's answer and the held events.
			if c.line != l || c.idle || c.handle == "" || l.holding[c.handle] != nil {
				continue
			}
			bc, ok := present[c.handle]
			if !ok {
				p.callState(c, tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}, time.Now())
				continue
			}
			if changed := infoDiff(c.info, bc.Info); changed != 0 {
				c.info = bc.Info
				p.lineEvent(l, c.ht, LINE_CALLINFO, uintptr(changed), 0, 0)
			}
			p.callState(c, bc.CallStatus, bc.StateSince)
		}
		for _, bc := range r.Calls {
			if bc.Line == l.info.Name && p.byHandle[bc.Handle] == nil && !p.refused[bc.Handle] {
				p.callEvent(l, tapi.Event{Type: tapi.LineNewCall, Line: l.info.Name, Handle: bc.Handle, Call: &bc})
			}
		}
		p.updateService(l)
	}
}

// infoDiff returns the LINECALLINFOSTATE_* bits of what differs between a and b.
func infoDiff(a, b tapi.CallInfo) tapi.CallInfoState {
	var d tapi.CallInfoState
	flag := func(differs bool, bit tapi.CallInfoState) {
		if differs {
			d |= bit
		}
	}
	flag(a.Origin != b.Origin, tapi.LINECALLINFOSTATE_ORIGIN)
	flag(a.Reason != b.Reason, tapi.LINECALLINFOSTATE_REASON)
	flag(a.Caller != b.Caller, tapi.LINECALLINFOSTATE_CALLERID)
	flag(a.Called != b.Called, tapi.LINECALLINFOSTATE_CALLEDID)
	flag(a.Connected != b.Connected, tapi.LINECALLINFOSTATE_CONNECTEDID)
	flag(a.Redirecting != b.Redirecting, tapi.LINECALLINFOSTATE_REDIRECTINGID)
	flag(a.Redirection != b.Redirection, tapi.LINECALLINFOSTATE_REDIRECTIONID)
	flag(a.RelatedCall != b.RelatedCall, tapi.LINECALLINFOSTATE_RELATEDCALLID)
	flag(a.Trunk != b.Trunk, tapi.LINECALLINFOSTATE_TRUNK)
	flag(a.UserData != b.UserData, tapi.LINECALLINFOSTATE_OTHER)
	return d
}

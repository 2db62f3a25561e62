package pbxsim

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// ACD agents. Every member of an ACD hunt group (HuntGroup.ACD) is an agent position: the
// agent logs on to the group at its extension, goes ready, not ready (with a reason code) or
// into wrap-up, and the group distributes calls only to ready agents, longest idle first. An
// agent is busy from the moment an ACD call is delivered until its connection to that call
// ends; then the pending state it asked for while busy, else wrap-up (HuntGroup.WrapUp), else
// ready. Every change is reported at the agent's device and at the group's device.

// agent is one extension's membership of one ACD group.
type agent struct {
	dev    *device
	group  *device
	id     string          // agent ID given at log on; the extension number by default
	state  csta.AgentState // AgentNull while logged off
	reason string          // not-ready reason code
	since  time.Time       // when state was entered
	// idleSeq orders ready agents by when they became ready (lowest: idle longest).
	idleSeq uint64
	// acd is the agent's connection to the ACD call it is busy with, nil when not busy.
	acd *conn
	// pending is the state asked for while busy, applied when the call ends ("" none;
	// AgentNull: log off). pendingReason goes with a pending not-ready or log-off.
	pending       csta.AgentState
	pendingReason string
	wrap          *time.Timer // automatic end of wrap-up
}

// acdGroup is the ACD part of a hunt group device.
type acdGroup struct {
	cfg    HuntGroup
	agents map[string]*agent // by extension number
	order  []string          // members in configuration order, for stable output
}

func newACDGroup(g *device, cfg HuntGroup, devices map[string]*device) *acdGroup {
	ag := &acdGroup{cfg: cfg, agents: map[string]*agent{}}
	for _, m := range cfg.Members {
		if _, dup := ag.agents[m]; dup {
			continue
		}
		ag.agents[m] = &agent{dev: devices[m], group: g, state: csta.AgentNull, since: time.Now()}
		ag.order = append(ag.order, m)
	}
	return ag
}

// agentOf returns d's agent position in group g, or nil.
func (g *device) agentOf(d *device) *agent {
	if g.acd == nil {
		return nil
	}
	return g.acd.agents[d.number]
}

// memberships returns d's agent positions in every ACD group, in configuration order.
func (p *PBX) memberships(d *device) []*agent {
	var out []*agent
	for _, h := range p.hunts {
		if a := h.agentOf(d); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// agentTargets resolves the agent positions a SetAgentState or GetAgentState names: the
// extension's position in group, or in every ACD group when group is empty.
func (p *PBX) agentTargets(ext csta.DeviceID, group string) ([]*agent, error) {
	d := p.devices[ext.Number]
	if d == nil || d.kind != kindExtension {
		return nil, errOperation(csta.ErrInvalidDeviceID)
	}
	if group == "" {
		as := p.memberships(d)
		if len(as) == 0 {
			return nil, errOperation(csta.ErrInvalidAgentGroup)
		}
		return as, nil
	}
	g := p.devices[group]
	if g == nil || g.kind != kindHunt || g.agentOf(d) == nil {
		return nil, errOperation(csta.ErrInvalidAgentGroup)
	}
	return []*agent{g.agentOf(d)}, nil
}

// requestedStates maps a requested state to the agent state it leads to (log on: not ready).
var requestedStates = map[csta.RequestedAgentState]csta.AgentState{
	csta.ReqLoggedOn: csta.AgentNotReady, csta.ReqLoggedOff: csta.AgentNull, csta.ReqReady: csta.AgentReady,
	csta.ReqNotReady: csta.AgentNotReady, csta.ReqWorkingAfterCall: csta.AgentWorkingAfterCall,
}

// setAgentState applies a requested state to the agent positions; it checks every position
// before changing any. The returned pending state is set when the change waits for a call.
// The password is not checked: the simulator has no agent directory.
func (p *PBX) setAgentState(as []*agent, req csta.RequestedAgentState, id, reason string) (csta.AgentState, error) {
	for _, a := range as {
		if err := checkTransition(a, req); err != nil {
			return "", err
		}
	}
	if req == csta.ReqLoggedOn && id != "" && p.agentIDInUse(id, as[0].dev) {
		return "", errOperation(csta.ErrInvalidAgentIdentifier)
	}
	var pending csta.AgentState
	for _, a := range as {
		if pd := p.applyRequest(a, req, id, reason); pd != "" {
			pending = pd
		}
	}
	p.serveQueues()
	return pending, nil
}

// checkTransition refuses what the agent's state does not allow: ready, not ready or wrap-up
// while logged off; an unknown requested state.
func checkTransition(a *agent, req csta.RequestedAgentState) error {
	if _, known := requestedStates[req]; !known {
		return errOperation(errValueOutOfRange)
	}
	if a.state == csta.AgentNull && req != csta.ReqLoggedOn && req != csta.ReqLoggedOff {
		return errOperation(csta.ErrInvalidAgentState)
	}
	return nil
}

// agentIDInUse reports whether an agent at another extension is logged on as id.
func (p *PBX) agentIDInUse(id string, at *device) bool {
	for _, h := range p.hunts {
		if h.acd == nil {
			continue
		}
		for _, a := range h.acd.agents {
			if a.dev != at && a.state != csta.AgentNull && a.id == id {
				return true
			}
		}
	}
	return false
}

// applyRequest changes one position; a request equal to the current state is acknowledged
// without an event (ECMA-269 §9.5.1). While busy, the change becomes pending.
func (p *PBX) applyRequest(a *agent, req csta.RequestedAgentState, id, reason string) csta.AgentState {
	if req == csta.ReqLoggedOn {
		if a.state != csta.AgentNull {
			return ""
		}
		a.id = id
		if a.id == "" {
			a.id = a.dev.number
		}
		p.emitAgent(a, csta.AgentEventLoggedOn, "")
		p.enter(a, requestedStates[req], reason)
		return ""
	}
	st := requestedStates[req]
	if a.state == csta.AgentBusy {
		a.pending, a.pendingReason = st, reason
		return st
	}
	if a.state == st && (st != csta.AgentNotReady || a.reason == reason) {
		return ""
	}
	p.enter(a, st, reason)
	return ""
}

// enter moves a into st and reports it. Wrap-up timers end with any change.
func (p *PBX) enter(a *agent, st csta.AgentState, reason string) {
	a.stopWrap()
	a.state, a.since = st, time.Now()
	a.reason = ""
	if st == csta.AgentNotReady {
		a.reason = reason
	}
	switch st {
	case csta.AgentNull:
		p.emitAgent(a, csta.AgentEventLoggedOff, reason)
	case csta.AgentReady:
		p.agentSeq++
		a.idleSeq = p.agentSeq
		p.emitAgent(a, csta.AgentEventReady, "")
	case csta.AgentNotReady:
		p.emitAgent(a, csta.AgentEventNotReady, reason)
	case csta.AgentWorkingAfterCall:
		p.emitAgent(a, csta.AgentEventWorkingAfterCall, "")
	case csta.AgentBusy:
		p.emitAgent(a, csta.AgentEventBusy, "")
	}
}

// startWrapUp puts a into automatic wrap-up, back to ready after the group's WrapUp.
func (p *PBX) startWrapUp(a *agent) {
	p.enter(a, csta.AgentWorkingAfterCall, "")
	var t *time.Timer
	t = time.AfterFunc(a.group.acd.cfg.WrapUp, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed || a.wrap != t || a.state != csta.AgentWorkingAfterCall {
			return
		}
		a.wrap = nil
		p.enter(a, csta.AgentReady, "")
		p.serveQueues()
	})
	a.wrap = t
}

func (a *agent) stopWrap() {
	if a.wrap != nil {
		a.wrap.Stop()
		a.wrap = nil
	}
}

// agentBusy marks a busy with the ACD call whose connection at a's device is cn.
func (p *PBX) agentBusy(a *agent, cn *conn) {
	a.acd = cn
	p.enter(a, csta.AgentBusy, "")
}

// noteAgentConnGone is called by removeConn: when cn was an agent's ACD call, the agent is
// released once the operation that removed it has sent its own events (flushAgents).
func (p *PBX) noteAgentConnGone(cn *conn) {
	for _, a := range p.memberships(cn.dev) {
		if a.acd == cn {
			a.acd = nil
			p.released = append(p.released, a)
		}
	}
}

// flushAgents ends the busy state of agents whose ACD call left them: the pending state they
// asked for, else wrap-up when the group has one, else ready. Then waiting calls are served.
func (p *PBX) flushAgents() {
	if len(p.released) == 0 {
		return
	}
	rel := p.released
	p.released = nil
	for _, a := range rel {
		if a.state != csta.AgentBusy || a.acd != nil {
			continue
		}
		switch pd, reason := a.pending, a.pendingReason; {
		case pd != "":
			a.pending, a.pendingReason = "", ""
			p.enter(a, pd, reason)
		case a.group.acd.cfg.WrapUp > 0:
			p.startWrapUp(a)
		default:
			p.enter(a, csta.AgentReady, "")
		}
	}
	p.serveQueues()
}

// resetAgents logs every agent off without events (a PBX restart).
func (p *PBX) resetAgents() {
	for _, h := range p.hunts {
		if h.acd == nil {
			continue
		}
		for _, a := range h.acd.agents {
			a.stopWrap()
			*a = agent{dev: a.dev, group: a.group, state: csta.AgentNull, since: time.Now()}
		}
	}
	p.released = nil
}

// emitAgent reports an agent event at the agent's device and at the group's device.
func (p *PBX) emitAgent(a *agent, kind, reason string) {
	pending := a.pending
	p.emitAt([]*device{a.dev, a.group}, nil, "", func(v view) csta.Event {
		ev := &csta.AgentStateEvent{
			Kind:        kind,
			AgentDevice: v.dev(p, a.dev.number),
			ACDGroup:    csta.Device(a.group.number),
			ReasonCode:  reason,
		}
		if !v.prof.OmitOptional {
			ev.AgentID = a.id
			if kind == csta.AgentEventBusy || kind == csta.AgentEventWorkingAfterCall {
				ev.PendingAgentState = pending
			}
		}
		return ev
	})
}

// agentStates answers GetAgentState for an agent's extension (one entry, a row per group)
// or for an ACD group's device (a row per logged-on agent, at most 32 as ECMA-323 allows).
func (p *PBX) agentStates(dev csta.DeviceID, group string) (*csta.GetAgentStateResponse, error) {
	if g := p.devices[dev.Number]; g != nil && g.kind == kindHunt {
		if g.acd == nil {
			return nil, errOperation(csta.ErrInvalidAgentGroup)
		}
		resp := &csta.GetAgentStateResponse{}
		for _, n := range g.acd.order {
			if a := g.acd.agents[n]; a.state != csta.AgentNull && len(resp.Agents) < 32 {
				resp.Agents = append(resp.Agents, csta.AgentStateEntry{AgentID: a.id, LoggedOn: true, Info: []csta.AgentInfo{a.info()}})
			}
		}
		if len(resp.Agents) == 0 {
			resp.Agents = []csta.AgentStateEntry{{LoggedOn: false}}
		}
		return resp, nil
	}
	as, err := p.agentTargets(dev, group)
	if err != nil {
		return nil, err
	}
	e := csta.AgentStateEntry{}
	for _, a := range as {
		if a.state != csta.AgentNull {
			e.LoggedOn = true
			e.AgentID = a.id
		}
		e.Info = append(e.Info, a.info())
	}
	return &csta.GetAgentStateResponse{Agents: []csta.AgentStateEntry{e}}, nil
}

func (a *agent) info() csta.AgentInfo {
	return csta.AgentInfo{ACDGroup: csta.Device(a.group.number), State: a.state, Pending: a.pending}
}

// executeAgent runs the agent services; handled is false for other requests.
func (p *PBX) executeAgent(req csta.Message) (resp csta.Message, handled bool, err error) {
	switch r := req.(type) {
	case *csta.SetAgentState:
		as, err := p.agentTargets(r.Device, r.Group.Number)
		if err != nil {
			return nil, true, err
		}
		pending, err := p.setAgentState(as, r.RequestedAgentState, r.AgentID, r.ReasonCode)
		if err != nil {
			return nil, true, err
		}
		return &csta.SetAgentStateResponse{PendingAgentState: pending}, true, nil
	case *csta.GetAgentState:
		resp, err := p.agentStates(r.Device, r.ACDGroup.Number)
		return resp, true, err
	}
	return nil, false, nil
}

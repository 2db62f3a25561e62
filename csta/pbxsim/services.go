package pbxsim

import (
	"strconv"

	"github.com/ctibridge/ctibridge/csta"
)

// execute runs one CSTA service request for the client session s and returns its positive
// response, or a *csta.Error that the node sends as CSTAErrorCode. ECMA-354 session services
// are handled by the node (see session.go), not here.
func (p *PBX) execute(s subscriber, req csta.Message) (csta.Message, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, &csta.Error{Category: csta.ErrCatSystemResource, Value: csta.ErrResourceBusy}
	}
	defer p.flushAgents() // agents whose ACD call the request ended, after the request's events
	v := p.view(s)
	switch r := req.(type) {
	case *csta.SystemStatus:
		return &csta.SystemStatusResponse{}, nil
	case *csta.SystemRegister:
		p.crossRef++
		return &csta.SystemRegisterResponse{SysStatRegisterID: "sr" + strconv.FormatUint(p.crossRef, 10)}, nil
	case *csta.MonitorStart:
		ref, err := p.monitorStart(s, r.MonitorObject)
		if err != nil {
			return nil, err
		}
		return &csta.MonitorStartResponse{MonitorCrossRefID: ref}, nil
	case *csta.MonitorStop:
		m := p.monitors[r.MonitorCrossRefID]
		if m == nil || m.sub != s {
			return nil, errOperation(csta.ErrInvalidMonitorCrossRefID)
		}
		p.removeMonitor(m)
		return &csta.MonitorStopResponse{}, nil
	case *csta.SnapshotDevice:
		dev := p.lookup(r.SnapshotObject)
		if dev == nil {
			return nil, errOperation(csta.ErrInvalidDeviceID)
		}
		resp := &csta.SnapshotDeviceResponse{}
		for _, cn := range dev.conns {
			resp.Items = append(resp.Items, csta.SnapshotDeviceItem{
				Connection: v.conn(cn.call, dev.number),
				States:     []csta.LocalConnectionState{cn.state},
			})
		}
		return resp, nil
	case *csta.SnapshotCall:
		if p.prof.NoSnapshotCall {
			return nil, errOperation(csta.ErrRequestedServiceNotSupported)
		}
		c, err := p.resolveCall(s, r.SnapshotObject.CallID)
		if err != nil {
			return nil, err
		}
		resp := &csta.SnapshotCallResponse{}
		for _, cn := range c.conns {
			resp.Items = append(resp.Items, csta.SnapshotCallItem{
				Device:     v.dev(p, cn.dev.number),
				Connection: v.conn(c, cn.dev.number),
				State:      cn.state,
			})
		}
		return resp, nil
	case *csta.MakeCall:
		prompt := p.prof.Prompt && r.AutoOriginate == autoOriginatePrompt
		cn, err := p.makeCall(r.CallingDevice, r.CalledDirectoryNumber, prompt)
		if err != nil {
			return nil, err
		}
		return &csta.MakeCallResponse{CallingDevice: v.conn(cn.call, cn.dev.number)}, nil
	}
	return p.executeOnConnection(s, v, req)
}

// executeOnConnection runs the services that act on an existing connection or device setting.
func (p *PBX) executeOnConnection(s subscriber, v view, req csta.Message) (csta.Message, error) {
	for _, exec := range []func(subscriber, view, csta.Message) (csta.Message, bool, error){
		p.executeCallControl, p.executeJoin, p.executeDeviceSetting, p.executePickup,
		func(_ subscriber, _ view, req csta.Message) (csta.Message, bool, error) { return p.executeAgent(req) },
	} {
		if resp, handled, err := exec(s, v, req); handled {
			return resp, err
		}
	}
	return nil, errOperation(csta.ErrRequestedServiceNotSupported)
}

// executeCallControl runs the services that act on one connection of a call.
func (p *PBX) executeCallControl(s subscriber, _ view, req csta.Message) (csta.Message, bool, error) {
	var (
		resp csta.Message
		err  error
	)
	switch r := req.(type) {
	case *csta.AnswerCall:
		resp, err = &csta.AnswerCallResponse{}, p.onConn(s, r.CallToBeAnswered, needAlerting, p.answer)
	case *csta.ClearConnection:
		resp, err = &csta.ClearConnectionResponse{}, p.onConn(s, r.ConnectionToBeCleared, needHangUp,
			func(cn *conn) error { p.clear(cn, csta.CauseNormalClearing); return nil })
	case *csta.HoldCall:
		resp, err = &csta.HoldCallResponse{}, p.onConn(s, r.CallToBeHeld, needConnected,
			func(cn *conn) error { return p.hold(cn, csta.CauseNormal) })
	case *csta.RetrieveCall:
		resp, err = &csta.RetrieveCallResponse{}, p.onConn(s, r.CallToBeRetrieved, needHeld, p.retrieve)
	case *csta.DeflectCall:
		resp, err = &csta.DeflectCallResponse{}, p.onConn(s, r.CallToBeDiverted, needAlerting,
			func(cn *conn) error { return p.deflect(cn, r.NewDestination.Number) })
	case *csta.GenerateDigits:
		resp, err = &csta.GenerateDigitsResponse{}, p.onConn(s, r.ConnectionToSendDigits, needConnected,
			func(cn *conn) error { return generateDigits(cn, r.CharactersToSend) })
	default:
		return nil, false, nil
	}
	resp, err = ok(resp, err)
	return resp, true, err
}

// executeJoin runs the services that bring a call to another party or join two calls.
func (p *PBX) executeJoin(s subscriber, v view, req csta.Message) (csta.Message, bool, error) {
	switch r := req.(type) {
	case *csta.ConsultationCall:
		cn, err := p.consultation(s, r)
		if err != nil {
			return nil, true, err
		}
		return &csta.ConsultationCallResponse{InitiatedCall: v.conn(cn.call, cn.dev.number)}, true, nil
	case *csta.TransferCall:
		held, active, err := p.resolvePair(s, r.HeldCall, r.ActiveCall)
		if err != nil {
			return nil, true, err
		}
		c, err := p.transfer(held, active)
		if err != nil {
			return nil, true, err
		}
		return &csta.TransferCallResponse{TransferredCall: v.call(c)}, true, nil
	case *csta.ConferenceCall:
		held, active, err := p.resolvePair(s, r.HeldCall, r.ActiveCall)
		if err != nil {
			return nil, true, err
		}
		c, err := p.conference(held, active)
		if err != nil {
			return nil, true, err
		}
		return &csta.ConferenceCallResponse{ConferenceCall: v.conn(c, held.dev.number)}, true, nil
	case *csta.SingleStepTransferCall:
		resp, err := p.singleStepTransferService(s, v, r)
		return resp, true, err
	}
	return nil, false, nil
}

func (p *PBX) singleStepTransferService(s subscriber, v view, r *csta.SingleStepTransferCall) (csta.Message, error) {
	cn, err := p.resolveConnFor(s, r.ActiveCall, needConnected)
	if err != nil {
		return nil, err
	}
	target, err := p.route(r.TransferredTo.Number, csta.ErrInvalidDestination)
	if err != nil {
		return nil, err
	}
	c := cn.call
	if err := p.singleStepTransfer(cn, target); err != nil {
		p.forgetIdleExternal(target)
		return nil, err
	}
	return &csta.SingleStepTransferCallResponse{TransferredCall: v.conn(c, target.number)}, nil
}

// executeDeviceSetting runs the logical device feature services: forwarding and DND.
func (p *PBX) executeDeviceSetting(_ subscriber, _ view, req csta.Message) (csta.Message, bool, error) {
	var (
		resp csta.Message
		err  error
	)
	switch r := req.(type) {
	case *csta.SetForwarding:
		dev, derr := p.extension(r.Device)
		if err = derr; err == nil {
			err = p.setForwarding(dev, r.ForwardingType, r.ActivateForward, r.ForwardDN.Number, r.RingCount)
		}
		resp = &csta.SetForwardingResponse{}
	case *csta.GetForwarding:
		dev, derr := p.extension(r.Device)
		if derr != nil {
			return nil, true, derr
		}
		return &csta.GetForwardingResponse{Forwards: p.getForwarding(dev)}, true, nil
	case *csta.SetDoNotDisturb:
		dev, derr := p.extension(r.Device)
		if err = derr; err == nil {
			err = p.setDoNotDisturb(dev, r.DoNotDisturbOn)
		}
		resp = &csta.SetDoNotDisturbResponse{}
	default:
		return nil, false, nil
	}
	resp, err = ok(resp, err)
	return resp, true, err
}

// onConn resolves a connection for a service that needs it in state need and acts on it.
func (p *PBX) onConn(s subscriber, id csta.ConnectionID, n need, act func(*conn) error) error {
	cn, err := p.resolveConnFor(s, id, n)
	if err != nil {
		return err
	}
	return act(cn)
}

func ok(resp csta.Message, err error) (csta.Message, error) {
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// autoOriginatePrompt is the MakeCall autoOriginate value that rings the calling device first.
// ECMA-269 makes prompt the default when the member is absent; the simulator treats an
// absent member as doNotPrompt, as it always did, so only an explicit prompt prompts.
const autoOriginatePrompt = "prompt"

// makeCall starts a call from calling to called. Without prompt the calling device is
// connected at once (ServiceInitiated, Originated, then the call is offered). With prompt it
// is rung first: ServiceInitiated only, and the rest when the prompt is accepted (promptAccept).
func (p *PBX) makeCall(calling, called csta.DeviceID, prompt bool) (*conn, error) {
	dev := p.devices[calling.Number]
	if dev == nil || dev.kind != kindExtension {
		return nil, errOperation(csta.ErrInvalidCallingDeviceID)
	}
	target, err := p.route(called.Number, csta.ErrInvalidCalledDeviceID)
	if err != nil {
		return nil, err
	}
	cn, err := p.originate(dev, csta.CauseMakeCall)
	if err != nil {
		p.forgetIdleExternal(target)
		return nil, err
	}
	if prompt {
		p.startPrompt(cn, target)
		return cn, nil
	}
	return cn, p.dial(cn, target, csta.CauseMakeCall)
}

func (p *PBX) consultation(s subscriber, r *csta.ConsultationCall) (*conn, error) {
	existing, err := p.resolveConnFor(s, r.ExistingCall, needConnected)
	if err != nil {
		return nil, err
	}
	if existing.dev.busy {
		return nil, errState(csta.ErrInvalidObjectState)
	}
	target, err := p.route(r.ConsultedDevice.Number, csta.ErrInvalidCalledDeviceID)
	if err != nil {
		return nil, err
	}
	cn, err := p.consult(existing, target)
	if err != nil {
		p.forgetIdleExternal(target)
	}
	return cn, err
}

// forgetIdleExternal drops an external party that a failed request created.
func (p *PBX) forgetIdleExternal(d *device) {
	if d.kind == kindExternal && len(d.conns) == 0 && len(d.monitors) == 0 && !d.busy {
		delete(p.devices, d.number)
	}
}

func generateDigits(cn *conn, digits string) error {
	if cn.state != csta.StateConnected {
		return errState(csta.ErrInvalidConnectionState)
	}
	if digits == "" {
		return errOperation(errValueOutOfRange)
	}
	for _, r := range digits {
		if !(r >= '0' && r <= '9' || r == '*' || r == '#' || r >= 'A' && r <= 'D') {
			return errOperation(errValueOutOfRange)
		}
	}
	return nil
}

// extension resolves a device a feature request names; only extensions have features.
func (p *PBX) extension(id csta.DeviceID) (*device, error) {
	d := p.devices[id.Number]
	if d == nil || d.kind != kindExtension {
		return nil, errOperation(csta.ErrInvalidDeviceID)
	}
	return d, nil
}

// resolveCall maps a call ID the client sent (in its node's numbering) to a call.
func (p *PBX) resolveCall(s subscriber, wire string) (*call, error) {
	num, okID := s.canonicalCallID(wire)
	c := p.calls[num]
	if !okID || c == nil {
		return nil, errOperation(csta.ErrInvalidCallID)
	}
	return c, nil
}

// need is the connection state a service acts on, for resolving a connection without call ID.
// Each value lists tiers of states: the first tier in which the device has a connection must
// hold exactly one, else the request is ambiguous.
type need [][]csta.LocalConnectionState

var (
	needAlerting  = need{{csta.StateAlerting}}
	needConnected = need{{csta.StateConnected}}
	needHeld      = need{{csta.StateHold}}
	// needHangUp is what a phone's hang-up releases: the call occupying the handset
	// (connected, dialling, or failed), else a ringing call (rejecting it), else a held one.
	needHangUp = need{{csta.StateConnected, csta.StateInitiated, csta.StateFail}, {csta.StateAlerting}, {csta.StateHold}}
)

// resolveConnFor is resolveConn for a service that needs a connection in state n. With
// Profile.ResolveByState a missing call ID on a device with several calls picks the one
// connection in the state n needs; none or several is operation/invalidConnectionID.
func (p *PBX) resolveConnFor(s subscriber, id csta.ConnectionID, n need) (*conn, error) {
	dev := p.devices[id.DeviceID.Number]
	if dev == nil {
		return nil, errOperation(csta.ErrInvalidConnectionID)
	}
	if id.CallID == "" {
		if len(dev.conns) == 1 {
			return dev.conns[0], nil
		}
		if p.prof.ResolveByState {
			return dev.byState(n)
		}
		return nil, errOperation(csta.ErrInvalidConnectionID)
	}
	c, err := p.resolveCall(s, id.CallID)
	if err != nil {
		return nil, err
	}
	cn := c.connOf(dev)
	if cn == nil {
		return nil, errOperation(csta.ErrInvalidConnectionID)
	}
	return cn, nil
}

func (p *PBX) resolvePair(s subscriber, a, b csta.ConnectionID) (*conn, *conn, error) {
	held, err := p.resolveConnFor(s, a, needHeld)
	if err != nil {
		return nil, nil, err
	}
	active, err := p.resolveConnFor(s, b, needConnected)
	if err != nil {
		return nil, nil, err
	}
	return held, active, nil
}

// monitorStart registers a monitor of s on a device.
func (p *PBX) monitorStart(s subscriber, id csta.DeviceID) (csta.MonitorCrossRefID, error) {
	dev := p.devices[id.Number]
	if dev == nil || dev.kind == kindExternal {
		return "", errOperation(csta.ErrInvalidMonitorObject)
	}
	p.crossRef++
	m := &monitor{ref: csta.MonitorCrossRefID(strconv.FormatUint(1000000000+p.crossRef, 10)), dev: dev, sub: s}
	dev.monitors = append(dev.monitors, m)
	p.monitors[m.ref] = m
	return m.ref, nil
}

func (p *PBX) removeMonitor(m *monitor) {
	delete(p.monitors, m.ref)
	list := m.dev.monitors
	for i, x := range list {
		if x == m {
			m.dev.monitors = append(list[:i:i], list[i+1:]...)
			break
		}
	}
}

// dropSubscriber removes every monitor of a session that ended.
func (p *PBX) dropSubscriber(s subscriber) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.monitors {
		if m.sub == s {
			p.removeMonitor(m)
		}
	}
}

// byState returns the device's one connection in the first tier of n it has connections in.
func (d *device) byState(n need) (*conn, error) {
	for _, tier := range n {
		var found []*conn
		for _, cn := range d.conns {
			for _, st := range tier {
				if cn.state == st {
					found = append(found, cn)
				}
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		return nil, errOperation(csta.ErrInvalidConnectionID)
	}
	return nil, errOperation(csta.ErrInvalidConnectionID)
}

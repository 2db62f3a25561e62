package pbxsim

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// Basic call handling: going off-hook, dialling, offering a call to a device, answering,
// clearing, hold and retrieve. Every function here runs with p.mu held and emits the
// ECMA-269 events in the order a switch sends them.

// maxRedirects bounds forwarding chains so that two devices forwarded to each other end in
// busy instead of looping.
const maxRedirects = 5

func errOperation(v string) *csta.Error {
	return &csta.Error{Category: csta.ErrCatOperation, Value: v}
}

func errState(v string) *csta.Error {
	return &csta.Error{Category: csta.ErrCatStateIncompatibility, Value: v}
}

// originate takes dev off-hook: a new call in state initiated (ServiceInitiated).
func (p *PBX) originate(dev *device, cause csta.EventCause) (*conn, error) {
	if dev.kind != kindExtension {
		return nil, errOperation(csta.ErrInvalidCallingDeviceID)
	}
	if dev.isBusy() {
		return nil, errState(csta.ErrInvalidObjectState)
	}
	c := p.newCall(dev.number, "")
	cn := p.addConn(c, dev, csta.StateInitiated)
	p.emit(c, nil, cause, func(v view) csta.Event {
		return &csta.ServiceInitiatedEvent{
			InitiatedConnection: v.own(c, dev.number),
			InitiatingDevice:    v.dev(p, dev.number),
		}
	})
	return cn, nil
}

// route finds the device a dialled number reaches; errValue names the CSTA error when none.
func (p *PBX) route(number, errValue string) (*device, error) {
	if d := p.devices[number]; d != nil && d.kind != kindExternal {
		return d, nil
	}
	if isExternalNumber(number) {
		return p.extDevice(number), nil
	}
	return nil, errOperation(errValue)
}

// dial completes dialling on an initiated connection (Originated) and offers the call.
func (p *PBX) dial(cn *conn, target *device, cause csta.EventCause) error {
	if cn.state != csta.StateInitiated {
		return errState(csta.ErrInvalidConnectionState)
	}
	c := cn.call
	c.called = target.number
	cn.state = csta.StateConnected
	p.emit(c, nil, cause, func(v view) csta.Event {
		ev := &csta.OriginatedEvent{
			OriginatedConnection: v.own(c, cn.dev.number),
			CallingDevice:        v.dev(p, c.calling),
			CalledDevice:         v.dev(p, c.called),
		}
		if v.prof.PlainOriginatedCalling {
			ev.CallingDevice = csta.Device(c.calling)
		}
		return ev
	})
	p.offer(c, target, csta.CauseNewCall, 0)
	return nil
}

// offer presents call c to target: forwarding, DND and busy are applied here, so every way a
// call reaches a device (dialling, deflection, transfer, forwarding) behaves the same.
func (p *PBX) offer(c *call, target *device, cause csta.EventCause, hops int) {
	switch target.kind {
	case kindHunt:
		p.offerHunt(c, target, cause)
		return
	case kindExternal:
		p.offerExternal(c, target, cause)
		return
	}
	if f := target.forwards[csta.ForwardImmediate]; p.forwardsTo(c, f, hops) {
		p.divert(c, nil, target, f.dn, csta.CauseCallForwardImmediate, hops)
		return
	}
	if target.dnd {
		p.fail(c, target, csta.CauseDoNotDisturb)
		return
	}
	// A party of the call (say its caller, on hold) is busy for it: a device is in a call once.
	if target.isBusy() || c.connOf(target) != nil {
		if f := target.forwards[csta.ForwardBusy]; p.forwardsTo(c, f, hops) {
			p.divert(c, nil, target, f.dn, csta.CauseCallForwardBusy, hops)
			return
		}
		p.fail(c, target, csta.CauseBusy)
		return
	}
	cn := p.addConn(c, target, csta.StateAlerting)
	p.emitDelivered(c, target, cause)
	if f := target.forwards[csta.ForwardNoAns]; f.on && hops < maxRedirects {
		p.startNoAnswer(cn, f, hops)
	}
}

// forwardsTo reports whether forwarding f applies to c: a switch does not forward a call to a
// device already in it (its own caller, say), which would ring with its own call; the call
// then stays at the forwarding device as if forwarding were off.
func (p *PBX) forwardsTo(c *call, f forward, hops int) bool {
	return f.on && hops < maxRedirects && !p.inCall(c, f.dn)
}

// inCall reports whether the device with the given number is a party of c.
func (p *PBX) inCall(c *call, number string) bool {
	d := p.devices[number]
	return d != nil && c.connOf(d) != nil
}

// offerExternal sends the call out on the trunk: NetworkReached, then the far end alerts
// (Delivered) unless it answers busy.
func (p *PBX) offerExternal(c *call, target *device, cause csta.EventCause) {
	p.emit(c, nil, csta.CauseNormal, func(v view) csta.Event {
		return &csta.NetworkReachedEvent{
			OutboundConnection:   v.own(c, target.number),
			NetworkInterfaceUsed: csta.Device(p.cfg.Trunk),
			CallingDevice:        v.dev(p, c.calling),
			CalledDevice:         v.dev(p, c.called),
		}
	})
	if target.busy {
		p.fail(c, target, csta.CauseBusy)
		return
	}
	p.addConn(c, target, csta.StateAlerting)
	p.emitDelivered(c, target, cause)
}

func (p *PBX) emitDelivered(c *call, alerting *device, cause csta.EventCause) {
	p.emit(c, nil, cause, func(v view) csta.Event {
		ev := &csta.DeliveredEvent{
			Connection:            v.own(c, alerting.number),
			AlertingDevice:        v.dev(p, alerting.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.lastRedirection(p, c),
		}
		if v.prof.OmitOptional {
			return ev
		}
		if d := p.devices[c.calling]; d != nil && d.kind == kindExternal {
			ev.NetworkCallingDevice = v.dev(p, c.calling)
		}
		if d := p.devices[c.called]; d != nil && d.kind == kindHunt {
			ev.ACDCall = true
		}
		return ev
	})
}

// fail reports that c could not reach target: the calling side goes to state fail.
func (p *PBX) fail(c *call, target *device, cause csta.EventCause) {
	for _, cn := range c.conns {
		if cn.state == csta.StateConnected {
			cn.state = csta.StateFail
		}
	}
	p.emit(c, nil, cause, func(v view) csta.Event {
		return &csta.FailedEvent{
			FailedConnection: v.own(c, target.number),
			FailingDevice:    v.dev(p, target.number),
			CallingDevice:    v.dev(p, c.calling),
			CalledDevice:     v.dev(p, c.called),
		}
	})
}

// divert moves c away from dev (whose alerting connection is from, or nil when it never
// alerted) to the number to: Diverted, then the call is offered anew.
func (p *PBX) divert(c *call, from *conn, dev *device, to string, cause csta.EventCause, hops int) {
	target, err := p.route(to, csta.ErrInvalidDestination)
	if err != nil {
		p.fail(c, dev, csta.CauseDestNotObtainable)
		return
	}
	if from != nil {
		p.removeConn(from)
	}
	c.lastRedirect = dev.number
	p.emit(c, []*device{dev}, cause, func(v view) csta.Event {
		return &csta.DivertedEvent{
			Connection:            v.own(c, dev.number),
			DivertingDevice:       v.dev(p, dev.number),
			NewDestination:        v.dev(p, target.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.dev(p, dev.number),
		}
	})
	p.offer(c, target, cause, hops+1)
	p.flushAgents()
}

// startNoAnswer arms the no-answer forwarding timer of an alerting connection.
func (p *PBX) startNoAnswer(cn *conn, f forward, hops int) {
	d := p.cfg.NoAnswerTime
	if f.ringCount > 0 {
		d = time.Duration(f.ringCount) * p.cfg.RingPeriod
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed || cn.noAnswer != t || cn.state != csta.StateAlerting {
			return
		}
		cn.noAnswer = nil
		fw := cn.dev.forwards[csta.ForwardNoAns]
		if !fw.on || p.inCall(cn.call, fw.dn) {
			return // not forwarded to a party of the call: it rings on here
		}
		p.divert(cn.call, cn, cn.dev, fw.dn, csta.CauseCallForwardNoAnswer, hops)
	})
	cn.noAnswer = t
}

// answer connects an alerting connection (Established).
func (p *PBX) answer(cn *conn) error {
	if cn.promptTo != nil {
		return p.acceptPrompt(cn) // the calling device of a prompted MakeCall picks up
	}
	if cn.state != csta.StateAlerting {
		return errState(csta.ErrInvalidConnectionState)
	}
	if cn.dev.kind == kindExtension {
		for _, x := range cn.dev.conns {
			if x != cn && (x.state == csta.StateConnected || x.state == csta.StateInitiated) {
				return errState(csta.ErrInvalidObjectState)
			}
		}
	}
	cn.stopTimer()
	cn.state = csta.StateConnected
	c := cn.call
	cause := csta.CauseNewCall
	if c.lastRedirect != "" {
		cause = csta.CauseRedirected
	}
	p.emit(c, nil, cause, func(v view) csta.Event {
		return &csta.EstablishedEvent{
			EstablishedConnection: v.own(c, cn.dev.number),
			AnsweringDevice:       v.dev(p, cn.dev.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.lastRedirection(p, c),
		}
	})
	return nil
}

// clear releases one connection (ConnectionCleared); the call ends when fewer than two
// parties remain (CallCleared).
func (p *PBX) clear(cn *conn, cause csta.EventCause) {
	c, dev := cn.call, cn.dev
	p.removeConn(cn)
	p.emit(c, []*device{dev}, cause, func(v view) csta.Event {
		return &csta.ConnectionClearedEvent{
			DroppedConnection: v.own(c, dev.number),
			ReleasingDevice:   v.dev(p, dev.number),
		}
	})
	p.afterLeave(c, dev, cause)
}

// afterLeave ends c when it has fewer than two parties. CallCleared goes to the devices still
// in the call, or to the last one to leave when nobody is left.
func (p *PBX) afterLeave(c *call, last *device, cause csta.EventCause) {
	if c.ended {
		return
	}
	if len(c.conns) >= 2 {
		p.serveQueues()
		p.flushAgents()
		return
	}
	devs := p.callDevices(c, nil)
	if len(devs) == 0 && last != nil {
		devs = []*device{last}
	}
	p.unqueue(c)
	p.endCall(c)
	p.emitAt(devs, c, cause, func(v view) csta.Event {
		return &csta.CallClearedEvent{ClearedCall: v.call(c)}
	})
	p.serveQueues()
	p.flushAgents()
}

// hold puts a connected connection on hold (Held).
func (p *PBX) hold(cn *conn, cause csta.EventCause) error {
	if cn.state != csta.StateConnected {
		return errState(csta.ErrInvalidConnectionState)
	}
	cn.state = csta.StateHold
	c := cn.call
	p.emit(c, nil, cause, func(v view) csta.Event {
		return &csta.HeldEvent{
			HeldConnection: v.own(c, cn.dev.number),
			HoldingDevice:  v.dev(p, cn.dev.number),
		}
	})
	return nil
}

// retrieve reconnects a held connection (Retrieved).
func (p *PBX) retrieve(cn *conn) error {
	if cn.state != csta.StateHold {
		return errState(csta.ErrInvalidConnectionState)
	}
	if cn.dev.active() != nil {
		return errState(csta.ErrInvalidObjectState)
	}
	cn.state = csta.StateConnected
	c := cn.call
	p.emit(c, nil, csta.CauseNormal, func(v view) csta.Event {
		return &csta.RetrievedEvent{
			RetrievedConnection: v.own(c, cn.dev.number),
			RetrievingDevice:    v.dev(p, cn.dev.number),
		}
	})
	return nil
}

// errValueOutOfRange is the ECMA-269 operation error for a parameter outside its range; the
// csta package has no constant for it.
const errValueOutOfRange = "valueOutOfRange"

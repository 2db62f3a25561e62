package pbxsim

import (
	"errors"
	"fmt"

	"github.com/ctibridge/ctibridge/csta"
)

// The control API does what people at the phones do without CTI: lift the handset and dial,
// answer, hang up, press hold, or call in from outside. The events it causes are exactly those
// of the matching CSTA service. Call IDs it returns are canonical (as the primary node reports
// them); see Node.WireCallID for a node in different-call-ID mode.

// ControlError is a refused control action: which device, what was wrong.
type ControlError struct {
	Device string
	Reason string
	Err    error // the CSTA error behind it, if any
	// Unknown is set when the device is not one the action applies to at all.
	Unknown bool
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("pbxsim: %s: %s", e.Device, e.Reason)
}

func (e *ControlError) Unwrap() error { return e.Err }

func ctlErr(dev, reason string, err error) error {
	return &ControlError{Device: dev, Reason: reason, Err: err}
}

// lockOpen takes the model lock unless the PBX is closed.
func (p *PBX) lockOpen() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	return nil
}

func (p *PBX) ext(number string) (*device, error) {
	d := p.devices[number]
	if d == nil || d.kind != kindExtension {
		return nil, &ControlError{Device: number, Reason: "not an extension", Unknown: true}
	}
	return d, nil
}

// party returns an extension or an external number currently in a call.
func (p *PBX) party(number string) (*device, error) {
	d := p.devices[number]
	if d == nil || d.kind == kindHunt {
		return nil, &ControlError{Device: number, Reason: "not an extension or an external party in a call", Unknown: true}
	}
	return d, nil
}

// findConn returns dev's first connection in one of the states, in the order given.
func findConn(dev *device, states ...csta.LocalConnectionState) *conn {
	for _, st := range states {
		for _, cn := range dev.conns {
			if cn.state == st {
				return cn
			}
		}
	}
	return nil
}

// OffHook lifts the handset at an extension (ServiceInitiated) and returns the new call ID.
func (p *PBX) OffHook(ext string) (string, error) {
	if err := p.lockOpen(); err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return "", err
	}
	if cn := d.prompted(); cn != nil {
		// lifting the handset accepts a MakeCall prompt
		if err := p.acceptPrompt(cn); err != nil {
			return "", ctlErr(ext, "cannot accept the MakeCall prompt", err)
		}
		return cn.call.id, nil
	}
	if cn := findConn(d, csta.StateAlerting); cn != nil {
		return "", ctlErr(ext, "is ringing; answer instead", nil)
	}
	cn, err := p.originate(d, csta.CauseNewCall)
	if err != nil {
		return "", ctlErr(ext, "is busy", err)
	}
	return cn.call.id, nil
}

// Dial dials to on the extension's dial tone, lifting the handset first when it is on-hook:
// Originated, then Delivered, NetworkReached or Failed. It returns the call ID.
func (p *PBX) Dial(from, to string) (string, error) {
	if err := p.lockOpen(); err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	d, err := p.ext(from)
	if err != nil {
		return "", err
	}
	target, err := p.route(to, csta.ErrInvalidCalledDeviceID)
	if err != nil {
		return "", ctlErr(to, "is not a number this PBX can reach", err)
	}
	cn := findConn(d, csta.StateInitiated)
	if cn == nil {
		if cn, err = p.originate(d, csta.CauseNewCall); err != nil {
			p.forgetIdleExternal(target)
			return "", ctlErr(from, "is busy", err)
		}
	}
	if err := p.dial(cn, target, csta.CauseNewCall); err != nil {
		return "", ctlErr(from, "cannot dial", err)
	}
	return cn.call.id, nil
}

// IncomingCall rings an external caller in to a number (extension or hunt group) over the
// trunk and returns the call ID. An external caller that is already in a call may call again.
func (p *PBX) IncomingCall(from, to string) (string, error) {
	if err := p.lockOpen(); err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	if !isExternalNumber(from) {
		return "", ctlErr(from, "is not an external number (want + or 0 and at least 4 digits)", nil)
	}
	if d := p.devices[from]; d != nil && d.kind != kindExternal {
		return "", ctlErr(from, "is an internal number", nil)
	}
	target := p.devices[to]
	if target == nil || target.kind == kindExternal {
		return "", ctlErr(to, "is not an extension or hunt group", nil)
	}
	caller := p.extDevice(from)
	c := p.newCall(from, to)
	p.addConn(c, caller, csta.StateConnected)
	p.offer(c, target, csta.CauseNewCall, 0)
	return c.id, nil
}

// Answer answers the alerting call at an extension, or the far end of an outgoing call at an
// external number (Established).
func (p *PBX) Answer(dev string) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.party(dev)
	if err != nil {
		return err
	}
	cn := findConn(d, csta.StateAlerting)
	if cn == nil {
		cn = d.prompted() // a MakeCall prompt rings like a call
	}
	if cn == nil {
		return ctlErr(dev, "has no ringing call", errState(csta.ErrInvalidConnectionState))
	}
	if err := p.answer(cn); err != nil {
		return ctlErr(dev, "cannot answer while in another call", err)
	}
	return nil
}

// HangUp puts the handset down: the connected, dialling, failed or else held call is cleared
// (ConnectionCleared, and CallCleared when the call ends).
func (p *PBX) HangUp(dev string) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.party(dev)
	if err != nil {
		return err
	}
	cn := findConn(d, csta.StateConnected, csta.StateInitiated, csta.StateFail, csta.StateHold)
	if cn == nil && d.kind == kindExternal {
		// A far end that gives up ringing.
		cn = findConn(d, csta.StateAlerting)
	}
	if cn == nil {
		return ctlErr(dev, "has no call to hang up", errOperation(csta.ErrNoCallToClear))
	}
	p.clear(cn, csta.CauseNormalClearing)
	return nil
}

// Hold presses the hold key on the extension's connected call (Held).
func (p *PBX) Hold(ext string) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return err
	}
	cn := findConn(d, csta.StateConnected)
	if cn == nil {
		return ctlErr(ext, "has no connected call to hold", errOperation(csta.ErrNoActiveCall))
	}
	return p.hold(cn, csta.CauseNormal)
}

// Retrieve takes the extension's held call back (Retrieved).
func (p *PBX) Retrieve(ext string) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return err
	}
	cn := findConn(d, csta.StateHold)
	if cn == nil {
		return ctlErr(ext, "has no held call", errOperation(csta.ErrNoHeldCall))
	}
	if err := p.retrieve(cn); err != nil {
		return ctlErr(ext, "is in another call", err)
	}
	return nil
}

// Consult holds the extension's connected call and dials to on a new call, as the
// consultation key does. It returns the new call ID.
func (p *PBX) Consult(ext, to string) (string, error) {
	if err := p.lockOpen(); err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return "", err
	}
	cn := findConn(d, csta.StateConnected)
	if cn == nil {
		return "", ctlErr(ext, "has no connected call to consult from", errOperation(csta.ErrNoActiveCall))
	}
	target, err := p.route(to, csta.ErrInvalidCalledDeviceID)
	if err != nil {
		return "", ctlErr(to, "is not a number this PBX can reach", err)
	}
	nc, err := p.consult(cn, target)
	if err != nil {
		return "", ctlErr(ext, "cannot consult", err)
	}
	return nc.call.id, nil
}

// Transfer joins the extension's held and active calls and hangs up (Transferred).
func (p *PBX) Transfer(ext string) error { return p.join(ext, false) }

// Conference joins the extension's held and active calls into a conference (Conferenced).
func (p *PBX) Conference(ext string) error { return p.join(ext, true) }

func (p *PBX) join(ext string, conference bool) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return err
	}
	held, active := findConn(d, csta.StateHold), findConn(d, csta.StateConnected)
	if held == nil || active == nil {
		return ctlErr(ext, "needs one held and one connected call", errOperation(csta.ErrNoHeldCall))
	}
	if conference {
		_, err = p.conference(held, active)
	} else {
		_, err = p.transfer(held, active)
	}
	if err != nil {
		return ctlErr(ext, "cannot join the calls", err)
	}
	return nil
}

// SetBusy makes a device answer every new call with busy, as when a person is on a call the
// switch does not see or a far end is engaged. Works for extensions and external numbers.
func (p *PBX) SetBusy(number string, busy bool) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d := p.devices[number]
	switch {
	case d == nil && isExternalNumber(number):
		d = p.extDevice(number)
	case d == nil || d.kind == kindHunt:
		return ctlErr(number, "not an extension or external number", nil)
	}
	d.busy = busy
	if !busy {
		p.forgetIdleExternal(d)
	}
	return nil
}

// SetDoNotDisturb switches DND at an extension, as its DND key does (DoNotDisturbEvent).
func (p *PBX) SetDoNotDisturb(ext string, on bool) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return err
	}
	return p.setDoNotDisturb(d, on)
}

// SetForwarding switches forwarding at an extension from the phone (ForwardingEvent).
// ringCount applies to forwardNoAns; 0 uses Config.NoAnswerTime.
func (p *PBX) SetForwarding(ext string, ft csta.ForwardingType, on bool, to string, ringCount int) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	d, err := p.ext(ext)
	if err != nil {
		return err
	}
	if err := p.setForwarding(d, ft, on, to, ringCount); err != nil {
		var ce *csta.Error
		if errors.As(err, &ce) {
			return ctlErr(ext, "forwarding refused: "+ce.Value, err)
		}
		return err
	}
	return nil
}

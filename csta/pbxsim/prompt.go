package pbxsim

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// MakeCall in prompt mode (autoOriginate prompt, ECMA-269 §17.1.8): the switch rings the
// calling device first. Its connection stays initiated while it is prompted (the
// ServiceInitiated of originate is all the monitors see); when the person accepts (control
// API Answer or OffHook, CSTA AnswerCall, or Config.PromptAnswer elapsing) the call is dialled
// as with doNotPrompt: Originated(makeCall), then the far end is offered the call. HangUp or
// ClearConnection, or NoAnswerTime without acceptance, clears it (ConnectionCleared and
// CallCleared at the caller). Every function here runs with p.mu held.

// startPrompt rings cn's device for a MakeCall to target and arms its timer.
func (p *PBX) startPrompt(cn *conn, target *device) {
	cn.promptTo = target
	d, accept := p.cfg.NoAnswerTime, false
	if a := p.cfg.PromptAnswer; a > 0 && a < d {
		d, accept = a, true
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed || cn.noAnswer != t || cn.promptTo == nil {
			return
		}
		cn.noAnswer = nil
		if accept {
			_ = p.acceptPrompt(cn)
			return
		}
		p.clear(cn, csta.CauseCallNotAnswered)
	})
	cn.noAnswer = t
}

// acceptPrompt dials the call of a prompted connection.
func (p *PBX) acceptPrompt(cn *conn) error {
	target := cn.promptTo
	cn.stopTimer()
	cn.promptTo = nil
	if err := p.dial(cn, target, csta.CauseMakeCall); err != nil {
		p.forgetIdleExternal(target)
		return err
	}
	return nil
}

// prompted returns the device's connection that is being prompted for a MakeCall, or nil.
func (d *device) prompted() *conn {
	for _, cn := range d.conns {
		if cn.promptTo != nil {
			return cn
		}
	}
	return nil
}

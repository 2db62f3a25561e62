package pbxsim

import (
	"github.com/ctibridge/ctibridge/csta"
)

// Services that involve two calls or move a call: consultation, transfer, conference,
// single-step transfer and deflection. They run with p.mu held.

// consult holds existing and calls target from the same device on a new call: Held (cause
// consultation) on the existing call, then ServiceInitiated, Originated (consultation) and the
// offer on the new one.
func (p *PBX) consult(existing *conn, target *device) (*conn, error) {
	if existing.state != csta.StateConnected {
		return nil, errState(csta.ErrInvalidConnectionState)
	}
	dev := existing.dev
	if err := p.hold(existing, csta.CauseConsultation); err != nil {
		return nil, err
	}
	cn, err := p.originate(dev, csta.CauseConsultation)
	if err != nil {
		return nil, err
	}
	return cn, p.dial(cn, target, csta.CauseConsultation)
}

// twoCalls checks the held and active connections of a transfer or conference.
func twoCalls(held, active *conn) error {
	if held.dev != active.dev || held.call == active.call {
		return errOperation(csta.ErrInvalidConnectionID)
	}
	if held.state != csta.StateHold {
		return errState(csta.ErrInvalidConnectionState)
	}
	if active.state != csta.StateConnected {
		return errState(csta.ErrInvalidConnectionState)
	}
	// Joining the calls would put a device in one call twice (it is in both, e.g. consulted
	// while it waits on hold): a switch refuses that destination.
	for _, a := range active.call.conns {
		if a.dev == held.dev {
			continue
		}
		for _, h := range held.call.conns {
			if h.dev == a.dev {
				return errOperation(csta.ErrInvalidDestination)
			}
		}
	}
	return nil
}

// merge moves every party of secondary except dev into primary, keeping their states, and
// returns the list of (new, old) connections for Transferred and Conferenced events.
func (p *PBX) merge(primary, secondary *call, dev *device) []movedConn {
	var moved []movedConn
	for _, cn := range primary.conns {
		if cn.dev != dev {
			moved = append(moved, movedConn{dev: cn.dev, from: primary})
		}
	}
	for _, cn := range append([]*conn(nil), secondary.conns...) {
		if cn.dev == dev {
			continue
		}
		secondary.conns = removeFrom(secondary.conns, cn)
		cn.call = primary
		if cn.dev.kind == kindHunt {
			requeue(cn.dev, secondary, primary)
		}
		primary.conns = append(primary.conns, cn)
		moved = append(moved, movedConn{dev: cn.dev, from: secondary})
	}
	return moved
}

type movedConn struct {
	dev  *device
	from *call
}

func connList(v view, to *call, moved []movedConn) []csta.ConnectionListItem {
	out := make([]csta.ConnectionListItem, 0, len(moved))
	for _, m := range moved {
		out = append(out, csta.ConnectionListItem{
			NewConnection: v.conn(to, m.dev.number),
			OldConnection: v.conn(m.from, m.dev.number),
			Endpoint:      csta.Device(m.dev.number),
		})
	}
	return out
}

// transfer joins the held and active calls and drops the transferring device: one Transferred
// event to every party of both calls. The resulting call keeps the held call's ID.
func (p *PBX) transfer(held, active *conn) (*call, error) {
	if err := twoCalls(held, active); err != nil {
		return nil, err
	}
	dev := held.dev
	primary, secondary := held.call, active.call
	var to *device
	for _, cn := range secondary.conns {
		if cn.dev != dev {
			to = cn.dev
			break
		}
	}
	if to == nil {
		return nil, errState(csta.ErrInvalidConnectionState)
	}
	recipients := p.callDevices(primary, p.callDevices(secondary, nil))
	p.removeConn(held)
	p.removeConn(active)
	moved := p.merge(primary, secondary, dev)
	p.endCall(secondary)
	p.emitAt(recipients, primary, csta.CauseTransfer, func(v view) csta.Event {
		return &csta.TransferredEvent{
			PrimaryOldCall:         v.conn(primary, dev.number),
			SecondaryOldCall:       v.conn(secondary, dev.number),
			TransferringDevice:     v.dev(p, dev.number),
			TransferredToDevice:    v.dev(p, to.number),
			TransferredConnections: connList(v, primary, moved),
		}
	})
	p.afterLeave(primary, dev, csta.CauseNormalClearing)
	return primary, nil
}

// conference joins the held and active calls into one call of three or more (Conferenced);
// the conferencing device's held connection becomes connected.
func (p *PBX) conference(held, active *conn) (*call, error) {
	if err := twoCalls(held, active); err != nil {
		return nil, err
	}
	dev := held.dev
	primary, secondary := held.call, active.call
	var added *device
	for _, cn := range secondary.conns {
		if cn.dev == dev {
			continue
		}
		if cn.state != csta.StateConnected {
			return nil, errState(csta.ErrInvalidConnectionState)
		}
		added = cn.dev
	}
	if added == nil {
		return nil, errState(csta.ErrInvalidConnectionState)
	}
	p.removeConn(active)
	moved := p.merge(primary, secondary, dev)
	p.endCall(secondary)
	held.state = csta.StateConnected
	moved = append(moved, movedConn{dev: dev, from: primary})
	p.emit(primary, nil, csta.CauseConference, func(v view) csta.Event {
		return &csta.ConferencedEvent{
			PrimaryOldCall:        v.conn(primary, dev.number),
			SecondaryOldCall:      v.conn(secondary, dev.number),
			ConferencingDevice:    v.dev(p, dev.number),
			AddedParty:            v.dev(p, added.number),
			ConferenceConnections: connList(v, primary, moved),
		}
	})
	return primary, nil
}

// singleStepTransfer moves the call of active to target in one step: Transferred to the
// parties (the transferring device leaves), then the call is offered to target (Delivered with
// cause singleStepTransfer and lastRedirectionDevice the transferring device).
func (p *PBX) singleStepTransfer(active *conn, target *device) error {
	if active.state != csta.StateConnected && active.state != csta.StateHold {
		return errState(csta.ErrInvalidConnectionState)
	}
	c, dev := active.call, active.dev
	if target == dev || c.connOf(target) != nil {
		return errOperation(csta.ErrInvalidDestination)
	}
	if !answeredByOther(c, active) {
		// The call still rings out (or waits in a queue): transferring it would leave a call
		// of ringing devices and nobody connected, which no switch makes.
		return errState(csta.ErrInvalidConnectionState)
	}
	var moved []movedConn
	for _, cn := range c.others(active) {
		moved = append(moved, movedConn{dev: cn.dev, from: c})
	}
	p.removeConn(active)
	c.lastRedirect = dev.number
	p.emit(c, []*device{dev}, csta.CauseSingleStepTransfer, func(v view) csta.Event {
		return &csta.TransferredEvent{
			PrimaryOldCall:         v.conn(c, dev.number),
			TransferringDevice:     v.dev(p, dev.number),
			TransferredToDevice:    v.dev(p, target.number),
			TransferredConnections: connList(v, c, moved),
		}
	})
	p.offer(c, target, csta.CauseSingleStepTransfer, 0)
	return nil
}

// answeredByOther reports whether a party of c other than cn has answered (is connected or on
// hold): the party a single-step transfer hands the call to.
func answeredByOther(c *call, cn *conn) bool {
	for _, x := range c.others(cn) {
		if x.state == csta.StateConnected || x.state == csta.StateHold {
			return true
		}
	}
	return false
}

// deflect diverts an alerting connection to target: Diverted, then Delivered with cause
// redirected at the new destination.
func (p *PBX) deflect(cn *conn, to string) error {
	if cn.state != csta.StateAlerting {
		return errState(csta.ErrInvalidConnectionState)
	}
	target, err := p.route(to, csta.ErrInvalidDestination)
	if err != nil {
		return err
	}
	// A device is in a call once: deflecting to the call's caller (or any party) is refused.
	if target == cn.dev || cn.call.connOf(target) != nil {
		return errOperation(csta.ErrInvalidDestination)
	}
	p.divert(cn.call, cn, cn.dev, target.number, csta.CauseRedirected, 0)
	return nil
}

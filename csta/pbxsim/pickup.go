package pbxsim

import (
	"github.com/ctibridge/ctibridge/csta"
)

// Call pickup: DirectedPickupCall (the ECMA-269 Directed Pickup Call service) takes the call
// alerting at a named device; GroupPickupCall (ECMA-269 Group Pickup Call) takes a call
// alerting in the requesting device's pickup group (Config.PickupGroups), the one that has
// rung longest.
//
// Event flow, after the connection state transitions of those services (the picked-from
// device's connection alerting -> null, the requesting device's null -> connected) and the
// pickup scenario of ECMA TR/68 (Diverted then Established, both with cause callPickup):
//
//	DivertedEvent     at the picked-from device and the other parties; cause callPickup,
//	                  divertingDevice = picked-from device, newDestination = picker
//	EstablishedEvent  at the picker and the other parties; cause callPickup,
//	                  answeringDevice = picker, lastRedirectionDevice = picked-from device
//
// No Delivered: the picker never alerts, it is connected at once.

// PickupGroup is a call pickup group: a member may pick up a call ringing at any other
// member with GroupPickupCall. Number names the group in GroupPickupCall's pickGroup.
type PickupGroup struct {
	Number  string
	Members []string
}

// pickup moves the alerting connection from to the extension picker.
func (p *PBX) pickup(from *conn, picker *device) (*conn, error) {
	if from.state != csta.StateAlerting || from.promptTo != nil {
		return nil, errState(csta.ErrInvalidConnectionState)
	}
	if picker == nil || picker.kind != kindExtension {
		return nil, errOperation(csta.ErrInvalidDeviceID)
	}
	if picker == from.dev || from.call.connOf(picker) != nil {
		return nil, errOperation(csta.ErrInvalidDestination)
	}
	if picker.isBusy() {
		return nil, errState(csta.ErrInvalidObjectState)
	}
	c, station := from.call, from.dev
	p.removeConn(from)
	c.lastRedirect = station.number
	p.emit(c, []*device{station}, csta.CauseCallPickup, func(v view) csta.Event {
		return &csta.DivertedEvent{
			Connection:            v.own(c, station.number),
			DivertingDevice:       v.dev(p, station.number),
			NewDestination:        v.dev(p, picker.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.dev(p, station.number),
		}
	})
	cn := p.addConn(c, picker, csta.StateConnected)
	p.emit(c, nil, csta.CauseCallPickup, func(v view) csta.Event {
		return &csta.EstablishedEvent{
			EstablishedConnection: v.own(c, picker.number),
			AnsweringDevice:       v.dev(p, picker.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.dev(p, station.number),
		}
	})
	return cn, nil
}

// pickupGroupOf returns the members of the pickup group named by id (a group number or a
// member extension), or of picker's own group when id is empty; nil when there is none.
func (p *PBX) pickupGroupOf(picker *device, id string) []string {
	for _, g := range p.cfg.PickupGroups {
		if id != "" && g.Number == id {
			return g.Members
		}
	}
	who := picker.number
	if id != "" {
		who = id
	}
	for _, g := range p.cfg.PickupGroups {
		for _, m := range g.Members {
			if m == who {
				return g.Members
			}
		}
	}
	return nil
}

// groupPickupTarget finds the connection alerting longest at a member of the group other
// than picker, or nil.
func (p *PBX) groupPickupTarget(picker *device, members []string) *conn {
	var best *conn
	for _, m := range members {
		d := p.devices[m]
		if d == nil || d == picker {
			continue
		}
		for _, cn := range d.conns {
			if cn.state != csta.StateAlerting || cn.promptTo != nil || cn.call.connOf(picker) != nil {
				continue
			}
			if best == nil || cn.alertSeq < best.alertSeq {
				best = cn
			}
		}
	}
	return best
}

// executePickup runs DirectedPickupCall and GroupPickupCall; ok is false for other requests.
func (p *PBX) executePickup(s subscriber, v view, req csta.Message) (resp csta.Message, handled bool, err error) {
	switch r := req.(type) {
	case *csta.DirectedPickupCall:
		if p.prof.NoPickup {
			return nil, true, errOperation(csta.ErrRequestedServiceNotSupported)
		}
		from, err := p.resolveConnFor(s, r.CallToBePickedUp, needAlerting)
		if err != nil {
			return nil, true, err
		}
		cn, err := p.pickup(from, p.devices[r.RequestingDevice.Number])
		if err != nil {
			return nil, true, err
		}
		return &csta.DirectedPickupCallResponse{PickedCall: v.conn(cn.call, cn.dev.number)}, true, nil
	case *csta.GroupPickupCall:
		if p.prof.NoPickup {
			return nil, true, errOperation(csta.ErrRequestedServiceNotSupported)
		}
		picker, err := p.extension(r.NewDestination)
		if err != nil {
			return nil, true, err
		}
		members := p.pickupGroupOf(picker, r.PickupDevice.Number)
		if members == nil {
			return nil, true, errOperation(csta.ErrInvalidDeviceID)
		}
		from := p.groupPickupTarget(picker, members)
		if from == nil {
			return nil, true, errState(csta.ErrNoCallToAnswer)
		}
		cn, err := p.pickup(from, picker)
		if err != nil {
			return nil, true, err
		}
		return &csta.GroupPickupCallResponse{PickedCall: v.conn(cn.call, cn.dev.number)}, true, nil
	}
	return nil, false, nil
}

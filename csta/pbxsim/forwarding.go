package pbxsim

import (
	"github.com/ctibridge/ctibridge/csta"
)

// Logical device features: forwarding and do-not-disturb. Forwarding is applied when a call
// is offered (see offer); these functions only change settings and report them.

// forwardTypes are the forwarding kinds the simulator implements, in GetForwarding order.
var forwardTypes = []csta.ForwardingType{csta.ForwardImmediate, csta.ForwardBusy, csta.ForwardNoAns}

func (p *PBX) setForwarding(dev *device, ft csta.ForwardingType, on bool, dn string, ringCount int) error {
	if dev.kind != kindExtension {
		return errOperation(csta.ErrInvalidDeviceID)
	}
	known := false
	for _, t := range forwardTypes {
		known = known || t == ft
	}
	if !known {
		return errOperation(errValueOutOfRange)
	}
	if ringCount < 0 || ringCount > 100 {
		return errOperation(errValueOutOfRange)
	}
	f := forward{on: on, ringCount: ringCount}
	if on {
		if dn == "" || dn == dev.number {
			return errOperation(csta.ErrInvalidForwardingDestination)
		}
		if d := p.devices[dn]; (d == nil || d.kind == kindExternal) && !isExternalNumber(dn) {
			return errOperation(csta.ErrInvalidForwardingDestination)
		}
		f.dn = dn
	}
	if dev.forwards == nil {
		dev.forwards = map[csta.ForwardingType]forward{}
	}
	dev.forwards[ft] = f
	p.emitAt([]*device{dev}, nil, "", func(v view) csta.Event {
		ev := &csta.ForwardingEvent{
			Device:         csta.Device(dev.number),
			ForwardingType: ft,
			ForwardStatus:  on,
		}
		if on {
			ev.ForwardTo = v.dev(p, dn)
		}
		return ev
	})
	return nil
}

func (p *PBX) getForwarding(dev *device) []csta.ForwardListItem {
	out := make([]csta.ForwardListItem, 0, len(forwardTypes))
	for _, t := range forwardTypes {
		f := dev.forwards[t]
		item := csta.ForwardListItem{ForwardingType: t, ForwardStatus: f.on, RingCount: f.ringCount}
		if f.on {
			item.ForwardDN = csta.Device(f.dn)
		}
		out = append(out, item)
	}
	return out
}

func (p *PBX) setDoNotDisturb(dev *device, on bool) error {
	if dev.kind != kindExtension {
		return errOperation(csta.ErrInvalidDeviceID)
	}
	dev.dnd = on
	p.emitAt([]*device{dev}, nil, "", func(v view) csta.Event {
		return &csta.DoNotDisturbEvent{Device: csta.Device(dev.number), DoNotDisturbOn: on}
	})
	return nil
}

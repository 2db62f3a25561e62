package pbxsim

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// view is what an event builder knows about one recipient: the monitor's session decides the
// call IDs it sees, the profile the shapes, and at is the monitored device the copy is for
// (nil for a service response).
type view struct {
	sub  subscriber
	prof *Profile
	at   *device
}

// view returns the view of a service response for the client session s.
func (p *PBX) view(s subscriber) view { return view{sub: s, prof: &p.prof} }

// conn returns the wire connection identifier of dev in c for this recipient. Connection
// device IDs are never decorated, as on OpenScape Voice.
func (v view) conn(c *call, number string) csta.ConnectionID {
	if v.prof.OmitCallIDs {
		return csta.ConnectionID{DeviceID: csta.Device(number)}
	}
	return csta.ConnectionID{CallID: v.sub.wireCallID(c), DeviceID: csta.Device(number)}
}

// own returns the connection an event about number's connection in c names: number's, or,
// with Profile.OwnConnection, the recipient's own while the recipient is in c.
func (v view) own(c *call, number string) csta.ConnectionID {
	if v.prof.OwnConnection && v.at != nil && c.connOf(v.at) != nil {
		return v.conn(c, v.at.number)
	}
	return v.conn(c, number)
}

// call returns the identifier of the whole call (CallCleared, TransferCall's response): the
// call ID alone, or, without call IDs, the recipient's own connection (first party for a
// response).
func (v view) call(c *call) csta.ConnectionID {
	if !v.prof.OmitCallIDs {
		return csta.ConnectionID{CallID: v.sub.wireCallID(c)}
	}
	if v.at != nil {
		return csta.ConnectionID{DeviceID: csta.Device(v.at.number)}
	}
	if len(c.conns) > 0 {
		return csta.ConnectionID{DeviceID: csta.Device(c.conns[0].dev.number)}
	}
	return csta.ConnectionID{}
}

// dev returns a device identifier as a subject field of an event (callingDevice etc.).
func (v view) dev(p *PBX, number string) csta.DeviceID {
	if number == "" {
		return csta.DeviceID{Absent: "notKnown"}
	}
	d := p.devices[number]
	external := d == nil || d.kind == kindExternal
	if v.prof.DecorateAll {
		return csta.Device(osvDecorate(number, external))
	}
	if external && v.sub.decorate() {
		return csta.Device("N<" + number + ">;noa=nk")
	}
	return csta.Device(number)
}

// lastRedirection is the lastRedirectionDevice member of Delivered and Established.
func (v view) lastRedirection(p *PBX, c *call) csta.DeviceID {
	if c.lastRedirect != "" {
		return v.dev(p, c.lastRedirect)
	}
	if v.prof.NotRequiredRedirection {
		return csta.DeviceID{Absent: "notRequired"}
	}
	return csta.DeviceID{}
}

// builder makes one recipient's copy of an event; emit fills in the common fields.
type builder func(v view) csta.Event

// emit sends an event about c to every monitor of every device in c, plus extra devices
// (those that just left the call). Each copy carries the monitor's cross reference ID and the
// recipient device's local connection state in c.
func (p *PBX) emit(c *call, extra []*device, cause csta.EventCause, build builder) {
	p.emitAt(p.callDevices(c, extra), c, cause, build)
}

// emitAt sends an event to every monitor of devs; states are looked up in c (nil: no call).
func (p *PBX) emitAt(devs []*device, c *call, cause csta.EventCause, build builder) {
	p.emitStamped(devs, c, cause, time.Time{}, build)
}

// emitStamped is emitAt with the send time stamped under StampEvents given (zero: now), so
// that an event can carry the time the model recorded for what it reports (a call's start of
// waiting in a queue).
func (p *PBX) emitStamped(devs []*device, c *call, cause csta.EventCause, stamp time.Time, build builder) {
	for _, d := range devs {
		if len(d.monitors) == 0 {
			continue
		}
		var local csta.LocalConnectionState
		if c != nil {
			local = csta.StateNull
			if cn := c.connOf(d); cn != nil {
				local = cn.state
			}
		}
		for _, m := range d.monitors {
			ev := build(view{sub: m.sub, prof: &p.prof, at: d})
			ec := ev.Common()
			ec.MonitorCrossRefID = m.ref
			ec.LocalConnectionInfo = local
			ec.Cause = cause
			var stampElem []byte
			if p.cfg.StampEvents {
				if stamp.IsZero() {
					stamp = time.Now()
				}
				ec.Timestamp = stamp
				stampElem = stampElement(stamp)
				ec.Extensions = timestampExtension(stamp)
			}
			if p.prof.ServiceExtras && c != nil {
				ec.Extensions = serviceExtras(local, stampElem)
			}
			p.stats.EventsQueued++
			m.sub.push(ev)
		}
	}
}

// callDevices lists the distinct devices of c followed by extra.
func (p *PBX) callDevices(c *call, extra []*device) []*device {
	devs := make([]*device, 0, len(c.conns)+len(extra))
	add := func(d *device) {
		for _, x := range devs {
			if x == d {
				return
			}
		}
		devs = append(devs, d)
	}
	for _, cn := range c.conns {
		add(cn.dev)
	}
	for _, d := range extra {
		add(d)
	}
	return devs
}

// The send time travels as the standard CSTA security timestamp (CSTASecurityData, the first
// member of <extensions>), which the codec decodes into EventCommon.Timestamp: a bridge reads it
// without knowing the simulator.
const (
	stampElemOpen  = `<security><timestamp>`
	stampElemClose = `</timestamp></security>`
)

func timestampExtension(t time.Time) []byte {
	return []byte("<extensions>" + string(stampElement(t)) + "</extensions>")
}

// stampElement is the <security> element carrying t.
func stampElement(t time.Time) []byte {
	return []byte(stampElemOpen + csta.FormatTimestamp(t) + stampElemClose)
}

// EventTimestamp returns the simulator's send time of an event stamped under
// Config.StampEvents (EventCommon.Timestamp, set by the model and by the codec).
func EventTimestamp(ev csta.Event) (time.Time, bool) {
	t := ev.Common().Timestamp
	return t, !t.IsZero()
}

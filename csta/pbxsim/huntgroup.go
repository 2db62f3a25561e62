package pbxsim

import (
	"github.com/ctibridge/ctibridge/csta"
)

// Hunt groups: a call to the pilot number alerts the next idle member (circular hunting);
// when every member is busy the call waits at the pilot in state queued (Queued event) and is
// delivered as soon as a member becomes free.

// offerHunt presents c to hunt group h.
func (p *PBX) offerHunt(c *call, h *device, cause csta.EventCause) {
	if m := p.freeMember(h); m != nil {
		p.offer(c, m, csta.CauseEnteringDistribution, maxRedirects)
		return
	}
	p.addConn(c, h, csta.StateQueued)
	h.queue = append(h.queue, c)
	n := len(h.queue)
	p.emit(c, nil, csta.CauseEnteringDistribution, func(v view) csta.Event {
		return &csta.QueuedEvent{
			QueuedConnection: v.own(c, h.number),
			Queue:            v.dev(p, h.number),
			CallingDevice:    v.dev(p, c.calling),
			CalledDevice:     v.dev(p, c.called),
			NumberQueued:     n,
		}
	})
}

// freeMember returns the next idle member after the last one hunted, or nil.
func (p *PBX) freeMember(h *device) *device {
	start := p.huntOrder[h.number]
	for i := range h.members {
		idx := (start + i) % len(h.members)
		m := p.devices[h.members[idx]]
		if m != nil && !m.dnd && !m.isBusy() {
			p.huntOrder[h.number] = idx + 1
			return m
		}
	}
	return nil
}

// unqueue removes c from any hunt group queue it waits in.
func (p *PBX) unqueue(c *call) {
	for _, cn := range c.conns {
		h := cn.dev
		if h.kind != kindHunt {
			continue
		}
		for i, q := range h.queue {
			if q == c {
				h.queue = append(h.queue[:i], h.queue[i+1:]...)
				break
			}
		}
	}
}

// serveQueues delivers queued calls to members that have become free.
func (p *PBX) serveQueues() {
	for _, h := range p.hunts {
		for len(h.queue) > 0 {
			m := p.freeMember(h)
			if m == nil {
				break
			}
			c := h.queue[0]
			h.queue = h.queue[1:]
			if cn := c.connOf(h); cn != nil {
				p.removeConn(cn)
			}
			p.offer(c, m, csta.CauseEnteringDistribution, maxRedirects)
		}
	}
}

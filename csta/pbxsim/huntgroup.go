package pbxsim

import (
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// Hunt groups: a call to the pilot number alerts the next idle member (circular hunting), or,
// in an ACD group, the ready agent idle longest (Diverted from the group, then Delivered at
// the agent). When nobody can take it the call waits at the pilot in state queued (Queued
// event) and is delivered as soon as a member or agent becomes free; beyond the group's queue
// limit the caller gets busy.

// offerHunt presents c to hunt group h.
func (p *PBX) offerHunt(c *call, h *device, cause csta.EventCause) {
	if h.acd != nil {
		if a := p.readyAgent(h, c); a != nil {
			p.distribute(c, h, a)
			return
		}
	} else if m := p.freeMember(h, c); m != nil {
		p.offer(c, m, csta.CauseEnteringDistribution, maxRedirects)
		return
	}
	if h.queueLimit > 0 && len(h.queue) >= h.queueLimit {
		p.fail(c, h, csta.CauseBusy)
		return
	}
	p.addConn(c, h, csta.StateQueued)
	h.queue = append(h.queue, c)
	c.queuedAt = time.Now()
	n := len(h.queue)
	// The stamp is the wait's start, so a bridge's longest wait equals Truth's exactly.
	p.emitStamped(p.callDevices(c, nil), c, csta.CauseEnteringDistribution, c.queuedAt, func(v view) csta.Event {
		return &csta.QueuedEvent{
			QueuedConnection: v.own(c, h.number),
			Queue:            v.dev(p, h.number),
			CallingDevice:    v.dev(p, c.calling),
			CalledDevice:     v.dev(p, c.called),
			NumberQueued:     n,
		}
	})
}

// freeMember returns the next idle member after the last one hunted that is not a party of c
// already (its caller on hold, say), or nil.
func (p *PBX) freeMember(h *device, c *call) *device {
	start := p.huntOrder[h.number]
	for i := range h.members {
		idx := (start + i) % len(h.members)
		m := p.devices[h.members[idx]]
		if m != nil && !m.dnd && !m.isBusy() && c.connOf(m) == nil {
			p.huntOrder[h.number] = idx + 1
			return m
		}
	}
	return nil
}

// readyAgent returns the ready agent of ACD group h that has been idle longest and whose
// phone is free and not in c already, or nil.
func (p *PBX) readyAgent(h *device, c *call) *agent {
	var best *agent
	for _, n := range h.acd.order {
		a := h.acd.agents[n]
		if a.state != csta.AgentReady || a.dev.dnd || a.dev.isBusy() || c.connOf(a.dev) != nil {
			continue
		}
		if best == nil || a.idleSeq < best.idleSeq {
			best = a
		}
	}
	return best
}

// distribute hands c from ACD group h to agent a: Diverted (from the group, cause
// distributed, also to the group's monitors), Delivered at the agent, then AgentBusy.
func (p *PBX) distribute(c *call, h *device, a *agent) {
	if cn := c.connOf(h); cn != nil {
		p.removeConn(cn)
	}
	c.queuedAt = time.Time{}
	p.emit(c, []*device{h}, csta.CauseDistributed, func(v view) csta.Event {
		return &csta.DivertedEvent{
			Connection:            v.own(c, h.number),
			DivertingDevice:       v.dev(p, h.number),
			NewDestination:        v.dev(p, a.dev.number),
			CallingDevice:         v.dev(p, c.calling),
			CalledDevice:          v.dev(p, c.called),
			LastRedirectionDevice: v.dev(p, h.number),
		}
	})
	cn := p.addConn(c, a.dev, csta.StateAlerting)
	p.emitDelivered(c, a.dev, csta.CauseDistributed)
	p.agentBusy(a, cn)
}

// unqueue removes c from any hunt group queue it waits in.
func (p *PBX) unqueue(c *call) {
	for _, cn := range c.conns {
		if cn.dev.kind == kindHunt {
			dequeue(cn.dev, c)
		}
	}
}

// dequeue removes c from hunt group h's queue, if it waits there: a queued connection that
// leaves by any path (cleared, distributed) takes its place in the queue with it, so the group
// never offers a call the switch no longer has.
func dequeue(h *device, c *call) {
	for i, q := range h.queue {
		if q == c {
			h.queue = append(h.queue[:i], h.queue[i+1:]...)
			return
		}
	}
}

// requeue gives the place of from in hunt group h's queue to to: a transfer joined the call
// waiting there (from, which ends) to to, which now waits in its place since the same time.
func requeue(h *device, from, to *call) {
	for i, q := range h.queue {
		if q == from {
			h.queue[i] = to
			to.queuedAt = from.queuedAt
			return
		}
	}
}

// serveQueues delivers queued calls to members or agents that have become free, oldest first.
func (p *PBX) serveQueues() {
	for _, h := range p.hunts {
		for len(h.queue) > 0 {
			c := h.queue[0]
			if h.acd != nil {
				a := p.readyAgent(h, c)
				if a == nil {
					break
				}
				h.queue = h.queue[1:]
				p.distribute(c, h, a)
				continue
			}
			m := p.freeMember(h, c)
			if m == nil {
				break
			}
			h.queue = h.queue[1:]
			c.queuedAt = time.Time{}
			if cn := c.connOf(h); cn != nil {
				p.removeConn(cn)
			}
			// The group's monitors see the call leave the queue, as at an ACD group.
			p.emitAt([]*device{h}, c, csta.CauseDistributed, func(v view) csta.Event {
				return &csta.DivertedEvent{Connection: v.own(c, h.number), DivertingDevice: v.dev(p, h.number),
					NewDestination: v.dev(p, m.number), CallingDevice: v.dev(p, c.calling),
					CalledDevice: v.dev(p, c.called), LastRedirectionDevice: v.dev(p, h.number)}
			})
			p.offer(c, m, csta.CauseEnteringDistribution, maxRedirects)
		}
	}
}

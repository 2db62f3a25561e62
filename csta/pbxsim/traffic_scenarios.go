package pbxsim

import (
	"container/heap"
	"errors"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// Scenario scripts of the traffic generator. Each step runs under p.mu on the model directly;
// a step fails when someone else (a CTI client, a test, a fault) changed the call, and the
// scenario then hangs up what is left of it.

var errCallGone = errors.New("traffic: call changed under the generator")

type scenario struct {
	t     *Traffic
	devs  []*device // reserved extensions and the external party
	calls []uint64  // calls the scenario made, for cleanup
	steps []func() (time.Duration, error)
	i     int
}

func (s *scenario) conn(callIdx int, d *device) (*conn, error) {
	if callIdx >= len(s.calls) {
		return nil, errCallGone
	}
	c := s.t.p.calls[s.calls[callIdx]]
	if c == nil {
		return nil, errCallGone
	}
	cn := c.connOf(d)
	if cn == nil {
		return nil, errCallGone
	}
	return cn, nil
}

// step runs the next step; it returns the delay to the following one, or -1 when finished.
func (s *scenario) step() time.Duration {
	d, err := s.steps[s.i]()
	s.i++
	if err != nil {
		s.t.aborted.Add(1)
		s.cleanup()
		return -1
	}
	if s.i == len(s.steps) {
		s.t.completed.Add(1)
		s.cleanup()
		return -1
	}
	return d
}

// cleanup hangs up whatever the scenario's devices still have in its calls and releases them.
func (s *scenario) cleanup() {
	p := s.t.p
	for _, num := range s.calls {
		c := p.calls[num]
		for c != nil && !c.ended {
			var mine *conn
			for _, cn := range c.conns {
				for _, d := range s.devs {
					if cn.dev == d {
						mine = cn
					}
				}
			}
			if mine == nil {
				break
			}
			p.clear(mine, csta.CauseNormalClearing)
		}
	}
	s.t.release(s.devs...)
}

// call dials from a to target and records the call.
func (s *scenario) dialStep(a, target *device) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		cn, err := s.t.p.originate(a, csta.CauseNewCall)
		if err != nil {
			return 0, err
		}
		s.calls = append(s.calls, cn.call.num)
		return s.t.vary(s.t.cfg.RingTime), s.t.p.dial(cn, target, csta.CauseNewCall)
	}
}

func (s *scenario) answerStep(callIdx int, d *device, next time.Duration) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		cn, err := s.conn(callIdx, d)
		if err != nil {
			return 0, err
		}
		return s.t.vary(next), s.t.p.answer(cn)
	}
}

func (s *scenario) hangUpStep(callIdx int, d *device) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		cn, err := s.conn(callIdx, d)
		if err != nil {
			return 0, err
		}
		s.t.p.clear(cn, csta.CauseNormalClearing)
		return 0, nil
	}
}

// scenarioKind is one kind of generated call: its weight in the mix, how many idle
// extensions it needs, and its steps.
type scenarioKind struct {
	weight func(Mix) int
	idle   int
	build  func(s *scenario)
}

// scenarioKinds are the kinds in the order the mix's weights are drawn.
var scenarioKinds = []scenarioKind{
	{func(m Mix) int { return m.Internal }, 2, (*scenario).internal},
	{func(m Mix) int { return m.InboundExternal }, 1, (*scenario).inboundExternal},
	{func(m Mix) int { return m.Outbound }, 1, (*scenario).outbound},
	{func(m Mix) int { return m.Hold }, 2, (*scenario).holdRetrieve},
	{func(m Mix) int { return m.Transfer }, 2, (*scenario).consultTransfer},
	{func(m Mix) int { return m.Busy }, 1, (*scenario).busy},
	{func(m Mix) int { return m.NoAnswer }, 2, (*scenario).noAnswer},
}

// startScenario draws a scenario, reserves its devices and schedules its first step.
func (t *Traffic) startScenario(now time.Time) {
	r := t.rng.IntN(t.cfg.Mix.total())
	k := scenarioKinds[len(scenarioKinds)-1]
	for _, sk := range scenarioKinds {
		if w := sk.weight(t.cfg.Mix); r < w {
			k = sk
			break
		} else {
			r -= w
		}
	}
	s := &scenario{t: t}
	for range k.idle {
		d := t.pickIdle()
		if d == nil {
			t.release(s.devs...)
			t.skipped.Add(1)
			return
		}
		s.devs = append(s.devs, d)
	}
	k.build(s)
	t.started.Add(1)
	heap.Push(&t.pending, &action{at: now, step: s.step})
}

// external adds an external party to the scenario.
func (s *scenario) external() *device {
	x := s.t.p.extDevice(s.t.externalNumber())
	s.devs = append(s.devs, x)
	return x
}

// internal: extension calls extension, answered, hung up.
func (s *scenario) internal() {
	a, b := s.devs[0], s.devs[1]
	s.steps = append(s.steps, s.dialStep(a, b), s.answerStep(0, b, s.t.cfg.TalkTime), s.hangUpStep(0, a))
}

// inboundExternal: an external caller rings in, is answered and hangs up.
func (s *scenario) inboundExternal() {
	b := s.devs[0]
	x := s.external()
	s.steps = append(s.steps, s.inboundStep(x, b), s.answerStep(0, b, s.t.cfg.TalkTime), s.hangUpStep(0, x))
}

// outbound: an extension calls out over the trunk, the far end answers.
func (s *scenario) outbound() {
	a := s.devs[0]
	x := s.external()
	s.steps = append(s.steps, s.dialStep(a, x), s.answerStep(0, x, s.t.cfg.TalkTime), s.hangUpStep(0, a))
}

// holdRetrieve: an internal call, held and retrieved.
func (s *scenario) holdRetrieve() {
	t, talk := s.t, s.t.cfg.TalkTime
	a, b := s.devs[0], s.devs[1]
	s.steps = append(s.steps, s.dialStep(a, b), s.answerStep(0, b, talk/3),
		func() (time.Duration, error) {
			cn, err := s.conn(0, a)
			if err != nil {
				return 0, err
			}
			return t.vary(talk / 3), t.p.hold(cn, csta.CauseNormal)
		},
		func() (time.Duration, error) {
			cn, err := s.conn(0, a)
			if err != nil {
				return 0, err
			}
			return t.vary(talk / 3), t.p.retrieve(cn)
		},
		s.hangUpStep(0, a))
}

// consultTransfer: an inbound call, a consultation with a colleague and the transfer to them.
func (s *scenario) consultTransfer() {
	t, ring, talk := s.t, s.t.cfg.RingTime, s.t.cfg.TalkTime
	a, b := s.devs[0], s.devs[1]
	x := s.external()
	s.steps = append(s.steps, s.inboundStep(x, a), s.answerStep(0, a, talk/3),
		func() (time.Duration, error) {
			cn, err := s.conn(0, a)
			if err != nil {
				return 0, err
			}
			nc, err := t.p.consult(cn, b)
			if err != nil {
				return 0, err
			}
			s.calls = append(s.calls, nc.call.num)
			return t.vary(ring), nil
		},
		s.answerStep(1, b, talk/3),
		func() (time.Duration, error) {
			held, err := s.conn(0, a)
			if err != nil {
				return 0, err
			}
			active, err := s.conn(1, a)
			if err != nil {
				return 0, err
			}
			_, err = t.p.transfer(held, active)
			return t.vary(talk), err
		},
		s.hangUpStep(0, x))
}

// busy: an extension calls a busy far end and gets Failed(busy).
func (s *scenario) busy() {
	a := s.devs[0]
	s.steps = append(s.steps, s.dialStep(a, s.t.p.devices[busyExternal]), s.hangUpStep(0, a))
}

// noAnswer: an extension calls an extension, nobody answers, the caller gives up.
func (s *scenario) noAnswer() {
	t := s.t
	a, b := s.devs[0], s.devs[1]
	s.steps = append(s.steps, s.dialStep(a, b),
		func() (time.Duration, error) { return 2 * t.vary(t.cfg.RingTime), nil },
		s.hangUpStep(0, a))
}

// inboundStep rings external caller x in to b.
func (s *scenario) inboundStep(x, b *device) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		p := s.t.p
		c := p.newCall(x.number, b.number)
		p.addConn(c, x, csta.StateConnected)
		s.calls = append(s.calls, c.num)
		p.offer(c, b, csta.CauseNewCall, 0)
		return s.t.vary(s.t.cfg.RingTime), nil
	}
}

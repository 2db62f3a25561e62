package memory

import "github.com/ctibridge/ctibridge/tapi"

// The codec's part for agent states and queue figures (see codec.go for the form).

func (w *encoder) agentPayloads(e *tapi.Event) {
	if a := e.AgentStatus; a != nil {
		w.strs(a.Changed)
		w.agent(&a.Agent)
	}
	if q := e.QueueStatus; q != nil {
		w.queue(q)
	}
}

func (w *encoder) lineAgents(l *tapi.Line) {
	if l.Agents == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(l.Agents)) + 1)
		for i := range l.Agents {
			w.agent(&l.Agents[i])
		}
	}
	if l.Queue == nil {
		w.bools(false, false)
		return
	}
	w.bools(true, false)
	w.queue(l.Queue)
}

func (w *encoder) agent(a *tapi.AgentStatus) {
	w.str(a.Group)
	w.str(a.AgentID)
	w.uint(uint64(a.State))
	w.uint(uint64(a.NextState))
	w.str(a.ReasonCode)
	w.time(a.Since)
}

func (w *encoder) queue(q *tapi.QueueStatus) {
	if q.Waiting == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(q.Waiting)) + 1)
		for _, c := range q.Waiting {
			w.str(c.CallID)
			w.time(c.Since)
		}
	}
	w.time(q.LongestWaitStart)
	for _, n := range [...]int{q.LoggedOn, q.Ready, q.Busy, q.NotReady, q.WrapUp} {
		w.int(int64(n))
	}
}

func (d *decoder) agentPayloads(e *tapi.Event, has uint64) {
	if has&hasAgentStatus != 0 {
		a := new(tapi.AgentStatusEvent)
		a.Changed = d.strs()
		d.agent(&a.Agent)
		e.AgentStatus = a
	}
	if has&hasQueueStatus != 0 {
		e.QueueStatus = d.queue()
	}
}

// count reads a slice length+1 (0: nil); ok is false for nil or a length the record cannot hold
// (every element takes at least a byte).
func (d *decoder) count() (n int, ok bool) {
	x := d.uint()
	if x == 0 {
		return 0, false
	}
	if x-1 > uint64(len(d.s)-d.i) {
		d.bad = true
		return 0, false
	}
	return int(x - 1), true
}

func (d *decoder) lineAgents(l *tapi.Line) {
	if n, ok := d.count(); ok {
		l.Agents = make([]tapi.AgentStatus, n)
		for i := range l.Agents {
			d.agent(&l.Agents[i])
		}
	}
	if has, _ := d.bools(); has {
		l.Queue = d.queue()
	}
}

func (d *decoder) agent(a *tapi.AgentStatus) {
	a.Group = d.str()
	a.AgentID = d.str()
	a.State = tapi.AgentState(d.u32())
	a.NextState = tapi.AgentState(d.u32())
	a.ReasonCode = d.str()
	a.Since = d.time()
}

func (d *decoder) queue() *tapi.QueueStatus {
	q := new(tapi.QueueStatus)
	if n, ok := d.count(); ok {
		q.Waiting = make([]tapi.QueuedCall, n)
		for i := range q.Waiting {
			q.Waiting[i].CallID = d.str()
			q.Waiting[i].Since = d.time()
		}
	}
	q.LongestWaitStart = d.time()
	q.LoggedOn, q.Ready, q.Busy = int(d.int()), int(d.int()), int(d.int())
	q.NotReady, q.WrapUp = int(d.int()), int(d.int())
	return q
}

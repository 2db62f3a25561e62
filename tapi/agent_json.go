package tapi

// The JSON encoder's part for agents and queues (see AppendJSON).

// agentPayloads appends the agentStatus and queueStatus members of e.
func (w *jsonWriter) agentPayloads(e *Event) {
	if a := e.AgentStatus; a != nil {
		w.key(`,"agentStatus":`)
		o := w.open()
		if a.Changed == nil {
			w.key(`,"changed":`)
			w.b = append(w.b, "null"...)
		} else {
			w.strings(`,"changed":`, a.Changed)
		}
		w.key(`,"agent":`)
		w.agent(&a.Agent)
		w.close(o)
	}
	if e.QueueStatus != nil {
		w.key(`,"queueStatus":`)
		w.queue(e.QueueStatus)
	}
}

// lineAgents appends a line's agents and queue members.
func (w *jsonWriter) lineAgents(l *Line) {
	if len(l.Agents) > 0 {
		w.key(`,"agents":`)
		w.b = append(w.b, '[')
		for i := range l.Agents {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.agent(&l.Agents[i])
		}
		w.b = append(w.b, ']')
	}
	if l.Queue != nil {
		w.key(`,"queue":`)
		w.queue(l.Queue)
	}
}

func (w *jsonWriter) agent(a *AgentStatus) {
	at := w.open()
	w.str(`,"group":`, a.Group)
	w.strOmit(`,"agentId":`, a.AgentID)
	w.name(`,"state":`, agentStateNames, uint32(a.State))
	w.nameOmit(`,"nextState":`, agentStateNames, uint32(a.NextState))
	w.strOmit(`,"reasonCode":`, a.ReasonCode)
	w.time(`,"since":`, a.Since)
	w.close(at)
}

func (w *jsonWriter) queue(q *QueueStatus) {
	at := w.open()
	if len(q.Waiting) > 0 {
		w.key(`,"waiting":`)
		w.b = append(w.b, '[')
		for i := range q.Waiting {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			o := w.open()
			w.str(`,"callId":`, q.Waiting[i].CallID)
			w.time(`,"since":`, q.Waiting[i].Since)
			w.close(o)
		}
		w.b = append(w.b, ']')
	}
	if !q.LongestWaitStart.IsZero() {
		w.time(`,"longestWaitStart":`, q.LongestWaitStart)
	}
	w.int(`,"loggedOn":`, int64(q.LoggedOn))
	w.int(`,"ready":`, int64(q.Ready))
	w.int(`,"busy":`, int64(q.Busy))
	w.int(`,"notReady":`, int64(q.NotReady))
	w.int(`,"wrapUp":`, int64(q.WrapUp))
	w.close(at)
}

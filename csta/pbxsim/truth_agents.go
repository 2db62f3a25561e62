package pbxsim

import (
	"sort"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// AgentTruth is one agent position: an extension's membership of an ACD group.
type AgentTruth struct {
	Device  string          `json:"device"`
	Group   string          `json:"group"`
	AgentID string          `json:"agentID,omitempty"`
	State   csta.AgentState `json:"state"` // agentNull while logged off
	Reason  string          `json:"reason,omitempty"`
	Pending csta.AgentState `json:"pending,omitempty"`
	Since   time.Time       `json:"since"`
}

// GroupTruth is a hunt group's queue and, for an ACD group, its agents by state.
type GroupTruth struct {
	Number     string `json:"number"`
	ACD        bool   `json:"acd,omitempty"`
	QueueLimit int    `json:"queueLimit,omitempty"`
	Waiting    int    `json:"waiting"`
	// LongestWaitStart is when the call waiting longest started to wait (zero: none waits).
	LongestWaitStart time.Time `json:"longestWaitStart,omitzero"`
	LoggedOn         int       `json:"loggedOn"`
	Ready            int       `json:"ready"`
	Busy             int       `json:"busy"`
	NotReady         int       `json:"notReady"`
	WrapUp           int       `json:"wrapUp"`
}

// agentTruths lists every agent position, by device then group.
func (p *PBX) agentTruths() []AgentTruth {
	var out []AgentTruth
	for _, h := range p.hunts {
		if h.acd == nil {
			continue
		}
		for _, n := range h.acd.order {
			a := h.acd.agents[n]
			at := AgentTruth{Device: a.dev.number, Group: h.number, State: a.state, Reason: a.reason,
				Pending: a.pending, Since: a.since}
			if a.state != csta.AgentNull {
				at.AgentID = a.id
			}
			out = append(out, at)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Group < out[j].Group
	})
	return out
}

func groupTruth(h *device) GroupTruth {
	g := GroupTruth{Number: h.number, ACD: h.acd != nil, QueueLimit: h.queueLimit, Waiting: len(h.queue)}
	for _, c := range h.queue {
		if g.LongestWaitStart.IsZero() || c.queuedAt.Before(g.LongestWaitStart) {
			g.LongestWaitStart = c.queuedAt
		}
	}
	if h.acd == nil {
		return g
	}
	for _, a := range h.acd.agents {
		if a.state != csta.AgentNull {
			g.LoggedOn++
		}
		switch a.state {
		case csta.AgentReady:
			g.Ready++
		case csta.AgentBusy:
			g.Busy++
		case csta.AgentNotReady:
			g.NotReady++
		case csta.AgentWorkingAfterCall:
			g.WrapUp++
		}
	}
	return g
}

// Agents returns every agent position's truth, by device then group.
func (p *PBX) Agents() []AgentTruth {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.agentTruths()
}

// Group returns one hunt group's queue figures; false when number is not a hunt group.
func (p *PBX) Group(number string) (GroupTruth, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devices[number]
	if d == nil || d.kind != kindHunt {
		return GroupTruth{}, false
	}
	return groupTruth(d), true
}

package cti

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// acdSim is a duplex simulator with ACD group 600 (agent positions 201-204, wrap-up long
// enough to hold an agent back for the whole test) whose events carry the switch's send time.
func acdSim(t *testing.T) *sim {
	return newSimWith(t, func(c *pbxsim.Config) {
		c.StampEvents = true
		c.HuntGroups = []pbxsim.HuntGroup{{Number: "600", Members: []string{"201", "202", "203", "204"},
			ACD: true, QueueLimit: 10, WrapUp: time.Hour}}
	}, "200-299")
}

// agentsMatchTruth compares every agent position's state, reason code, next state and agent
// ID, and group 600's queue figures (longest wait to the nanosecond), with the switch's.
func (b *bridge) agentsMatchTruth(s *sim) func() error {
	return func() error {
		for _, at := range s.p.Agents() {
			l, ok := b.e.Line("hq/" + at.Device)
			if !ok {
				return fmt.Errorf("no line %s", at.Device)
			}
			a, known := l.Agent(at.Group)
			if !known {
				a.State = tapi.LINEAGENTSTATE_LOGGEDOFF
			}
			want := tapi.AgentStatus{Group: at.Group, AgentID: at.AgentID, State: reducer.AgentState(at.State),
				NextState: reducer.AgentState(at.Pending), ReasonCode: at.Reason}
			got := tapi.AgentStatus{Group: at.Group, AgentID: a.AgentID, State: a.State, NextState: a.NextState, ReasonCode: a.ReasonCode}
			if got != want {
				return fmt.Errorf("agent %s in %s: bridge %+v, PBX %+v", at.Device, at.Group, got, want)
			}
		}
		gt, _ := s.p.Group("600")
		l, _ := b.e.Line("hq/600")
		q := l.Queue
		if q == nil {
			return fmt.Errorf("line hq/600 has no queue figures")
		}
		got := fmt.Sprintf("waiting=%d loggedOn=%d ready=%d busy=%d notReady=%d wrapUp=%d", q.Calls(), q.LoggedOn, q.Ready, q.Busy, q.NotReady, q.WrapUp)
		want := fmt.Sprintf("waiting=%d loggedOn=%d ready=%d busy=%d notReady=%d wrapUp=%d", gt.Waiting, gt.LoggedOn, gt.Ready, gt.Busy, gt.NotReady, gt.WrapUp)
		if got != want || !q.LongestWaitStart.Equal(gt.LongestWaitStart) {
			return fmt.Errorf("group 600: bridge %s longest %v, PBX %s longest %v", got, q.LongestWaitStart, want, gt.LongestWaitStart)
		}
		return nil
	}
}

// TestAgentsAndQueueThroughSwitchoverAndTakeover: agents log on, a burst of calls queues and is
// distributed to ready agents, wrap-up holds an agent back; a PBX node switchover and then a
// bridge takeover, each with changes while no link follows the PBX, leave every agent state
// and the queue figures equal to the switch's, at the owner and at the follower.
func TestAgentsAndQueueThroughSwitchoverAndTakeover(t *testing.T) {
	s := acdSim(t)
	st := newStore()
	pc := s.pbxConfig("200-219")
	pc.Groups = []string{"600"}
	a := startBridge(t, st, "a", pc, nil)
	waitFor(t, "a owns the link", a.activeIs("primary"))
	b := startBridge(t, st, "b", pc, nil)
	waitFor(t, "first resync completed", func() error { return a.resynced(0, time.Time{}) })

	agent := func(ext string, state csta.RequestedAgentState, reason string) {
		t.Helper()
		require.NoError(t, s.p.SetAgentState(ext, "600", state, "", reason))
	}
	for _, x := range []string{"201", "202", "203"} {
		agent(x, csta.ReqLoggedOn, "")
	}
	agent("201", csta.ReqReady, "")
	agent("202", csta.ReqReady, "")
	agent("203", csta.ReqNotReady, "12")
	for i := range 4 {
		_, err := s.p.IncomingCall(fmt.Sprintf("+493055500%d", i), "600")
		require.NoError(t, err)
	}
	waitFor(t, "two calls distributed, two waiting", func() error {
		if g, _ := s.p.Group("600"); g.Waiting != 2 || g.Busy != 2 {
			return fmt.Errorf("group %+v", g)
		}
		return nil
	})
	require.NoError(t, s.p.Answer("201"))
	require.NoError(t, s.p.Answer("202"))
	require.NoError(t, s.p.HangUp("201")) // 201 goes into wrap-up: the queue is not served
	waitFor(t, "owner's agents equal the PBX", a.agentsMatchTruth(s))
	waitFor(t, "follower's agents equal the PBX", b.agentsMatchTruth(s))
	waitFor(t, "owner's calls equal the PBX", a.matchesTruth(s, s.primary, lineExts[:20]))
	g, _ := s.p.Group("600")
	require.Equal(t, 1, g.WrapUp, "wrap-up holds 201 back")
	require.Equal(t, 2, g.Waiting)

	// A PBX node switchover; 202 ends its call (into wrap-up) while the link moves.
	since := time.Now()
	s.primary.Kill()
	require.NoError(t, s.p.HangUp("202"))
	waitFor(t, "switch to standby", a.activeIs("standby"))
	waitFor(t, "resync after the switchover", func() error { return a.resynced(1, since) })
	waitFor(t, "owner's agents equal the PBX after the switchover", a.agentsMatchTruth(s))
	waitFor(t, "follower's agents equal the PBX after the switchover", b.agentsMatchTruth(s))

	// A bridge takeover; 201 is made ready while nobody owns the link, and takes the call
	// waiting longest.
	a.close()
	agent("201", csta.ReqReady, "")
	waitFor(t, "b owns the link", func() error {
		if li := b.e.Links()[0]; !li.OwnedHere || li.Active == "" {
			return fmt.Errorf("link %+v", li)
		}
		return nil
	})
	waitFor(t, "new owner's agents equal the PBX after the takeover", b.agentsMatchTruth(s))
	waitFor(t, "new owner's calls equal the PBX", b.matchesTruth(s, s.standby, lineExts[:20]))
	g, _ = s.p.Group("600")
	require.Equal(t, 1, g.Waiting)
	require.Equal(t, 1, g.Busy)

	// Events keep flowing to the new owner: 203 ready takes the last waiting call.
	agent("203", csta.ReqReady, "")
	waitFor(t, "queue emptied", func() error {
		if g, _ := s.p.Group("600"); g.Waiting != 0 {
			return fmt.Errorf("group %+v", g)
		}
		return nil
	})
	waitFor(t, "new owner's agents equal the PBX at the end", b.agentsMatchTruth(s))
	b.rec.checkSequences(t)
	require.Positive(t, b.rec.count(tapi.LineAgentStatus, nil))
	require.Positive(t, b.rec.count(tapi.LineQueueStatus, nil))
}

// TestHuntGroupQueue: a plain hunt group's queue at the bridge follows the switch's: a call
// queues while every member rings, and leaves the queue when a member is free.
func TestHuntGroupQueue(t *testing.T) {
	s := newSimWith(t, func(c *pbxsim.Config) {
		c.StampEvents = true
		c.HuntGroups = []pbxsim.HuntGroup{{Number: "500", Members: []string{"201", "202"}}}
	}, "200-299")
	pc := s.pbxConfig("200-209")
	pc.Groups = []string{"500"}
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "first resync completed", func() error { return b.resynced(0, time.Time{}) })
	queueMatches := func(waiting int) func() error {
		return func() error {
			gt, _ := s.p.Group("500")
			l, _ := b.e.Line("hq/500")
			switch {
			case gt.Waiting != waiting:
				return fmt.Errorf("PBX has %d waiting, want %d", gt.Waiting, waiting)
			case l.Queue == nil || l.Queue.Calls() != gt.Waiting || !l.Queue.LongestWaitStart.Equal(gt.LongestWaitStart):
				return fmt.Errorf("bridge %+v, PBX %+v", l.Queue, gt)
			}
			return nil
		}
	}
	for _, from := range []string{"+4930555001", "+4930555002", "+4930555003"} {
		_, err := s.p.IncomingCall(from, "500")
		require.NoError(t, err)
	}
	waitFor(t, "one call waiting", queueMatches(1))
	require.NoError(t, s.p.HangUp("+4930555001"))
	waitFor(t, "the queue served", queueMatches(0))
}

package pbxsim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
)

// acdConfig is an ACD group 600 with agent positions 201-203.
func acdConfig(queueLimit int, wrapUp time.Duration) Config {
	return Config{HuntGroups: []HuntGroup{{Number: "600", Members: []string{"201", "202", "203"},
		ACD: true, QueueLimit: queueLimit, WrapUp: wrapUp}}}
}

// ag is the summary of an agent event (agent events carry no local state and no cause).
func ag(kind string) string { return kind + "Event  " }

// setAgent runs SetAgentState for ext in group 600 and returns the pending state.
func (f *fixture) setAgent(ext string, st csta.RequestedAgentState, reason string) csta.AgentState {
	f.t.Helper()
	resp := f.exec(&csta.SetAgentState{Device: csta.Device(ext), RequestedAgentState: st, Group: csta.Device("600"),
		AgentID: "a" + ext, ReasonCode: reason})
	return resp.(*csta.SetAgentStateResponse).PendingAgentState
}

// ready logs ext on and makes it ready, discarding the events.
func (f *fixture) ready(exts ...string) {
	f.t.Helper()
	for _, ext := range exts {
		f.setAgent(ext, csta.ReqLoggedOn, "")
		f.setAgent(ext, csta.ReqReady, "")
	}
	f.rec.take()
}

func (f *fixture) agentTruth(ext string) AgentTruth {
	f.t.Helper()
	for _, a := range f.p.Agents() {
		if a.Device == ext && a.Group == "600" {
			return a
		}
	}
	f.t.Fatalf("no agent position %s in 600", ext)
	return AgentTruth{}
}

func (f *fixture) group() GroupTruth {
	f.t.Helper()
	g, ok := f.p.Group("600")
	require.True(f.t, ok)
	return g
}

func (f *fixture) incoming(to string) string {
	f.t.Helper()
	id, err := f.p.IncomingCall("+4930555001", to)
	f.must(err)
	return id
}

func TestAgentLogOnReadyAndErrors(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0), "201", "600")
	require.Empty(t, f.setAgent("201", csta.ReqLoggedOn, ""))
	both := []string{ag(csta.AgentEventLoggedOn), ag(csta.AgentEventNotReady)}
	evs := f.expect(map[string][]string{"201": both, "600": both})
	on := evs[0].(*csta.AgentStateEvent)
	require.Equal(t, "a201", on.AgentID)
	require.Equal(t, "600", on.ACDGroup.Number)
	require.Equal(t, "201", on.AgentDevice.Number)

	// log on again: acknowledged, no event (ECMA-269 §9.5.1)
	f.setAgent("201", csta.ReqLoggedOn, "")
	f.expect(nil)

	f.refuse(&csta.SetAgentState{Device: csta.Device("202"), RequestedAgentState: csta.ReqReady}, csta.ErrCatOperation, csta.ErrInvalidAgentState)
	f.refuse(&csta.SetAgentState{Device: csta.Device("204"), RequestedAgentState: csta.ReqLoggedOn}, csta.ErrCatOperation, csta.ErrInvalidAgentGroup)
	f.refuse(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: csta.ReqLoggedOn, Group: csta.Device("601")}, csta.ErrCatOperation, csta.ErrInvalidAgentGroup)
	f.refuse(&csta.SetAgentState{Device: csta.Device("999"), RequestedAgentState: csta.ReqLoggedOn}, csta.ErrCatOperation, csta.ErrInvalidDeviceID)
	f.refuse(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: "dancing"}, csta.ErrCatOperation, errValueOutOfRange)
	f.refuse(&csta.SetAgentState{Device: csta.Device("202"), RequestedAgentState: csta.ReqLoggedOn, AgentID: "a201"}, csta.ErrCatOperation, csta.ErrInvalidAgentIdentifier)
	f.expect(nil)
	f.setAgent("202", csta.ReqLoggedOff, "") // already logged off: acknowledged, no event
	f.expect(nil)

	f.setAgent("201", csta.ReqReady, "")
	f.expect(map[string][]string{"201": {ag(csta.AgentEventReady)}, "600": {ag(csta.AgentEventReady)}})

	resp := f.exec(&csta.GetAgentState{Device: csta.Device("201")}).(*csta.GetAgentStateResponse)
	require.Equal(t, []csta.AgentStateEntry{{AgentID: "a201", LoggedOn: true,
		Info: []csta.AgentInfo{{ACDGroup: csta.Device("600"), State: csta.AgentReady}}}}, resp.Agents)
	resp = f.exec(&csta.GetAgentState{Device: csta.Device("600")}).(*csta.GetAgentStateResponse)
	require.Len(t, resp.Agents, 1)
	require.Equal(t, "a201", resp.Agents[0].AgentID)
	resp = f.exec(&csta.GetAgentState{Device: csta.Device("202")}).(*csta.GetAgentStateResponse)
	require.False(t, resp.Agents[0].LoggedOn)
	require.Equal(t, csta.AgentNull, resp.Agents[0].Info[0].State)

	at := f.agentTruth("201")
	require.Equal(t, csta.AgentReady, at.State)
	require.Equal(t, "a201", at.AgentID)
	require.False(t, at.Since.IsZero())
	g := f.group()
	require.Equal(t, GroupTruth{Number: "600", ACD: true, LoggedOn: 1, Ready: 1}, g)
}

// Calls go to the ready agent idle longest: Diverted at the group, Delivered and AgentBusy at
// the agent; with every agent busy the next call queues and goes to the first agent freed.
func TestAgentDistributionLongestIdleFirst(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0), "600", "201", "202", "203")
	f.ready("202", "201", "203") // 202 idle longest, then 201, then 203
	id1 := f.incoming("600")
	evs := f.expect(map[string][]string{
		"600": {"DivertedEvent null distributed", ag(csta.AgentEventBusy)},
		"202": {"DeliveredEvent alerting distributed", ag(csta.AgentEventBusy)},
	})
	dv := f.find(evs, "600", "DivertedEvent").(*csta.DivertedEvent)
	require.Equal(t, "202", dv.NewDestination.Number)
	require.Equal(t, "600", dv.DivertingDevice.Number)
	require.True(t, f.find(evs, "202", "DeliveredEvent").(*csta.DeliveredEvent).ACDCall)

	f.incoming("600")
	f.expect(map[string][]string{
		"600": {"DivertedEvent null distributed", ag(csta.AgentEventBusy)},
		"201": {"DeliveredEvent alerting distributed", ag(csta.AgentEventBusy)},
	})
	f.incoming("600")
	f.expect(map[string][]string{
		"600": {"DivertedEvent null distributed", ag(csta.AgentEventBusy)},
		"203": {"DeliveredEvent alerting distributed", ag(csta.AgentEventBusy)},
	})
	require.Equal(t, GroupTruth{Number: "600", ACD: true, LoggedOn: 3, Busy: 3}, f.group())

	id4 := f.incoming("600")
	f.expect(map[string][]string{"600": {"QueuedEvent queued enteringDistribution"}})
	g := f.group()
	require.Equal(t, 1, g.Waiting)
	require.False(t, g.LongestWaitStart.IsZero())

	// 202 answers and hangs up: ready again (no wrap-up), and takes the waiting call
	f.must(f.p.Answer("202"))
	f.rec.take()
	f.must(f.p.HangUp("202"))
	evs = f.expect(map[string][]string{
		"202": {"ConnectionClearedEvent null normalClearing",
			ag(csta.AgentEventReady), "DeliveredEvent alerting distributed", ag(csta.AgentEventBusy)},
		"600": {ag(csta.AgentEventReady), "DivertedEvent null distributed", ag(csta.AgentEventBusy)},
	})
	require.Equal(t, id4, f.find(evs, "202", "DeliveredEvent").(*csta.DeliveredEvent).Connection.CallID)
	_, stillThere := f.p.Call(id1)
	require.False(t, stillThere)
	g = f.group()
	require.Zero(t, g.Waiting)
	require.True(t, g.LongestWaitStart.IsZero())
}

func TestAgentQueueLimit(t *testing.T) {
	f := newFixture(t, acdConfig(2, 0), "600")
	f.setAgent("201", csta.ReqLoggedOn, "") // logged on but not ready: nobody takes calls
	f.rec.take()
	f.incoming("600")
	first := f.group().LongestWaitStart
	f.incoming("600")
	f.expect(map[string][]string{"600": {"QueuedEvent queued enteringDistribution", "QueuedEvent queued enteringDistribution"}})
	id3 := f.incoming("600")
	f.expect(nil) // refused before reaching the group
	ct, ok := f.p.Call(id3)
	require.True(t, ok)
	require.Equal(t, []PartyTruth{{Device: "+4930555001", State: csta.StateFail}}, ct.Parties)
	g := f.group()
	require.Equal(t, 2, g.Waiting)
	require.Equal(t, 2, g.QueueLimit)
	require.Equal(t, first, g.LongestWaitStart)
	require.Equal(t, 1, g.NotReady)
}

// After an ACD call the agent works after call for the group's wrap-up time, then is ready.
func TestAgentWrapUpTimeout(t *testing.T) {
	f := newFixture(t, acdConfig(0, 20*time.Millisecond), "201")
	f.ready("201")
	f.incoming("600")
	f.must(f.p.Answer("201"))
	f.must(f.p.HangUp("201"))
	f.waitEvents(6) // the last is AgentReady at the end of wrap-up
	f.expect(map[string][]string{"201": {"DeliveredEvent alerting distributed", ag(csta.AgentEventBusy),
		"EstablishedEvent connected newCall", "ConnectionClearedEvent null normalClearing",
		ag(csta.AgentEventWorkingAfterCall), ag(csta.AgentEventReady)}})
	require.Equal(t, csta.AgentReady, f.agentTruth("201").State)
}

// Wrap-up holds the agent back: a call waits until the agent ends wrap-up itself.
func TestAgentWrapUpHoldsBack(t *testing.T) {
	f := newFixture(t, acdConfig(0, time.Hour), "201", "600")
	f.ready("201")
	f.incoming("600")
	f.must(f.p.Answer("201"))
	f.must(f.p.HangUp("+4930555001"))
	f.rec.take()
	require.Equal(t, csta.AgentWorkingAfterCall, f.agentTruth("201").State)
	require.Equal(t, 1, f.group().WrapUp)
	id := f.incoming("600")
	f.expect(map[string][]string{"600": {"QueuedEvent queued enteringDistribution"}})
	f.setAgent("201", csta.ReqReady, "")
	evs := f.expect(map[string][]string{
		"201": {ag(csta.AgentEventReady), "DeliveredEvent alerting distributed", ag(csta.AgentEventBusy)},
		"600": {ag(csta.AgentEventReady), "DivertedEvent null distributed", ag(csta.AgentEventBusy)},
	})
	require.Equal(t, id, f.find(evs, "201", "DeliveredEvent").(*csta.DeliveredEvent).Connection.CallID)
}

// Not ready carries its reason; asked for while busy it is pending and follows the call,
// without wrap-up.
func TestAgentNotReadyWithReason(t *testing.T) {
	f := newFixture(t, acdConfig(0, time.Hour), "201")
	f.ready("201")
	f.setAgent("201", csta.ReqNotReady, "12")
	evs := f.expect(map[string][]string{"201": {ag(csta.AgentEventNotReady)}})
	require.Equal(t, "12", evs[0].(*csta.AgentStateEvent).ReasonCode)
	require.Equal(t, "12", f.agentTruth("201").Reason)
	f.setAgent("201", csta.ReqNotReady, "13") // another reason is a change
	f.expect(map[string][]string{"201": {ag(csta.AgentEventNotReady)}})

	f.setAgent("201", csta.ReqReady, "")
	f.incoming("600")
	f.must(f.p.Answer("201"))
	f.rec.take()
	require.Equal(t, csta.AgentNotReady, f.setAgent("201", csta.ReqNotReady, "7"))
	at := f.agentTruth("201")
	require.Equal(t, csta.AgentBusy, at.State)
	require.Equal(t, csta.AgentNotReady, at.Pending)
	resp := f.exec(&csta.GetAgentState{Device: csta.Device("201"), ACDGroup: csta.Device("600")}).(*csta.GetAgentStateResponse)
	require.Equal(t, csta.AgentInfo{ACDGroup: csta.Device("600"), State: csta.AgentBusy, Pending: csta.AgentNotReady}, resp.Agents[0].Info[0])

	f.must(f.p.HangUp("201"))
	evs = f.expect(map[string][]string{"201": {"ConnectionClearedEvent null normalClearing", ag(csta.AgentEventNotReady)}})
	require.Equal(t, "7", evs[1].(*csta.AgentStateEvent).ReasonCode)
	at = f.agentTruth("201")
	require.Equal(t, csta.AgentNotReady, at.State)
	require.Empty(t, at.Pending)
}

// Agents log off while calls wait: the calls keep waiting and go to the next agent ready.
func TestAgentLogOffWhileCallsQueued(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0), "600", "201")
	f.setAgent("201", csta.ReqLoggedOn, "")
	id1 := f.incoming("600")
	f.incoming("600")
	f.rec.take()
	f.setAgent("201", csta.ReqLoggedOff, "99")
	evs := f.expect(map[string][]string{"201": {ag(csta.AgentEventLoggedOff)}, "600": {ag(csta.AgentEventLoggedOff)}})
	require.Equal(t, "99", evs[0].(*csta.AgentStateEvent).ReasonCode)
	g := f.group()
	require.Equal(t, 2, g.Waiting)
	require.Zero(t, g.LoggedOn)
	require.Equal(t, csta.AgentNull, f.agentTruth("201").State)
	require.Empty(t, f.agentTruth("201").AgentID)

	f.ready("202")
	g = f.group()
	require.Equal(t, 1, g.Waiting)
	require.Equal(t, 1, g.Busy)
	ct, _ := f.p.Call(id1)
	require.Equal(t, "202", ct.Parties[1].Device)
}

// Log off while busy is pending (agentNull) and happens when the call ends.
func TestAgentLogOffWhileBusy(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0), "201")
	f.ready("201")
	f.incoming("600")
	f.rec.take()
	require.Equal(t, csta.AgentNull, f.setAgent("201", csta.ReqLoggedOff, ""))
	f.must(f.p.HangUp("+4930555001")) // the caller gives up while it rings
	f.expect(map[string][]string{"201": {"ConnectionClearedEvent alerting normalClearing",
		"CallClearedEvent null normalClearing", ag(csta.AgentEventLoggedOff)}})
}

// Every profile reports agents; minimal leaves out the optional agentID, OSV decorates.
func TestAgentEventsPerProfile(t *testing.T) {
	for _, prof := range Profiles() {
		t.Run(prof.Name, func(t *testing.T) {
			cfg := acdConfig(0, 0)
			cfg.Profile = prof.Name
			f := newFixture(t, cfg, "201")
			f.setAgent("201", csta.ReqLoggedOn, "")
			evs := f.rec.take()
			require.Len(t, evs, 2)
			ev := evs[0].(*csta.AgentStateEvent)
			require.Equal(t, "201", ev.AgentDevice.Number)
			require.Equal(t, "600", ev.ACDGroup.Number)
			require.Equal(t, prof.OmitOptional, ev.AgentID == "")
			require.Equal(t, prof.DecorateAll, strings.HasPrefix(ev.AgentDevice.Raw, "N<"))
		})
	}
}

// A PBX restart logs every agent off and empties the queues.
func TestAgentsAfterRestart(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0))
	f.setAgent("201", csta.ReqLoggedOn, "")
	f.incoming("600")
	f.must(f.p.Restart())
	require.Equal(t, csta.AgentNull, f.agentTruth("201").State)
	require.Equal(t, GroupTruth{Number: "600", ACD: true}, f.group())
}

func TestAgentControlAPI(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0))
	f.must(f.p.SetAgentState("201", "", csta.ReqLoggedOn, "", ""))
	require.Equal(t, "201", f.agentTruth("201").AgentID) // the extension number by default
	var ce *ControlError
	require.ErrorAs(t, f.p.SetAgentState("202", "600", csta.ReqReady, "", ""), &ce)
	require.Contains(t, ce.Reason, csta.ErrInvalidAgentState)
	require.ErrorAs(t, f.p.SetAgentState("999", "600", csta.ReqReady, "", ""), &ce)
	require.True(t, ce.Unknown)

	cs, err := f.p.ServeControl(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { cs.Shutdown(context.Background()) })
	base := "http://" + cs.Addr()
	post := func(path, body string, want int) {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "POST %s %s", path, body)
	}
	post("/devices/201/agent", `{"state":"ready","group":"600"}`, http.StatusOK)
	post("/devices/202/agent", `{"state":"notReady"}`, http.StatusConflict)
	post("/devices/202/agent", `{"state":"loggedOn","agentID":"x7"}`, http.StatusOK)
	post("/devices/202/agent", `{"state":"notReady","reason":"12"}`, http.StatusOK)
	resp, err := http.Get(base + "/groups/600")
	require.NoError(t, err)
	var g GroupTruth
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&g))
	resp.Body.Close()
	require.Equal(t, GroupTruth{Number: "600", ACD: true, LoggedOn: 2, Ready: 1, NotReady: 1}, g)
	resp, err = http.Get(base + "/groups/201")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, "12", f.agentTruth("202").Reason)
	require.Equal(t, "x7", f.agentTruth("202").AgentID)
}

// A caller who gives up while waiting leaves the queue: the group sees the call cleared.
func TestAgentQueueCallerHangsUp(t *testing.T) {
	f := newFixture(t, acdConfig(0, 0), "600")
	f.incoming("600")
	f.rec.take()
	f.must(f.p.HangUp("+4930555001"))
	f.expect(map[string][]string{"600": {"ConnectionClearedEvent queued normalClearing", "CallClearedEvent null normalClearing"}})
	require.Equal(t, GroupTruth{Number: "600", ACD: true}, f.group())
}

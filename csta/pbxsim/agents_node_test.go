package pbxsim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
)

// Agents over real TCP under every profile, with send-time stamps: the requests and responses
// cross the codec both ways, the reason code shares <extensions> with the stamp, and a
// distributed call arrives as Diverted at the group and Delivered plus AgentBusy at the agent.
func TestAgentsOverTCP(t *testing.T) {
	for _, prof := range Profiles() {
		t.Run(prof.Name, func(t *testing.T) {
			cfg := acdConfig(1, 0)
			cfg.Profile, cfg.StampEvents, cfg.User, cfg.Password = prof.Name, true, "cti", "secret"
			p, a, _ := startDuplex(t, cfg)
			cl := connect(t, a, "201", "600")

			cl.req(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: csta.ReqLoggedOn, AgentID: "a1", Group: csta.Device("600")})
			cl.take("201: AgentLoggedOnEvent  ", "600: AgentLoggedOnEvent  ", "201: AgentNotReadyEvent  ", "600: AgentNotReadyEvent  ")
			cl.req(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: csta.ReqNotReady, ReasonCode: "12"})
			evs := cl.take("201: AgentNotReadyEvent  ", "600: AgentNotReadyEvent  ")
			nr := evs[0].ev.(*csta.AgentStateEvent)
			require.Equal(t, "12", nr.ReasonCode)
			require.False(t, nr.Timestamp.IsZero(), "stamp kept next to the reason")
			require.Equal(t, "600", nr.ACDGroup.Number)
			require.Equal(t, "201", nr.AgentDevice.Number)
			cl.reqErr(&csta.SetAgentState{Device: csta.Device("202"), RequestedAgentState: csta.ReqReady}, csta.ErrInvalidAgentState)

			cl.req(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: csta.ReqReady})
			cl.take("201: AgentReadyEvent  ", "600: AgentReadyEvent  ")
			_, err := p.IncomingCall("+4930555001", "600")
			require.NoError(t, err)
			evs = cl.take("600: DivertedEvent null distributed", "201: DeliveredEvent alerting distributed",
				"201: AgentBusyEvent  ", "600: AgentBusyEvent  ")
			require.Equal(t, "201", evs[0].ev.(*csta.DivertedEvent).NewDestination.Number)

			resp := cl.req(&csta.GetAgentState{Device: csta.Device("201")}).(*csta.GetAgentStateResponse)
			require.Len(t, resp.Agents, 1)
			require.True(t, resp.Agents[0].LoggedOn)
			require.Equal(t, []csta.AgentInfo{{ACDGroup: csta.Device("600"), State: csta.AgentBusy}}, resp.Agents[0].Info)
			pend := cl.req(&csta.SetAgentState{Device: csta.Device("201"), RequestedAgentState: csta.ReqWorkingAfterCall}).(*csta.SetAgentStateResponse)
			require.Equal(t, csta.AgentWorkingAfterCall, pend.PendingAgentState)
		})
	}
}

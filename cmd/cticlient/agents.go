package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// Contact-centre commands: agent states (agents, agent) and a group's queue (group), one
// REST request each.

func restAgents(ctx context.Context, o *options, r *client.REST, args []string, out io.Writer) error {
	if err := nargs("agents", args, 0, 0, "takes no arguments"); err != nil {
		return err
	}
	agents, err := r.Agents(ctx)
	if err != nil {
		return explain(err)
	}
	if o.json {
		return writeJSON(out, agents)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tNAME\tGROUP\tSTATE\tNEXT\tAGENT\tREASON\tSINCE")
	for _, a := range agents {
		next := "-"
		if a.NextState != 0 {
			next = short(a.NextState.String(), "LINEAGENTSTATE_")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Line, dash(a.DisplayName), a.Group,
			short(a.State.String(), "LINEAGENTSTATE_"), next, dash(a.AgentID), dash(a.ReasonCode), since(a.Since))
	}
	return tw.Flush()
}

// restAgent sets the agent state at a line: agent LINE STATE [GROUP], with --reason as the
// not-ready or log-off reason code and --agent-id for a log-on.
func restAgent(ctx context.Context, o *options, r *client.REST, args []string, out io.Writer) error {
	form := "LINE STATE [GROUP] (STATE: " + strings.Join(wire.AgentStates, ", ") + ")"
	if err := nargs("agent", args, 2, 3, form); err != nil {
		return err
	}
	if !slices.Contains(wire.AgentStates, args[1]) {
		return fmt.Errorf("%w: agent %s", errUsage, form)
	}
	req := client.AgentRequest{State: args[1], ReasonCode: o.reason, AgentID: o.agentID}
	if len(args) == 3 {
		req.Group = args[2]
	}
	if err := r.SetAgentState(ctx, args[0], req); err != nil {
		return explain(err)
	}
	where := "every group"
	if req.Group != "" {
		where = "group " + req.Group
	}
	return say(o, out, map[string]string{"line": args[0], "agentState": req.State, "group": req.Group},
		"%s: %s in %s", args[0], req.State, where)
}

// restGroup shows a monitored group's queue: group GROUPLINE.
func restGroup(ctx context.Context, o *options, r *client.REST, args []string, out io.Writer) error {
	if err := nargs("group", args, 1, 1, "GROUPLINE (pbx/number of a group in pbxs[].groups)"); err != nil {
		return err
	}
	g, err := r.Group(ctx, args[0])
	if err != nil {
		return explain(err)
	}
	if o.json {
		return writeJSON(out, g)
	}
	q := g.Queue
	longest := "-"
	if !q.LongestWaitStart.IsZero() {
		longest = since(q.LongestWaitStart)
	}
	fmt.Fprintf(out, "group %s: %d waiting, longest %s\n", g.Line, q.Calls(), longest)
	fmt.Fprintf(out, "agents: %d logged on, %d ready, %d busy, %d not ready, %d wrap-up\n",
		q.LoggedOn, q.Ready, q.Busy, q.NotReady, q.WrapUp)
	for _, c := range q.Waiting {
		fmt.Fprintf(out, "  %s waiting %s\n", c.CallID, since(c.Since))
	}
	return nil
}

// since says how long ago t was, to the second.
func since(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return time.Since(t).Truncate(time.Second).String()
}

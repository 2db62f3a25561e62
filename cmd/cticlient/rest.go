package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// restCommands are the commands that are one REST request each.
var restCommands = map[string]func(ctx context.Context, o *options, r *client.REST, args []string, out io.Writer) error{
	"lines": restLines, "calls": restCalls, "links": restLinks, "switchover": restSwitchover,
	"agents": restAgents, "agent": restAgent, "group": restGroup,
}

// restCommand runs a command of restCommands.
func restCommand(ctx context.Context, o *options, cmd string, args []string, out io.Writer) error {
	run, ok := restCommands[cmd]
	if !ok {
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	if cmd == "lines" || cmd == "calls" || cmd == "links" {
		if err := nargs(cmd, args, 0, 0, "takes no arguments"); err != nil {
			return err
		}
	}
	r, err := client.NewREST(o.urls[0], o.token, nil)
	if err != nil {
		return err
	}
	return run(ctx, o, r, args, out)
}

func restLines(ctx context.Context, o *options, r *client.REST, _ []string, out io.Writer) error {
	lines, err := r.Lines(ctx)
	if err != nil {
		return explain(err)
	}
	if o.json {
		return writeJSON(out, lines)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tNAME\tSTATUS\tCONTROL\tCALLS")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", l.Name, dash(l.DisplayName), l.Status, yesNo(l.Control), len(l.Calls))
	}
	return tw.Flush()
}

func restCalls(ctx context.Context, o *options, r *client.REST, _ []string, out io.Writer) error {
	calls, err := r.Calls(ctx)
	if err != nil {
		return explain(err)
	}
	if o.json {
		return writeJSON(out, calls)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HANDLE\tLINE\tSTATE\tORIGIN\tCALLER\tCALLED\tCONNECTED")
	for _, c := range calls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Handle, c.Line, short(c.State.String(), "LINECALLSTATE_"),
			short(c.Info.Origin.String(), "LINECALLORIGIN_"), party(c.Info.Caller), party(c.Info.Called), party(c.Info.Connected))
	}
	return tw.Flush()
}

func restLinks(ctx context.Context, o *options, r *client.REST, _ []string, out io.Writer) error {
	links, err := r.Links(ctx)
	if err != nil {
		return explain(err)
	}
	if o.json {
		return writeJSON(out, links)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PBX\tACTIVE\tOWNER\tFAILBACK\tNODES")
	for _, l := range links {
		var nodes []string
		for _, n := range l.Nodes {
			nodes = append(nodes, fmt.Sprintf("%s %s %s", n.Role, n.Address, n.Status))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.PBX, dash(l.Active), dash(l.Owner), l.Failback, strings.Join(nodes, "; "))
	}
	return tw.Flush()
}

func restSwitchover(ctx context.Context, o *options, r *client.REST, args []string, out io.Writer) error {
	if err := nargs("switchover", args, 1, 1, "PBX"); err != nil {
		return err
	}
	reason := o.reason
	if reason == "" {
		reason = "switchover requested with cticlient"
	}
	if err := r.Switchover(ctx, args[0], reason); err != nil {
		return explain(err)
	}
	return say(o, out, map[string]string{"pbx": args[0], "switchover": "done"}, "PBX %s switched over", args[0])
}

// explain adds a hint to errors a person can fix.
func explain(err error) error {
	if e, ok := err.(*client.APIError); ok && e.Status == 401 {
		return fmt.Errorf("the bridge refused the token: %s", e.Detail)
	}
	return err
}

// say prints a result: v as JSON with -json, else the formatted text.
func say(o *options, out io.Writer, v any, format string, a ...any) error {
	if o.json {
		return writeJSON(out, v)
	}
	_, err := fmt.Fprintf(out, format+"\n", a...)
	return err
}

func writeJSON(out io.Writer, v any) error {
	e := json.NewEncoder(out)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// short drops a tapi.h prefix for people: LINECALLSTATE_OFFERING -> OFFERING.
func short(name, prefix string) string { return strings.TrimPrefix(name, prefix) }

func party(p tapi.PartyID) string {
	switch {
	case p.Number != "" && p.Name != "":
		return p.Number + " (" + p.Name + ")"
	case p.Number != "":
		return p.Number
	case p.Name != "":
		return p.Name
	}
	return "-"
}

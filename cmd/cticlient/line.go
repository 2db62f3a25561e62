package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// lineCommand runs a request on one line through the SDK, which returns its LINE_REPLY.
func lineCommand(ctx context.Context, o *options, cmd string, args []string, out io.Writer) error {
	forms := map[string][3]any{
		"dial": {2, 2, "LINE NUMBER"}, "answer": {1, 1, "LINE"}, "hangup": {1, 1, "LINE"},
		"hold": {1, 1, "LINE"}, "retrieve": {1, 1, "LINE"}, "transfer": {2, 2, "LINE NUMBER"},
		"forward": {2, 3, "LINE MODE NUMBER | LINE off [MODE]"}, "dnd": {2, 2, "LINE on|off"},
	}
	f := forms[cmd]
	if err := nargs(cmd, args, f[0].(int), f[1].(int), f[2].(string)); err != nil {
		return err
	}
	line := args[0]
	if _, _, ok := tapi.SplitLine(line); !ok {
		return fmt.Errorf("%w: line %q is not \"pbx/extension\", e.g. demo/201", errUsage, line)
	}
	c, h, err := connectForCall(ctx, o, cmd, line)
	if err != nil {
		return err
	}
	defer c.Close()
	switch cmd {
	case "dial":
		nh, err := c.MakeCall(ctx, line, args[1], o.ringFirst)
		if err != nil {
			return err
		}
		return say(o, out, map[string]string{"line": line, "number": args[1], "handle": string(nh)},
			"dialling %s from %s: call %s", args[1], line, nh)
	case "forward":
		return forward(ctx, o, c, line, args[1:], out)
	case "dnd":
		on, perr := onOff(args[1])
		if perr != nil {
			return perr
		}
		if err := c.SetDND(ctx, line, on); err != nil {
			return err
		}
		return say(o, out, map[string]any{"line": line, "dnd": on}, "do-not-disturb %s on %s", args[1], line)
	}
	if err := onCall(ctx, c, cmd, line, h, args); err != nil {
		return err
	}
	return say(o, out, map[string]string{"line": line, "handle": string(h), "done": cmd}, "%s %s: call %s", cmd, line, h)
}

// connectForCall connects for cmd and, for a command that acts on a call, finds the call:
// --call, or the one call of the line in the state the command needs.
func connectForCall(ctx context.Context, o *options, cmd, line string) (*client.Client, tapi.CallHandle, error) {
	cfg := client.Config{URLs: o.urls, Token: o.token, ClientName: "cticlient " + cmd}
	pick := callPicker(cmd)
	if pick != nil && o.call == "" {
		cfg.Lines = []string{line} // the mirror tells which call to act on
	}
	c, err := client.Dial(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	h := tapi.CallHandle(o.call)
	if pick == nil || h != "" {
		return c, h, nil
	}
	if err := c.WaitSynced(ctx); err != nil {
		c.Close()
		return nil, "", err
	}
	if h, err = pick(c.Calls(line)); err != nil {
		c.Close()
		return nil, "", fmt.Errorf("%s on %s: %w", cmd, line, err)
	}
	return c, h, nil
}

// onCall sends the request of a command that acts on call h.
func onCall(ctx context.Context, c *client.Client, cmd, line string, h tapi.CallHandle, args []string) error {
	switch cmd {
	case "answer":
		return c.Answer(ctx, line, h)
	case "hangup":
		return c.Drop(ctx, line, h)
	case "hold":
		return c.Hold(ctx, line, h)
	case "retrieve":
		return c.Unhold(ctx, line, h)
	case "transfer":
		return c.BlindTransfer(ctx, line, h, args[1])
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// callPicker returns how a command chooses its call among a line's calls, or nil when the
// command acts on no existing call.
func callPicker(cmd string) func([]tapi.Call) (tapi.CallHandle, error) {
	var want []tapi.CallState
	switch cmd {
	case "answer":
		want = []tapi.CallState{tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED}
	case "hold", "transfer":
		want = []tapi.CallState{tapi.LINECALLSTATE_CONNECTED}
	case "retrieve":
		want = []tapi.CallState{tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF}
	case "hangup":
		// The call the user is in, else one being set up or ringing back, else any.
		return func(calls []tapi.Call) (tapi.CallHandle, error) {
			for _, states := range [][]tapi.CallState{
				{tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED},
				{tapi.LINECALLSTATE_DIALTONE, tapi.LINECALLSTATE_DIALING, tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_RINGBACK, tapi.LINECALLSTATE_BUSY},
				nil,
			} {
				if h, err := pickState(calls, states); h != "" || err != nil {
					return h, err
				}
			}
			return "", fmt.Errorf("the line has no call")
		}
	default:
		return nil
	}
	return func(calls []tapi.Call) (tapi.CallHandle, error) {
		h, err := pickState(calls, want)
		if h == "" && err == nil {
			var names []string
			for _, s := range want {
				names = append(names, short(s.String(), "LINECALLSTATE_"))
			}
			return "", fmt.Errorf("the line has no call in state %s%s", strings.Join(names, " or "), listCalls(calls))
		}
		return h, err
	}
}

// pickState returns the one call in one of states (any state when states is nil); more than
// one is an error that lists them, none returns "".
func pickState(calls []tapi.Call, states []tapi.CallState) (tapi.CallHandle, error) {
	var found []tapi.Call
	for _, c := range calls {
		if states == nil {
			found = append(found, c)
			continue
		}
		for _, s := range states {
			if c.State == s {
				found = append(found, c)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0].Handle, nil
	}
	return "", fmt.Errorf("several calls fit; pick one with --call HANDLE%s", listCalls(found))
}

func listCalls(calls []tapi.Call) string {
	if len(calls) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" (calls:")
	for _, c := range calls {
		fmt.Fprintf(&b, " %s %s", c.Handle, short(c.State.String(), "LINECALLSTATE_"))
	}
	b.WriteString(")")
	return b.String()
}

func forward(ctx context.Context, o *options, c *client.Client, line string, args []string, out io.Writer) error {
	if strings.EqualFold(args[0], "off") {
		mode := tapi.LINEFORWARDMODE_UNCOND
		if len(args) == 2 {
			var err error
			if mode, err = forwardMode(args[1]); err != nil {
				return err
			}
		}
		if err := c.Forward(ctx, line, mode, "", false, 0); err != nil {
			return err
		}
		return say(o, out, map[string]any{"line": line, "mode": mode, "enable": false}, "forwarding %s off on %s", short(mode.String(), "LINEFORWARDMODE_"), line)
	}
	if len(args) != 2 {
		return fmt.Errorf("%w: forward LINE MODE NUMBER | LINE off [MODE]", errUsage)
	}
	mode, err := forwardMode(args[0])
	if err != nil {
		return err
	}
	if err := c.Forward(ctx, line, mode, args[1], true, 0); err != nil {
		return err
	}
	return say(o, out, map[string]any{"line": line, "mode": mode, "to": args[1], "enable": true},
		"forwarding %s on %s to %s", short(mode.String(), "LINEFORWARDMODE_"), line, args[1])
}

// forwardMode accepts "uncond", "busy", "noanswer"... or a full LINEFORWARDMODE_* name.
func forwardMode(s string) (tapi.ForwardMode, error) {
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "LINEFORWARDMODE_") {
		name = "LINEFORWARDMODE_" + name
	}
	var m tapi.ForwardMode
	if err := m.UnmarshalText([]byte(name)); err != nil {
		return 0, fmt.Errorf("%w: forward mode %q: use uncond, busy, noanswer, busyna, ... or a LINEFORWARDMODE_* name", errUsage, s)
	}
	return m, nil
}

func onOff(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q: say on or off", errUsage, s)
}

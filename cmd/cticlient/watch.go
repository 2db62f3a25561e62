package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// watch prints live events of lines until ctx ends. The SDK reconnects and resumes on its own;
// the output says when it does.
func watch(ctx context.Context, o *options, lines []string, out io.Writer) error {
	dctx, cancel := context.WithTimeout(ctx, o.timeout)
	c, err := client.Dial(dctx, client.Config{URLs: o.urls, Token: o.token, Lines: lines, ClientName: "cticlient watch"})
	cancel()
	if err != nil {
		return err
	}
	defer c.Close()
	enc := json.NewEncoder(out)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-c.Events():
			if !ok {
				return c.Err()
			}
			if o.json {
				if err := enc.Encode(jsonRecord(ev)); err != nil {
					return err
				}
				continue
			}
			if _, err := fmt.Fprintln(out, describe(ev)); err != nil {
				return err
			}
		}
	}
}

// jsonRecord wraps an event for --json: "kind" says which, the rest is the event itself.
func jsonRecord(ev client.Event) any {
	switch e := ev.(type) {
	case *client.TAPIEvent:
		return struct {
			Kind   string          `json:"kind"`
			Offset uint64          `json:"offset"`
			Event  *tapi.Event     `json:"event"`
			Pos    client.Position `json:"position"`
		}{"event", e.Position.Offset, &e.Event, e.Position}
	case *client.Resynced:
		return map[string]any{"kind": "resync", "pbx": e.PBX, "reason": e.Reason, "position": e.Position, "lines": e.Lines, "calls": e.Calls}
	case *client.Synced:
		return map[string]any{"kind": "synced", "pbx": e.PBX, "position": e.Position, "replayed": e.Replayed}
	case *client.Connected:
		return map[string]any{"kind": "connected", "url": e.URL, "instance": e.Welcome.Instance, "user": e.Welcome.User}
	case *client.Disconnected:
		return map[string]any{"kind": "disconnected", "url": e.URL, "error": fmt.Sprint(e.Err)}
	}
	return nil
}

// describe renders an event as one line for people.
func describe(ev client.Event) string {
	now := time.Now().Format("15:04:05")
	switch e := ev.(type) {
	case *client.Connected:
		return fmt.Sprintf("%s connected to %s (instance %s, user %s)", now, e.URL, e.Welcome.Instance, e.Welcome.User)
	case *client.Disconnected:
		return fmt.Sprintf("%s disconnected from %s: %v; reconnecting", now, e.URL, e.Err)
	case *client.Synced:
		return fmt.Sprintf("%s %s up to date (%d events replayed)", now, e.PBX, e.Replayed)
	case *client.Resynced:
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s state (%s):", now, e.PBX, e.Reason)
		for _, l := range e.Lines {
			fmt.Fprintf(&b, " %s %s", l.Name, inService(l))
		}
		for _, c := range e.Calls {
			fmt.Fprintf(&b, "; call %s on %s %s", c.Handle, c.Line, short(c.State.String(), "LINECALLSTATE_"))
		}
		return b.String()
	case *client.TAPIEvent:
		return e.Time.Local().Format("15:04:05") + " " + describeTAPI(&e.Event)
	}
	return now + " ?"
}

func describeTAPI(e *tapi.Event) string {
	switch e.Type {
	case tapi.LineNewCall:
		c := e.Call
		return fmt.Sprintf("%s %s NEWCALL %s from %s to %s", e.Line, e.Handle,
			short(c.Info.Origin.String(), "LINECALLORIGIN_"), party(c.Info.Caller), party(c.Info.Called))
	case tapi.LineCallState:
		s := fmt.Sprintf("%s %s %s", e.Line, e.Handle, short(e.CallState.State.String(), "LINECALLSTATE_"))
		if e.CallState.DisconnectMode != 0 {
			s += " " + short(e.CallState.DisconnectMode.String(), "LINEDISCONNECTMODE_")
		}
		return s
	case tapi.LineCallInfo:
		return fmt.Sprintf("%s %s CALLINFO connected %s", e.Line, e.Handle, party(e.CallInfo.Info.Connected))
	case tapi.LineConference:
		if e.Conference == nil {
			return fmt.Sprintf("%s %s CONFERENCE ended", e.Line, e.Handle)
		}
		ps := make([]string, len(e.Conference.Parties))
		for i, p := range e.Conference.Parties {
			ps[i] = party(p)
		}
		return fmt.Sprintf("%s %s CONFERENCE %s with %s", e.Line, e.Handle, e.Conference.Handle, strings.Join(ps, ", "))
	case tapi.LineLineDevState, tapi.LineAddressState:
		l := e.LineState.Line
		s := fmt.Sprintf("%s LINE %s", e.Line, inService(l))
		if l.DND {
			s += " dnd"
		}
		for _, f := range l.Forwarding {
			s += fmt.Sprintf(" forward %s to %s", short(f.Mode.String(), "LINEFORWARDMODE_"), f.Destination)
		}
		return s
	case tapi.BridgeLinkStatus:
		return fmt.Sprintf("%s link %s %s %s", e.PBX, e.Link.Node, e.Link.Status, e.Link.Reason)
	case tapi.BridgeSwitchover:
		return fmt.Sprintf("%s switchover %s -> %s: %s", e.PBX, e.Switch.From, e.Switch.To, e.Switch.Reason)
	case tapi.BridgeResync:
		return fmt.Sprintf("%s resync %s %s", e.PBX, e.Resync.Mode, e.Resync.Phase)
	}
	return string(e.Type)
}

func inService(l tapi.Line) string {
	if l.InService {
		return "in service"
	}
	return "OUT OF SERVICE"
}

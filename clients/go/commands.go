package client

import (
	"context"
	"fmt"

	"github.com/ctibridge/ctibridge/tapi"
)

// Do sends a request and waits for its LINE_REPLY. A LINEERR_* result comes back as
// *ReplyError, a request the bridge could not parse as *ServerError. While the client is
// reconnecting, Do waits for the next session (bounded by ctx).
func (c *Client) Do(ctx context.Context, cmd Command) (tapi.Reply, error) {
	if cmd.Line == "" {
		return tapi.Reply{}, fmt.Errorf("ctibridge client: %s needs a line", cmd.Op)
	}
	s, err := c.current(ctx)
	if err != nil {
		return tapi.Reply{}, err
	}
	id := c.nextID()
	ch, ok := s.register(id)
	if !ok {
		return tapi.Reply{}, ErrConnectionLost
	}
	if err := s.write(commandMsg{Type: "command", ID: id, Command: cmd}); err != nil {
		s.unregister(id)
		return tapi.Reply{}, fmt.Errorf("%w: %v", ErrConnectionLost, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return tapi.Reply{}, r.err
		}
		if r.reply.Result != 0 {
			return r.reply, &ReplyError{RequestID: id, Result: r.reply.Result, Message: r.reply.Error}
		}
		return r.reply, nil
	case <-ctx.Done():
		s.unregister(id)
		return tapi.Reply{}, ctx.Err()
	}
}

// nextID returns a request ID in 1..0x7FFFFFFF (the bridge keeps the high bit for REST).
func (c *Client) nextID() uint32 {
	for {
		if id := c.ids.Add(1) & 0x7FFFFFFF; id != 0 {
			return id
		}
	}
}

// current waits for a session.
func (c *Client) current(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		s, up := c.sess, c.up
		c.mu.Unlock()
		if s != nil {
			return s, nil
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.done:
			return nil, c.stopErr()
		}
	}
}

// MakeCall dials number from line (lineMakeCall) and returns the new call's handle. With
// ringFirst the line's phone rings first and the PBX dials when it is picked up.
func (c *Client) MakeCall(ctx context.Context, line, number string, ringFirst bool) (tapi.CallHandle, error) {
	r, err := c.Do(ctx, Command{Op: OpMakeCall, Line: line, Number: number, Prompt: ringFirst})
	return r.Handle, err
}

// Answer answers an offering call (lineAnswer).
func (c *Client) Answer(ctx context.Context, line string, h tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpAnswer, Line: line, Handle: h})
}

// Drop hangs up the line's side of a call (lineDrop).
func (c *Client) Drop(ctx context.Context, line string, h tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpDrop, Line: line, Handle: h})
}

// Hold puts a call on hold (lineHold).
func (c *Client) Hold(ctx context.Context, line string, h tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpHold, Line: line, Handle: h})
}

// Unhold retrieves a held call (lineUnhold).
func (c *Client) Unhold(ctx context.Context, line string, h tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpUnhold, Line: line, Handle: h})
}

// BlindTransfer transfers a call to number without consultation (lineBlindTransfer).
func (c *Client) BlindTransfer(ctx context.Context, line string, h tapi.CallHandle, number string) error {
	return c.call(ctx, Command{Op: OpBlindTransfer, Line: line, Handle: h, Number: number})
}

// SetupTransfer holds a call and dials number for consultation (lineSetupTransfer +
// lineDial); it returns the consultation call's handle.
func (c *Client) SetupTransfer(ctx context.Context, line string, h tapi.CallHandle, number string) (tapi.CallHandle, error) {
	r, err := c.Do(ctx, Command{Op: OpSetupTransfer, Line: line, Handle: h, Number: number})
	return r.Handle, err
}

// CompleteTransfer joins the held call and the consultation call and leaves them
// (lineCompleteTransfer with LINETRANSFERMODE_TRANSFER).
func (c *Client) CompleteTransfer(ctx context.Context, line string, held, consult tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpCompleteTransfer, Line: line, Handle: held, Handle2: consult})
}

// Conference joins the held call and the consultation call into a conference
// (lineCompleteTransfer with LINETRANSFERMODE_CONFERENCE).
func (c *Client) Conference(ctx context.Context, line string, held, consult tapi.CallHandle) error {
	return c.call(ctx, Command{Op: OpConference, Line: line, Handle: held, Handle2: consult})
}

// Redirect deflects an offering call to number (lineRedirect).
func (c *Client) Redirect(ctx context.Context, line string, h tapi.CallHandle, number string) error {
	return c.call(ctx, Command{Op: OpRedirect, Line: line, Handle: h, Number: number})
}

// Pickup picks up the call ringing at the extension ringing (linePickup, directed) and
// returns its handle on line.
func (c *Client) Pickup(ctx context.Context, line, ringing string) (tapi.CallHandle, error) {
	r, err := c.Do(ctx, Command{Op: OpPickup, Line: line, Number: ringing})
	return r.Handle, err
}

// GroupPickup picks up a call ringing in line's pickup group (linePickup without an
// address), or in the group named by group (a group number or a member) when not empty, and
// returns its handle on line.
func (c *Client) GroupPickup(ctx context.Context, line, group string) (tapi.CallHandle, error) {
	r, err := c.Do(ctx, Command{Op: OpGroupPickup, Line: line, Number: group})
	return r.Handle, err
}

// GenerateDigits sends DTMF digits on a call (lineGenerateDigits).
func (c *Client) GenerateDigits(ctx context.Context, line string, h tapi.CallHandle, digits string) error {
	return c.call(ctx, Command{Op: OpGenerateDigits, Line: line, Handle: h, Number: digits})
}

// Forward switches forwarding of one mode on (to number) or off (lineForward).
func (c *Client) Forward(ctx context.Context, line string, mode tapi.ForwardMode, number string, enable bool, ringCount int) error {
	return c.call(ctx, Command{Op: OpForward, Line: line, ForwardMode: mode.String(), Number: number,
		Enable: enable, RingCount: ringCount})
}

// SetDND switches do-not-disturb on or off.
func (c *Client) SetDND(ctx context.Context, line string, on bool) error {
	return c.call(ctx, Command{Op: OpDND, Line: line, Enable: on})
}

// SetAgentState asks for an agent state at the line (lineSetAgentState): state is one of
// wire.AgentStates ("loggedOn", "ready", "notReady", ...); group "" means every group of the
// line; reason goes with notReady or loggedOff. LINE_AGENTSTATUS reports the result.
func (c *Client) SetAgentState(ctx context.Context, line, group, state, reason string) error {
	return c.call(ctx, Command{Op: OpSetAgentState, Line: line, AgentState: state, Group: group, ReasonCode: reason})
}

// LogOn logs the agent at the line on to an ACD group (group "" means every group of the
// line), as agentID when not empty (else the PBX's default, often the extension).
func (c *Client) LogOn(ctx context.Context, line, group, agentID string) error {
	return c.call(ctx, Command{Op: OpSetAgentState, Line: line, AgentState: "loggedOn", Group: group, AgentID: agentID})
}

func (c *Client) call(ctx context.Context, cmd Command) error {
	_, err := c.Do(ctx, cmd)
	return err
}
